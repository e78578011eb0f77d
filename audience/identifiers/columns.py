"""The whole-column implementation of the identifier contract, over Arrow arrays in DuckDB.

The SQL in `fast_sql` decides the common values; everything else is handed, de-duplicated, to the scalar
reference in `reference.py`, so both give the same answer for every input (the differential tests and the
benchmark's self-check hold them to it).
"""

import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import duckdb
import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from email_validator import validate_email

from audience.errors import InputError
from audience.identifiers import reasons
from audience.identifiers.fast_sql import (
    PLAIN_LOCAL,
    email_columns,
    in_list,
    literal,
    maid_columns,
    phone_columns,
    trimmed,
)
from audience.identifiers.reference import Outcome, canonical_email, canonical_maid, canonical_phone, phone_region
from audience.identifiers.rules import (
    DEFAULT_REGION,
    IDENTIFIER_OF_KIND,
    PLATFORM_RULES,
    PLATFORMS,
    Kind,
    PlatformRules,
    RuleSet,
)

SHA256_HEX = r"[0-9a-fA-F]{64}"
PREHASHABLE: frozenset[str] = frozenset({"email", "phone"})
"""Columns a source may declare pre-hashed (device IDs go to Google and Meta unhashed, so they must be raw)."""

Reference = Callable[[str, str], Outcome]
_DIGEST = "unhex(sha256({}))"
"""SQL for the 32 bytes of a string's SHA-256."""


_NAMES: dict[str, list[str]] = {
    "identifier": sorted(set(IDENTIFIER_OF_KIND.values())),
    "platform": sorted(PLATFORMS),
    "id_type": sorted({t for p in PLATFORMS for t in PLATFORM_RULES[p].id_types.values()}),
}
NAME_TYPES: dict[str, str] = {kind: "ENUM(" + ", ".join(map(literal, names)) + ")" for kind, names in _NAMES.items()}
"""The ENUM types (SQL) of the identifier, platform and id_type names, in which identifiers are returned and staged."""


@dataclass(frozen=True, slots=True)
class Canonical:
    """A canonical column aligned with its input: the value, or the reason there is none (both null if absent)."""

    values: pa.Array
    reasons: pa.Array


@dataclass(frozen=True, slots=True)
class Normalised:
    """One batch of customers, normalised and hashed for every platform."""

    identifiers: pa.Table
    """customer_id, source_row, identifier, platform, id_type (dictionaries of `NAME_TYPES`' names), sha256 (the 32
    bytes of the platform string's SHA-256), unhashed (the platform string where the platform receives it unhashed,
    else null)."""
    rejections: pa.Table
    """source_row, column, platform (null: every platform), reason."""
    keys: pa.Table
    """customer_id, email (canonical), phone (E.164): the keys suppressions match on."""


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"preserve_insertion_order": False})
    con.execute("SET memory_limit = '2GB'")
    con.execute("SET enable_progress_bar = false")
    return con


def _positions(n: int) -> pa.Array:
    """0, 1, ..., n - 1."""
    return pa.array(np.arange(n, dtype=np.int64))


def _string_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], pa.string())
    return values.cast(pa.string())


def _ask_reference(con: duckdb.DuckDBPyConnection, table: str, raw: str, reference: Reference,
                   region: str | None = None) -> None:
    """Decide the values the fast path left undecided in `table` (null `value` and `reason`) with the reference,
    asking once per distinct value."""
    where = region or "''"
    pending = con.execute(
        f"SELECT DISTINCT {raw}, {where} FROM {table} WHERE value IS NULL AND reason IS NULL").fetchall()
    if not pending:
        return
    outcomes = [reference(text, area) for text, area in pending]
    name = f"{raw}_answers"
    con.register(name, pa.table({
        "raw": pa.array([text for text, _ in pending], pa.string()),
        "region": pa.array([area for _, area in pending], pa.string()),
        "value": pa.array([o.value for o in outcomes], pa.string()),
        "reason": pa.array([o.reason for o in outcomes], pa.string()),
    }))
    con.execute(f"""
        UPDATE {table} t SET value = a.value, reason = a.reason FROM {name} a
        WHERE t.value IS NULL AND t.reason IS NULL AND t.{raw} = a.raw"""
                + (f" AND t.{region} = a.region" if region else ""))
    con.unregister(name)


