"""HTML from the package's templates: autoescaped, strict about missing values, self-contained (inline styles
and SVG, a Content-Security-Policy that forbids every request)."""

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined


@cache
def environment() -> Environment:
    """The Jinja environment over `audience/templates`."""
    return Environment(loader=PackageLoader("audience", "templates"), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=False, keep_trailing_newline=True)


def render(template: str, **context: Any) -> str:
    """Render one template of `audience/templates`."""
    return environment().get_template(template).render(**context)
