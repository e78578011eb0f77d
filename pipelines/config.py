"""The workspace configuration (`audience.toml`): one validated, frozen model resolved at the edge."""

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from audience import storage
from audience.audiences import audiences as checked_audiences
from audience.errors import InputError

CONFIG_FILE = "audience.toml"

Platform = Literal["google", "meta", "tiktok"]
Engine = Literal["local", "dask"]
EXECUTION_KEYS = frozenset({"engine", "dask_address", "workers", "partitions", "partition_rows", "partition_dir"})
"""Keys that choose where and how a run computes, never what it exports: left out of the config digest."""
IdentifierColumn = Literal["email", "phone", "device_id"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class Inputs(_Model):
    customers: Path | None = None
    """Customer file (CSV or Parquet)."""
    consent: Path | None = None
    """Consent events file (CSV, JSON Lines or Parquet), imported into the ledger on every run."""
    suppressions: Path | None = None
    """Suppressions file (CSV, JSON Lines or Parquet)."""
    prehashed: list[IdentifierColumn] = []
    """Customer columns that already hold SHA-256 hex hashes (passed through, never hashed again)."""
    batch_rows: Annotated[int, Field(ge=1_000)] = 500_000
    """Customers read, normalised and staged per batch; bounds the memory a run needs."""


class GoogleOptions(_Model):
    operating_account_id: str | None = None
    """Google Ads customer id the Data Manager requests target (a placeholder is written when unset)."""
    operating_account_type: str | None = None
    """Account type of the operating account (default GOOGLE_ADS)."""
    contact_list_id: str | None = None
    """Customer Match list for emails and phones (a placeholder is written when unset)."""
    mobile_list_id: str | None = None
    """Customer Match list for mobile advertising IDs (a placeholder is written when unset)."""
    batch_size: Annotated[int, Field(ge=1, le=10_000)] | None = None
    """Audience members per Data Manager request (default and maximum 10,000)."""


class MetaOptions(_Model):
    batch_size: Annotated[int, Field(ge=1, le=10_000)] | None = None
    """Rows per Marketing API /users payload (default and maximum 10,000)."""


class TikTokOptions(_Model):
    phone_plus: bool = False
    """Hash TikTok phone numbers with the leading `+` (E.164); the contract's default is digits only."""
    max_file_bytes: Annotated[int, Field(ge=100)] | None = None
    """Split TikTok files below this size (default just under TikTok's 250 MB limit)."""


class Settings(_Model):
    """Everything a run needs; paths are resolved against the directory of the config file."""

    db: Path = Path("workspace.duckdb")
    """The workspace DuckDB file: staging, the consent ledger and lineage."""
    out: Path = Path("out")
    """Export files are written under OUT/<run_id>/."""
    inputs: Inputs = Inputs()
    """The input files a run reads (flags --customers, --consent and --suppressions override them)."""
    default_region: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "PL"
    """Region for national phone numbers when a customer has no usable `country`."""
    max_consent_age_days: Annotated[int, Field(ge=1)] = 730
    """A grant older than this at the as-of time no longer counts."""
    min_audience: dict[Platform, Annotated[int, Field(ge=0)]] = {"google": 100, "meta": 100, "tiktok": 1000}
    """Audiences smaller than this are held back on that platform."""
    google: GoogleOptions = GoogleOptions()
    """Google Data Manager destinations and request size."""
    meta: MetaOptions = MetaOptions()
    """Meta Marketing API payload size."""
    tiktok: TikTokOptions = TikTokOptions()
    """TikTok phone format and file size."""
    audiences: dict[str, str] = {}
    """Named audiences: a SQL condition over customer attributes (`all` is always every customer)."""
    engine: Engine = "local"
    """Where the customers' partitions are normalised and hashed: "local" (threads of this process) or "dask"
(the Dask cluster at dask_address, or a local Dask cluster of `workers` processes when unset)."""
    dask_address: Annotated[str, Field(pattern=r"^(tcp|tls|inproc|ucx)://.+")] | None = None
    """Scheduler address of an existing Dask cluster, e.g. "tcp://scheduler:8786" (engine = "dask")."""
    workers: Annotated[int, Field(ge=1)] = 2
    """Threads (local engine) or worker processes (a local Dask cluster) that work on partitions at once."""
    partition_rows: Annotated[int, Field(ge=1_000)] = 500_000
    """Customers per partition when `partitions` is unset; a run of up to this many customers is one partition."""
    partitions: Annotated[int, Field(ge=1, le=4096)] | None = None
    """A fixed number of partitions (by a stable hash of customer_id) instead of one per `partition_rows`."""
    partition_dir: str | None = None
    """Where a run's partitions are written (default: next to the database): a directory, or an fsspec URL such as
"s3://bucket/audience" (install the file system's package, e.g. s3fs); every Dask worker must reach it. They hold
raw identifiers while the run lasts and are removed when it ends."""

    @field_validator("audiences")
    @classmethod
    def _usable_audiences(cls, value: dict[str, str]) -> dict[str, str]:
        try:
            checked_audiences(value)
        except InputError as e:
            raise ValueError(str(e)) from None
        return value

    def platform_options(self, platform: Platform) -> dict[str, Any]:
        """The options a platform's writer receives: the keys of its table that are set."""
        return getattr(self, platform).model_dump(exclude_none=True)

    def digest_json(self) -> str:
        """The effective settings as canonical JSON (what a run's config digest is computed from)."""
        return json.dumps(self.model_dump(mode="json", exclude=set(EXECUTION_KEYS)), sort_keys=True,
                          separators=(",", ":"))


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
            "partition_dir": _location(settings.partition_dir, at),
            "inputs": inputs,
        }
    )