def _domain_outcome(domain: str) -> tuple[str | None, str | None, int | None]:
    """What the reference says of every plain local part @ `domain`: the canonical domain and the most bytes it adds
    to the address in email-validator's length checks, or the reason all of them are refused."""
    outcome = canonical_email("a@" + domain)
    if not outcome.ok:
        return None, outcome.reason, None
    validated = validate_email(unicodedata.normalize("NFC", "a@" + domain).strip(), check_deliverability=False,
                               allow_smtputf8=True)
    checked = (validated.original, validated.normalized, "a@" + validated.ascii_domain)
    return outcome.value[2:], None, max(len(address.encode()) for address in checked) - 2


def _settle_by_domain(con: duckdb.DuckDBPyConnection, table: str, raw: str) -> None:
    """Decide the undecided emails of `table` whose part before the @-sign is plain by their domain alone, asking
    the reference once per distinct domain (email-validator checks a domain apart from the part before the @-sign,
    and the length of the whole address last)."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE by_domain AS
        SELECT i, split_part(t, '@', 1) AS local, substr(t, strpos(t, '@') + 1) AS domain
        FROM (SELECT i, {trimmed(raw)} AS t FROM {table}
              WHERE value IS NULL AND reason IS NULL)
        WHERE contains(t, '@') AND regexp_full_match(split_part(t, '@', 1), {literal(PLAIN_LOCAL)})""")
    domains = [domain for (domain,) in con.execute("SELECT DISTINCT domain FROM by_domain").fetchall()]
    if not domains:
        return
    outcomes = [_domain_outcome(domain) for domain in domains]
    con.register("domain_answers", pa.table({
        "domain": pa.array(domains, pa.string()),
        "value": pa.array([value for value, _, _ in outcomes], pa.string()),
        "reason": pa.array([reason for _, reason, _ in outcomes], pa.string()),
        "longest": pa.array([longest for _, _, longest in outcomes], pa.int64()),
    }))
    fits = "strlen(d.local) + 1 + a.longest <= 254"
    con.execute(f"""
        UPDATE {table} SET value = s.value, reason = s.reason
        FROM (SELECT d.i, CASE WHEN a.value IS NOT NULL AND {fits} THEN lower(d.local) || '@' || a.value END AS value,
                     CASE WHEN a.value IS NULL THEN a.reason WHEN NOT {fits} THEN {literal(reasons.EMAIL_TOO_LONG)} END
                     AS reason
              FROM by_domain d JOIN domain_answers a USING (domain)) s
        WHERE {table}.i = s.i""")
    con.unregister("domain_answers")


def _email_reference(raw: str, _: str) -> Outcome:
    return canonical_email(raw)


def _maid_reference(raw: str, _: str) -> Outcome:
    return canonical_maid(raw)


def _phone_reference(default_region: str) -> Reference:
    return lambda raw, region: canonical_phone(raw, region, default_region)


def _created(columns: Callable[[str, str], str]) -> Callable[[duckdb.DuckDBPyConnection, str, str, str], None]:
    """A `_Decider.decide` of a fast path given as SQL over a source query."""
    def decide(con: duckdb.DuckDBPyConnection, table: str, raw: str, name: str) -> None:
        con.execute(f"CREATE OR REPLACE TABLE {name} AS {columns(f'SELECT * FROM {table}', raw)}")
    return decide


