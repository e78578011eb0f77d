"""The workspace configuration (`audience.toml`): one validated, frozen model resolved at the edge."""

import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from audience.errors import InputError

CONFIG_FILE = "audience.toml"

Platform = Literal["google", "meta", "tiktok"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class Inputs(_Model):
    customers: Path | None = None
    """Customer file (CSV or Parquet)."""
    consent: Path | None = None
    """Consent events file (CSV, JSON Lines or Parquet), imported into the ledger on every run."""
    suppressions: Path | None = None
    """Suppressions file (CSV, JSON Lines or Parquet)."""


class TikTokOptions(_Model):
    phone_plus: bool = False
    """Hash TikTok phone numbers with the leading `+` (E.164); the contract's default is digits only."""


class Settings(_Model):
    """Everything a run needs; paths are resolved against the directory of the config file."""

    db: Path = Path("workspace.duckdb")
    """The workspace DuckDB file: staging, the consent ledger and lineage."""
    out: Path = Path("out")
    """Export files are written under OUT/<run_id>/."""
    inputs: Inputs = Inputs()
    default_region: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "PL"
    """Region for national phone numbers when a customer has no usable `country`."""
    max_consent_age_days: Annotated[int, Field(ge=1)] = 730
    """A grant older than this at the as-of time no longer counts."""
    min_audience: dict[Platform, Annotated[int, Field(ge=0)]] = {"google": 100, "meta": 100, "tiktok": 1000}
    """Audiences smaller than this are held back on that platform."""
    tiktok: TikTokOptions = TikTokOptions()
    audiences: dict[str, str] = {}
    """Named audiences: a SQL condition over customer attributes (`all` is always every customer)."""


def load_settings(config: Path | None = None, *, db: Path | None = None, out: Path | None = None) -> Settings:
    """Read `audience.toml` (the given file, or ./audience.toml if present), then apply flag overrides."""
    path = config if config is not None else (Path(CONFIG_FILE) if Path(CONFIG_FILE).exists() else None)
    raw: dict = {}
    base = Path.cwd()
    if path is not None:
        if not path.exists():
            raise InputError(f"Config file {path} does not exist; create one with `audience init`.")
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            raise InputError(f"{path} is not valid TOML ({e}); fix the syntax at that line.") from None
        base = path.resolve().parent
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as e:
        raise InputError(_describe(path, e)) from None
    return _resolved(settings, base, db=db, out=out)


def _resolved(settings: Settings, base: Path, *, db: Path | None, out: Path | None) -> Settings:
    def at(p: Path | None) -> Path | None:
        return None if p is None else (p if p.is_absolute() else base / p)

    inputs = settings.inputs.model_copy(
        update={k: at(getattr(settings.inputs, k)) for k in ("customers", "consent", "suppressions")}
    )
    return settings.model_copy(
        update={
            "db": db if db is not None else at(settings.db),
            "out": out if out is not None else at(settings.out),
            "inputs": inputs,
        }
    )


def _describe(path: Path | None, error: ValidationError) -> str:
    where = path or "the configuration"
    lines = [f"{where} has {error.error_count()} problem(s):"]
    for item in error.errors():
        key = ".".join(str(p) for p in item["loc"])
        lines.append(f"  - {key}: {item['msg']}")
    lines.append("Fix these keys (see the comments in a fresh `audience init` file for each key's meaning).")
    return "\n".join(lines)
