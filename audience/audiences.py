"""Audience definitions: `all`, plus named SQL conditions over customer attributes, checked before they run."""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from audience import store
from audience.errors import InputError, without_values

DEFAULT_AUDIENCE = "all"
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
"""An audience name is also a directory name in every run's output."""


@dataclass(frozen=True, slots=True)
class Audience:
    """A named set of customers: every customer when `condition` is None."""

    name: str
    condition: str | None = None


def audiences(conditions: Mapping[str, str]) -> tuple[Audience, ...]:
    """`all` followed by the configured audiences in name order, names and conditions checked as text.

    Raises:
        InputError: a name is unusable, `all` is redefined, or a condition is not one SQL expression.
    """
    found = [Audience(DEFAULT_AUDIENCE)]
    for name in sorted(conditions):
        if name == DEFAULT_AUDIENCE:
            raise InputError(f"Audience {name!r} is built in (every customer); choose another name in [audiences].")
        if not NAME.fullmatch(name):
            raise InputError(
                f"Audience name {name!r} is not usable; use lowercase letters, digits, '_' and '-' "
                "(up to 64 characters, starting with a letter or digit)."
            )
        condition = conditions[name].strip()
        if not condition:
            raise InputError(f"Audience {name!r} has an empty condition; write a SQL condition such as "
                             "\"orders_12m >= 3\" in [audiences].")
        found.append(Audience(name, condition))
    return tuple(found)


def check(con: duckdb.DuckDBPyConnection, audience: Audience) -> int:
    """Check an audience against the staged customers; returns how many customers it holds.

    Raises:
        InputError: the condition is not a single expression over the customer columns, or does not run.
    """
    if audience.condition is None:
        return store.count_matching(con, None)
    fix = f"fix [audiences].{audience.name} in the config"
    tree = store.condition_tree(con, audience.condition)
    if tree.get("error"):
        raise InputError(f"Audience {audience.name!r}: the condition is not valid SQL "
                         f"({tree.get('error_message')}); {fix}.")
    if not _is_plain_filter(tree):
        raise InputError(
            f"Audience {audience.name!r}: the condition must be one expression over customer columns "
            f"(no subqueries, no set operations, no other tables); {fix}."
        )
    try:
        return store.count_matching(con, audience.condition)
    except duckdb.Error as e:
        # A mistake in the condition itself (binding, parsing) is shown as DuckDB words it; an error on the data
        # quotes the value it failed on, which may be an identifier in an attribute column.
        about_condition = isinstance(e, duckdb.BinderException | duckdb.ParserException | duckdb.CatalogException)
        detail = str(e).strip().splitlines()[0] if about_condition else without_values(str(e))
        columns = ", ".join(store.customer_columns(con))
        raise InputError(
            f"Audience {audience.name!r}: the condition does not run ({detail}); the customer columns "
            f"are {columns}; {fix}."
        ) from None


def _is_plain_filter(tree: dict[str, Any]) -> bool:
    statements = tree.get("statements", [])
    if len(statements) != 1:
        return False
    node = statements[0]["node"]
    return (
        node.get("type") == "SELECT_NODE"
        and node.get("from_table", {}).get("table_name") == "staging_customer"
        and not node.get("group_expressions")
        and node.get("having") is None
        and node.get("qualify") is None
        and not node.get("modifiers")
        and not node.get("cte_map", {}).get("map")
        and '"SUBQUERY"' not in json.dumps(node.get("where_clause"))
    )