@dataclass(frozen=True, slots=True)
class _Decider:
    """How the column path decides one kind: its SQL fast path, and the reference for what that leaves."""

    decide: Callable[[duckdb.DuckDBPyConnection, str, str, str], None]
    """(connection, table, raw column, name): create the table `name`, the rows of `table` with `value` and `reason`
    added."""
    reference: Callable[[str], Reference]
    """The reference, given the default phone region."""
    by_region: bool = False
    """Whether a value's answer depends on its record's `region`."""
    settle: Callable[[duckdb.DuckDBPyConnection, str, str], None] | None = None
    """Decides more values of the fast path's table before the reference is asked."""


_DECIDERS: dict[Kind, _Decider] = {
    "email": _Decider(_created(email_columns), lambda _: _email_reference, settle=_settle_by_domain),
    "phone": _Decider(phone_columns, _phone_reference, by_region=True),
    "maid": _Decider(_created(maid_columns), lambda _: _maid_reference),
}


def _canonical_table(con: duckdb.DuckDBPyConnection, source: str, raw: str, kind: Kind, default_region: str,
                     carried: tuple[str, ...] = ()) -> str:
    """Create the table `{raw}_canonical` of every non-null `raw` of `source` (a table with `i`, and `region` for
    phones): i, `raw`, the `carried` columns, value (canonical) and reason; returns its name."""
    decider = _DECIDERS[kind]
    region = "region" if decider.by_region else None
    given = ", ".join(["i", raw, *([region] if region else []), *carried])
    con.execute(f"CREATE OR REPLACE TEMP VIEW {raw}_given AS SELECT {given} FROM {source} WHERE {raw} IS NOT NULL")
    canonical = f"{raw}_canonical"
    decider.decide(con, f"{raw}_given", raw, canonical)
    if decider.settle is not None:
        decider.settle(con, canonical, raw)
    _ask_reference(con, canonical, raw, decider.reference(default_region), region)
    return canonical


def _regions(country: pa.Array | pa.ChunkedArray | None, size: int, default_region: str) -> pa.Array:
    """The phone region of every record: its country where phonenumbers knows it, else the default."""
    if default_region not in phonenumbers.SUPPORTED_REGIONS:
        raise InputError(f"default region {default_region!r} is not a region phonenumbers knows; use an ISO "
                         "3166-1 alpha-2 code such as PL")
    if country is None:
        return pa.array([default_region] * size, pa.string())
    dictionary = _string_array(country).dictionary_encode()
    names = [phone_region(c, default_region) for c in dictionary.dictionary.to_pylist()]
    return pa.array(names + [default_region], pa.string()).take(dictionary.indices.fill_null(len(names)))


def _column(raw: pa.Array | pa.ChunkedArray, kind: Kind, region: pa.Array | None = None,
            default_region: str = DEFAULT_REGION) -> Canonical:
    raw = _string_array(raw)
    with _connect() as con:
        con.register("base", pa.table({
            "i": _positions(len(raw)),
            "raw": raw,
            "region": region if region is not None else pa.nulls(len(raw), pa.string()),
        }))
        canonical = _canonical_table(con, "base", "raw", kind, default_region)
        result = con.sql(f"SELECT c.value, c.reason FROM base LEFT JOIN {canonical} c USING (i) ORDER BY i"
                         ).to_arrow_table()
    return Canonical(result.column(0).combine_chunks(), result.column(1).combine_chunks())


def canonical_email_column(raw: pa.Array | pa.ChunkedArray) -> Canonical:
    """Canonical emails for a column of raw values (null in, null out)."""
    return _column(raw, "email")


def canonical_phone_column(raw: pa.Array | pa.ChunkedArray, country: pa.Array | pa.ChunkedArray | None = None,
                           default_region: str = DEFAULT_REGION) -> Canonical:
    """E.164 numbers for a column of raw values, each parsed in its record's region (null in, null out)."""
    return _column(raw, "phone", _regions(country, len(raw), default_region), default_region)


def canonical_maid_column(raw: pa.Array | pa.ChunkedArray) -> Canonical:
    """Canonical advertising IDs for a column of raw values (null in, null out)."""
    return _column(raw, "maid")