def _location(location: str | None, at: Callable[[Path], Path]) -> str | None:
    """A directory `at` the config's base, or a URL as it is."""
    if location is None or storage.is_url(location):
        return location
    return str(at(Path(location)))


def _describe(path: Path | None, error: ValidationError) -> str:
    where = path or "the configuration"
    lines = [f"{where} has {error.error_count()} problem(s):"]
    for item in error.errors():
        key = ".".join(str(p) for p in item["loc"])
        lines.append(f"  - {key}: {item['msg']}")
    lines.append("Fix these keys (see the comments in a fresh `audience init` file for each key's meaning).")
    return "\n".join(lines)


AUDIENCE_EXAMPLE = 'loyal = "orders_12m >= 5 AND newsletter"'
_HEADER = """\
# audience workspace configuration (`audience init` wrote this file; every key is optional).
# Relative paths are resolved against this file's directory. Command-line flags override these values."""


def documented_toml(settings: Settings) -> str:
    """`settings` as an `audience.toml` with each key's meaning as a comment above it (unset keys commented out)."""
    lines = [_HEADER]
    tables: list[tuple[str, Any, str | None]] = []
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        if isinstance(value, BaseModel | dict):
            tables.append((name, value, field.description))
        else:
            lines += ["", *_comment(field.description), _entry(name, value)]
    for name, value, description in tables:
        lines += ["", f"[{name}]", *_comment(description)]
        if isinstance(value, BaseModel):
            for key, field in type(value).model_fields.items():
                lines += [*_comment(field.description), _entry(key, getattr(value, key))]
        else:
            lines += [_entry(key, item) for key, item in value.items()]
            if name == "audiences" and not value:
                lines.append(f"# {AUDIENCE_EXAMPLE}")
    return "\n".join(lines) + "\n"


def _comment(text: str | None) -> list[str]:
    return [f"# {line}" for line in (text or "").splitlines()]


def _entry(key: str, value: Any) -> str:
    if value is None:
        return f"# {key} ="
    if isinstance(value, bool):
        return f"{key} = {'true' if value else 'false'}"
    if isinstance(value, int):
        return f"{key} = {value}"
    if isinstance(value, list):
        return f"{key} = [{', '.join(json.dumps(str(v)) for v in value)}]"
    return f"{key} = {json.dumps(str(value), ensure_ascii=False)}"
