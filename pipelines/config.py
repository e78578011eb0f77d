"""The workspace configuration (`audience.toml`): one validated, frozen model resolved at the edge."""

import json
import re
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from audience import storage
from audience.audiences import audiences as checked_audiences
from audience.errors import InputError
from audience.identifiers.reference import is_region, region_problem
from audience.platforms.google import ACCOUNT_TYPES, LISTS, SHARED_LISTS_AUDIENCE
from audience.platforms.google import MAX_BATCH as GOOGLE_MAX_BATCH
from audience.platforms.meta import MAX_BATCH as META_MAX_BATCH
from audience.platforms.tiktok import LINE_BYTES, MAX_FILE_BYTES

CONFIG_FILE = "audience.toml"

Platform = Literal["google", "meta", "tiktok"]
Engine = Literal["local", "dask"]
EXECUTION_KEYS = frozenset({"engine", "dask_address", "workers", "partitions", "partition_rows", "partition_dir"})
"""Keys that choose where and how a run computes, never what it exports: left out of the config digest."""
PrehashableColumn = Literal["email", "phone"]
"""The customer columns that may arrive as SHA-256 hashes (Google and Meta take device IDs unhashed)."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


def _between(low: int, high: int) -> AfterValidator:
    """Refuses a whole number outside [low, high], naming both bounds (a platform writer's own range)."""

    def check(value: int) -> int:
        if not low <= value <= high:
            raise ValueError(f"use a whole number from {low} to {high}; got {value}")
        return value

    return AfterValidator(check)


def _known_region(value: str) -> str:
    if not is_region(value):
        raise ValueError(region_problem(value))
    return value


def _digits_only(value: str) -> str:
    if not re.fullmatch(r"[0-9]+", value):
        raise ValueError(f"{value!r} is not a Google id; write its digits only, without dashes or spaces "
                         "(e.g. 1234567890)")
    return value


GoogleId = Annotated[str, AfterValidator(_digits_only)]
"""A Google Ads customer ID or Customer Match user list ID: digits only (a number in the TOML file is taken too)."""
LIST_OPTIONS = tuple(kind.list_option for kind in LISTS)
"""The Customer Match list ids every audience has, one per kind of list."""


class Inputs(_Model):
    customers: Path | None = None
    """Customer file (CSV or Parquet)."""
    consent: Path | None = None
    """Consent events file (CSV, JSON Lines or Parquet), imported into the ledger on every run."""
    suppressions: Path | None = None
    """Suppressions file (CSV, JSON Lines or Parquet)."""
    prehashed: list[PrehashableColumn] = []
    """Customer columns (email, phone) that already hold SHA-256 hex hashes (passed through, never hashed again)."""
    batch_rows: Annotated[int, Field(ge=1_000)] = 500_000
    """Customers read, normalised and staged per batch; bounds the memory a run needs."""


class GoogleLists(_Model):
    model_config = ConfigDict(coerce_numbers_to_str=True)

    contact_list_id: GoogleId | None = None
    """This audience's Customer Match list for emails and phones (a placeholder is written when unset)."""
    mobile_list_id: GoogleId | None = None
    """This audience's Customer Match list for mobile advertising IDs (a placeholder is written when unset)."""


class GoogleOptions(_Model):
    model_config = ConfigDict(coerce_numbers_to_str=True)

    operating_account_id: GoogleId | None = None
    """Google Ads customer ID the Data Manager requests target, digits only (a placeholder is written when unset)."""
    operating_account_type: str | None = None
    """Account type of the operating account: GOOGLE_ADS (the default), DISPLAY_VIDEO_PARTNER,
DISPLAY_VIDEO_ADVERTISER or DATA_PARTNER."""
    contact_list_id: GoogleId | None = None
    """Customer Match list of the audience `all` for emails and phones (a placeholder is written when unset)."""
    mobile_list_id: GoogleId | None = None
    """Customer Match list of the audience `all` for mobile advertising IDs (a placeholder is written when unset)."""
    batch_size: Annotated[int, Field(strict=True), _between(1, GOOGLE_MAX_BATCH)] | None = None
    """Audience members per Data Manager request (default and maximum 10,000)."""
    audiences: dict[str, GoogleLists] = {}
    """Every other audience's own Customer Match lists, one table per audience (a table for `all` overrides the ids
above). No two audiences share a list, and an audience's contact and mobile lists differ."""

    @field_validator("operating_account_type")
    @classmethod
    def _known_account_type(cls, value: str | None) -> str | None:
        if value is not None and value not in ACCOUNT_TYPES:
            raise ValueError(f"use one of {', '.join(ACCOUNT_TYPES)}; got {value!r}")
        return value

    @model_validator(mode="after")
    def _one_list_per_audience_and_kind(self) -> "GoogleOptions":
        """Refuses a list id that two (audience, kind) pairs would use."""
        first: dict[str, tuple[str, ...]] = {}
        problems = []
        for key, list_id in self._lists_in_use():
            other = first.setdefault(list_id, key)
            if other != key:
                problems.append(_problem(key, _shared_list_fix(list_id, key, other)))
        if problems:
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        return self

    def _lists_in_use(self) -> Iterator[tuple[tuple[str, ...], str]]:
        """The key and id of every configured list that an audience uses: `all`'s own table before the top-level
        ids, then the other audiences by name."""
        shared = self.audiences.get(SHARED_LISTS_AUDIENCE, GoogleLists())
        for option in LIST_OPTIONS:
            if (own := getattr(shared, option)) is not None:
                yield ("audiences", SHARED_LISTS_AUDIENCE, option), own
            elif (top := getattr(self, option)) is not None:
                yield (option,), top
        for name in sorted(self.audiences.keys() - {SHARED_LISTS_AUDIENCE}):
            for option in LIST_OPTIONS:
                if (own := getattr(self.audiences[name], option)) is not None:
                    yield ("audiences", name, option), own


def _shared_list_fix(list_id: str, key: tuple[str, ...], other: tuple[str, ...]) -> str:
    """Why a list id may not be used at `key` as well as at `other`, and what to do."""
    audience, other_audience = (k[1] if len(k) > 1 else SHARED_LISTS_AUDIENCE for k in (key, other))
    if audience == other_audience:
        why = ("an audience's contact information and mobile IDs need separate Customer Match lists (mixed data "
               "types are not allowed on one list)")
    else:
        why = (f"audiences {other_audience} and {audience} need lists of their own (or one's removals take people "
               "out of the other)")
    return (f"list {list_id} is also google.{'.'.join(other)}; {why}: create another list in Google Ads and set "
            "its id here")


def _problem(key: tuple[str, ...], message: str) -> InitErrorDetails:
    """A validation error at `key` (relative to the model that reports it) reading `message`."""
    return InitErrorDetails(type=PydanticCustomError("config", "{message}", {"message": message}), loc=key, input=None)


class MetaOptions(_Model):
    batch_size: Annotated[int, Field(strict=True), _between(1, META_MAX_BATCH)] | None = None
    """Rows per Marketing API /users payload (default and maximum 10,000)."""


class TikTokOptions(_Model):
    phone_plus: bool = False
    """Hash TikTok phone numbers with the leading `+` (E.164); the contract's default is digits only."""
    max_file_bytes: Annotated[int, Field(strict=True), _between(LINE_BYTES, MAX_FILE_BYTES)] | None = None
    """Split TikTok files below this size: from 65 (one line) to 249,000,000 bytes (the default, just under TikTok's
250 MB limit)."""


class Settings(_Model):
    """Everything a run needs; paths are resolved against the directory of the config file."""

    db: Path = Path("workspace.duckdb")
    """The workspace DuckDB file: staging, the consent ledger and lineage."""
    out: Path = Path("out")
    """Export files are written under OUT/<run_id>/."""
    inputs: Inputs = Inputs()
    """The input files a run reads (flags --customers, --consent and --suppressions override them)."""
    default_region: Annotated[str, AfterValidator(_known_region)] = "PL"
    """Region for national phone numbers when a customer has no usable `country`."""
    max_consent_age_days: Annotated[int, Field(ge=1)] = 730
    """A grant older than this at the as-of time no longer counts."""
    min_audience: dict[Platform, Annotated[int, Field(ge=0)]] = {"google": 100, "meta": 100, "tiktok": 1000}
    """Audiences smaller than this are held back on that platform."""
    google: GoogleOptions = GoogleOptions()
    """Google Data Manager destinations (every audience's own Customer Match lists) and request size."""
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
    """Scheduler address of an existing Dask cluster, e.g. "tcp://scheduler:8786" (engine = "dask"; without an engine
key, it selects "dask"; engine = "local" ignores it, and `audience run` says so)."""
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

    def partition_dir_of(self, run_id: str) -> str:
        """Where a run's partitions go: under `partition_dir` (a path or an fsspec URL), or a folder next to the
        workspace database."""
        return storage.join(self.partition_dir or str(self.db.with_name(f"{self.db.name}.partitions")), run_id)

    @model_validator(mode="before")
    @classmethod
    def _dask_address_selects_dask(cls, data: Any) -> Any:
        """A dask_address without an engine means the Dask engine, as the --dask-address flag does."""
        if isinstance(data, dict) and data.get("dask_address") is not None and data.get("engine") is None:
            return {**data, "engine": "dask"}
        return data

    @field_validator("audiences")
    @classmethod
    def _usable_audiences(cls, value: dict[str, str]) -> dict[str, str]:
        try:
            checked_audiences(value)
        except InputError as e:
            raise ValueError(str(e)) from None
        return value

    @model_validator(mode="after")
    def _google_lists_of_known_audiences(self) -> "Settings":
        """Refuses a `[google.audiences.<name>]` table for an audience that does not exist."""
        names = [SHARED_LISTS_AUDIENCE, *sorted(self.audiences)]
        unknown = sorted(self.google.audiences.keys() - set(names))
        if unknown:
            raise ValidationError.from_exception_data(type(self).__name__, [
                _problem(("google", "audiences", name),
                         f"no audience is named {name!r} (there are {', '.join(names)}); rename the table "
                         f"[google.audiences.{name}] to the audience whose lists it gives, or add {name} to "
                         "[audiences]")
                for name in unknown
            ])
        return self

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


EXAMPLE_AUDIENCE = "loyal"
AUDIENCE_EXAMPLE = f'{EXAMPLE_AUDIENCE} = "orders_12m >= 5 AND newsletter"'
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
            lines += _table_body(name, value)
        else:
            lines += [_entry(key, item) for key, item in value.items()]
            if name == "audiences" and not value:
                lines.append(f"# {AUDIENCE_EXAMPLE}")
    return "\n".join(lines) + "\n"


def _table_body(name: str, table: BaseModel) -> list[str]:
    """A table's keys, each under its meaning, then its per-audience tables (`[<name>.<key>.<audience>]`), or when
    there are none a commented-out one for EXAMPLE_AUDIENCE."""
    lines, per_audience = [], []
    for key, field in type(table).model_fields.items():
        value = getattr(table, key)
        if isinstance(value, dict):
            per_audience.append((key, value, field))
        else:
            lines += [*_comment(field.description), _entry(key, value)]
    for key, tables, field in per_audience:
        lines += ["", *_comment(field.description)]
        model = get_args(field.annotation)[1]
        for audience, values in tables.items() or [(EXAMPLE_AUDIENCE, None)]:
            lines.append(f"{'# ' if values is None else ''}[{name}.{key}.{audience}]")
            for sub, sub_field in model.model_fields.items():
                lines += [*_comment(sub_field.description), _entry(sub, getattr(values, sub, None))]
    return lines


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