def _aligned(con: duckdb.DuckDBPyConnection, canonical: str, size: int) -> pa.Array:
    """The values of a `_canonical_table` at their positions 0 .. size - 1 (null where there is none)."""
    found = con.sql(f"SELECT i, value FROM {canonical}").to_arrow_table()
    index = np.full(size, -1, np.int64)
    index[found.column("i").to_numpy()] = np.arange(found.num_rows)
    return found.column("value").take(pa.array(index, mask=index < 0))


def _email_string_sql(rules: PlatformRules, column: str, cut_email: str, domain: str) -> str:
    """SQL for the platform's email string from a canonical email, given SQL for the cut address (`_cut_email_sql`)
    and its domain; NULL where nothing is left to send."""
    if rules.email_cut_domains is None:
        return cut_email
    if not rules.email_cut_domains:
        return column
    return f"CASE WHEN {domain} IN {in_list(rules.email_cut_domains)} THEN {cut_email} ELSE {column} END"


def _cut_email_sql(cut: str, domain: str) -> str:
    """SQL for the address of a cut local part (up to the first `+`, without dots) at its domain; NULL where the
    cut leaves nothing."""
    return f"CASE WHEN {cut} <> '' THEN {cut} || '@' || {domain} END"


def _email_parts_sql(column: str) -> str:
    """SQL adding `email_cut` (local part up to the first `+`, without dots) and `email_domain` of a canonical email."""
    at = f"strpos({column}, '@')"
    return (f"replace(split_part(left({column}, {at} - 1), '+', 1), '.', '') AS email_cut, "
            f"substr({column}, {at} + 1) AS email_domain")


def _check_prehashed(con: duckdb.DuckDBPyConnection, column: str, declared: bool) -> None:
    """Refuse hash-looking values (surrounding whitespace aside) in a raw column, and anything but 64 hex digits,
    exactly, in a pre-hashed one (identifiers.md: `^[0-9a-f]{64}$`, upper case lowered)."""
    condition = (f"NOT regexp_full_match({column}, '{SHA256_HEX}')" if declared
                 else f"strlen({column}) >= 64 AND regexp_full_match({trimmed(column)}, '{SHA256_HEX}')")
    rows = con.execute(
        f"SELECT source_row FROM batch WHERE {column} IS NOT NULL AND {condition}"
        " ORDER BY source_row LIMIT 6"
    ).fetchall()
    if not rows:
        return
    where = ", ".join(str(r) for (r,) in rows[:5]) + (", …" if len(rows) > 5 else "")
    if declared:
        raise InputError(f"column {column} is declared pre-hashed but holds values that are not SHA-256 hex digests "
                         f"(rows {where}); supply 64 hex digits per value, or remove {column} from `prehashed`")
    raise InputError(f"column {column} holds values that look like SHA-256 hashes (rows {where}); if the column is "
                     f"pre-hashed, declare it in audience.toml (`prehashed = [\"{column}\"]` under [inputs]), "
                     "otherwise supply raw values")


_SENT = ("id_type", "sha256", "unhashed")
"""What a platform receives of each value."""


@dataclass(frozen=True, slots=True)
class _Digests:
    """A query of an identifier column's digests (`i` first), and per platform the SQL over its columns of each of
    `_SENT`."""

    sql: str
    sent: dict[str, tuple[str, str, str]]


def _id_type_sql(name: str) -> str:
    """SQL for an id_type name as its ENUM."""
    return f"{literal(name)}::{NAME_TYPES['id_type']}"


def _hashed_only(identifier: str, rules: RuleSet, sha: Callable[[str], str]) -> dict[str, tuple[str, str, str]]:
    """`_Digests.sent` of an identifier every platform receives hashed only: its digest in the column
    `sha(platform)`."""
    return {p: (_id_type_sql(rules.platform(p).id_types[identifier]), sha(p), "NULL::VARCHAR") for p in PLATFORMS}


def _given_digests(column: str, rules: RuleSet) -> _Digests:
    """The 32 bytes of every value of a pre-hashed `column` (its 64 hex digits), for every platform."""
    return _Digests(f"SELECT i, unhex({column}) AS given FROM batch WHERE {column} IS NOT NULL",
                    _hashed_only(column, rules, lambda _: "given"))


def _email_digests(rules: RuleSet) -> _Digests:
    """`{platform}_sha` of every email: what the platform receives, null where nothing is left to send; each
    distinct string is hashed once (the canonical email, and the cut one where a platform cuts every domain)."""
    strings = ", ".join(f"{_email_string_sql(rules.platform(p), 'value', 'cut', 'email_domain')} AS {p}"
                        for p in PLATFORMS)
    shared = ["value"] + (["cut"] if any(rules.platform(p).email_cut_domains is None for p in PLATFORMS) else [])
    shas = ", ".join("CASE " + " ".join(f"WHEN {p} = {s} THEN {s}_sha" for s in shared)
                     + f" ELSE {_DIGEST.format(p)} END AS {p}_sha" for p in PLATFORMS)
    cut_sha = (f", CASE WHEN cut = value THEN value_sha ELSE {_DIGEST.format('cut')} END AS cut_sha"
               if "cut" in shared else "")
    return _Digests(f"""
        SELECT i, {shas}
        FROM (SELECT *{cut_sha}
              FROM (SELECT *, {_DIGEST.format('value')} AS value_sha
                    FROM (SELECT i, value, cut, {strings}
                          FROM (SELECT *, {_cut_email_sql('email_cut', 'email_domain')} AS cut
                                FROM (SELECT i, value, {_email_parts_sql('value')}
                                      FROM email_canonical WHERE value IS NOT NULL)))))""",
                    _hashed_only("email", rules, lambda p: f"{p}_sha"))


def _phone_digests(rules: RuleSet) -> _Digests:
    """Every phone number's digest with a `+` (`plus`) and without (`digits`), as the platforms take them."""
    form = {p: "plus" if rules.platform(p).phone_plus else "digits" for p in PLATFORMS}
    digests = {"plus": _DIGEST.format("value"), "digits": _DIGEST.format("substr(value, 2)")}
    computed = ", ".join(f"{digests[f]} AS {f}" for f in sorted(set(form.values())))
    return _Digests(f"SELECT i, {computed} FROM phone_canonical WHERE value IS NOT NULL",
                    _hashed_only("phone", rules, lambda p: form[p]))


def _device_digests(rules: RuleSet) -> _Digests:
    """Every advertising ID's value, sha and os (`ios`, `android` or `unknown`): its id_type follows the os, and
    some platforms take the value unhashed."""
    def sent(platform: str) -> tuple[str, str, str]:
        p = rules.platform(platform)
        os_types = " ".join(f"WHEN {literal(os)} THEN {_id_type_sql(p.id_types[os])}" for os in ("ios", "android"))
        return (f"CASE os {os_types} ELSE {_id_type_sql(p.id_types['unknown'])} END", "sha",
                "NULL::VARCHAR" if p.maid_hashed else "value")

    return _Digests(f"""
        SELECT i, value, {_DIGEST.format('value')} AS sha,
               CASE lower({trimmed('device_os')}) WHEN 'ios' THEN 'ios' WHEN 'android' THEN 'android'
                    ELSE 'unknown' END AS os
        FROM device_id_canonical WHERE value IS NOT NULL""", {p: sent(p) for p in PLATFORMS})


_DIGESTS: dict[str, Callable[[RuleSet], _Digests]] = {
    "email": _email_digests, "phone": _phone_digests, "device_id": _device_digests}
"""The digests of each raw identifier column, given the rules."""
_COLUMN_KINDS: dict[str, tuple[Kind, tuple[str, ...]]] = {
    "email": ("email", ()), "phone": ("phone", ()), "device_id": ("maid", ("device_os",))}
"""Each identifier column's kind, and the other columns its digests' query reads."""


@dataclass(frozen=True, slots=True)
class _Sent:
    """An identifier column's values as the platforms receive them: `i` and, per platform, the name of the column
    of `table` that holds each of `_SENT` (columns platforms share appear once)."""

    table: pa.Table
    columns: dict[str, dict[str, str]]


def _sent_sql(digests: _Digests) -> tuple[str, dict[str, dict[str, str]]]:
    """The query of an identifier column's `_Sent` table (each distinct expression once), and its columns per
    platform."""
    aliases: dict[str, str] = {}
    columns = {platform: {field: aliases.setdefault(sql, f"c{len(aliases)}") for field, sql in zip(_SENT, sent)}
               for platform, sent in digests.sent.items()}
    select = ", ".join(f"{sql} AS {alias}" for sql, alias in aliases.items())
    return f"SELECT i, {select} FROM ({digests.sql})", columns


def _sent_of(con: duckdb.DuckDBPyConnection, batch: pa.Table, column: str, rules: RuleSet,
             prehashed: frozenset[str]) -> _Sent:
    """Decide the identifier `column` of `batch` into `{column}_canonical` and return what every platform receives
    of it, on a cursor of its own (the three columns are decided at once)."""
    kind, carried = _COLUMN_KINDS[column]
    with con.cursor() as cursor:
        cursor.register("batch", batch)
        if column in prehashed:
            cursor.execute(f"CREATE TABLE {column}_canonical (i BIGINT, value VARCHAR, reason VARCHAR)")
            digests = _given_digests(column, rules)
        else:
            _canonical_table(cursor, "batch", column, kind, rules.default_region, carried)
            digests = _DIGESTS[column](rules)
        sql, columns = _sent_sql(digests)
        return _Sent(cursor.sql(sql).to_arrow_table(), columns)


def _names(kind: str, name: str, n: int) -> pa.DictionaryArray:
    """`name` `n` times, as the dictionary array DuckDB returns for the ENUM type `NAME_TYPES[kind]`."""
    names = _NAMES[kind]
    return pa.DictionaryArray.from_arrays(pa.array(np.full(n, names.index(name), np.uint8)), pa.array(names))


def _identifiers(sent: dict[str, _Sent], table: pa.Table) -> pa.Table:
    """Normalised.identifiers of every column's `_Sent` (each customer's ID and row taken once for every platform)."""
    pieces = []
    for identifier, s in sent.items():
        rows = {name: table.column(name).take(s.table.column("i")) for name in ("customer_id", "source_row")}
        for platform in PLATFORMS:
            piece = pa.table({
                **rows,
                "identifier": _names("identifier", identifier, s.table.num_rows),
                "platform": _names("platform", platform, s.table.num_rows),
                **{field: s.table.column(name) for field, name in s.columns[platform].items()},
            })
            if piece.column("sha256").null_count:
                piece = piece.filter(pc.is_valid(piece.column("sha256")))
            pieces.append(piece)
    return pa.concat_tables(pieces)


def _cut_away(emails: _Sent) -> pa.Table:
    """i, column, platform, reason of the emails a platform's cut leaves nothing of (a null SHA-256)."""
    pieces = []
    for platform in PLATFORMS:
        sha = emails.table.column(emails.columns[platform]["sha256"])
        i = emails.table.column("i").filter(pc.is_null(sha))
        pieces.append(pa.table({"i": i, "column": pa.array(["email"] * len(i), pa.string()),
                                "platform": pa.array([platform] * len(i), pa.string()),
                                "reason": pa.array([reasons.EMAIL_EMPTY_AFTER_CUT] * len(i), pa.string())}))
    return pa.concat_tables(pieces)


def _rejection_selects() -> list[str]:
    """The fields rejected for every platform, then those rejected for one (the table `cut_away`): i, column,
    platform, reason."""
    return [
        *(f"""SELECT i, {literal(column)} AS "column", NULL::VARCHAR AS platform, reason FROM {column}_canonical
              WHERE reason IS NOT NULL""" for column in _COLUMN_KINDS),
        "SELECT * FROM cut_away",
    ]


def normalise_customers(table: pa.Table, rules: RuleSet, *, prehashed: frozenset[str] = frozenset()) -> Normalised:
    """Normalise and hash every identifier of a batch of customers for every platform.

    Args:
        table: customer_id, source_row, email, phone, device_id, country, device_os (strings; null = absent).
        rules: the rule set of the run.
        prehashed: columns that hold SHA-256 hex digests instead of raw values.

    Raises:
        InputError: a raw column holds hash-looking values, or a pre-hashed column holds anything else.
    """
    if prehashed - PREHASHABLE:
        raise InputError(f"only {sorted(PREHASHABLE)} may be declared pre-hashed, not "
                         f"{sorted(prehashed - PREHASHABLE)}: Google and Meta take device IDs unhashed")
    regions = _regions(table.column("country"), table.num_rows, rules.default_region)
    batch = (table.select(["source_row", "email", "phone", "device_id", "device_os"])
             .append_column("region", regions).append_column("i", _positions(table.num_rows)))
    with _connect() as con:
        con.register("batch", batch)
        for column in PREHASHABLE:
            _check_prehashed(con, column, column in prehashed)
        with ThreadPoolExecutor(len(_COLUMN_KINDS)) as pool:
            sent = dict(zip(_COLUMN_KINDS, pool.map(lambda column: _sent_of(con, batch, column, rules, prehashed),
                                                    _COLUMN_KINDS)))
        con.register("cut_away", _cut_away(sent["email"]))
        rejections = con.sql(f"""
            SELECT b.source_row, r."column", r.platform, r.reason
            FROM ({" UNION ALL ".join(_rejection_selects())}) r JOIN batch b USING (i)
            ORDER BY b.source_row, r."column", r.platform NULLS FIRST""").to_arrow_table()
        keys = pa.table({"customer_id": table.column("customer_id"),
                         **{column: _aligned(con, f"{column}_canonical", table.num_rows)
                            for column in ("email", "phone")}})
    return Normalised(_identifiers(sent, table), rejections, keys)


def platform_column(kind: Kind, platform: str, raw: pa.Array | pa.ChunkedArray, rules: RuleSet = RuleSet(),
                    region: str | None = None) -> pa.Table:
    """Each raw value's platform string (before hashing), its SHA-256 and the reason where there is none.

    Returns a table aligned with `raw`: normalized, sha256, reason.
    """
    regions = None if region is None else pa.array([region] * len(raw), pa.string())
    canonical = {
        "email": lambda: canonical_email_column(raw),
        "phone": lambda: canonical_phone_column(raw, regions, rules.default_region),
        "maid": lambda: canonical_maid_column(raw),
    }[kind]()
    p = rules.platform(platform)
    derive = {
        "email": _email_string_sql(p, "v", _cut_email_sql("email_cut", "email_domain"), "email_domain"),
        "phone": "v" if p.phone_plus else "substr(v, 2)",
        "maid": "v",
    }[kind]
    with _connect() as con:
        con.register("canon", pa.table({"i": _positions(len(raw)),
                                        "v": canonical.values, "r": canonical.reasons}))
        return con.sql(f"""
            SELECT s AS normalized, sha256(s) AS sha256,
                   CASE WHEN v IS NOT NULL AND s IS NULL THEN {literal(reasons.EMAIL_EMPTY_AFTER_CUT)} ELSE r END
                   AS reason
            FROM (SELECT *, {derive} AS s FROM (SELECT i, v, r, {_email_parts_sql('v')} FROM canon)) ORDER BY i"""
        ).to_arrow_table()
