"""The whole-column implementation of the identifier contract, over Arrow arrays in DuckDB.

Common values are decided in SQL: ASCII emails of plain shape, phone numbers written with digits, spaces,
dashes and parentheses in regions whose rules `phone_patterns` carries, and advertising IDs. Everything else
is handed, de-duplicated, to the scalar reference in `reference.py`, so both give the same answer for every
input (the differential tests and the benchmark's self-check hold them to it).
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import email_validator
import pyarrow as pa
import phonenumbers

from audience.errors import InputError
from audience.identifiers import reasons
from audience.identifiers.phone_patterns import RegionPatterns, country_codes_by_length, fast_regions
from audience.identifiers.reference import Outcome, canonical_email, canonical_maid, canonical_phone, phone_region
from audience.identifiers.rules import IDENTIFIER_OF_KIND, PLATFORMS, Kind, PlatformRules, RuleSet

WHITESPACE = "".join(ch for ch in map(chr, range(0x110000)) if ch.isspace())
"""Every character Python's `str.strip()` removes."""

LATIN_LETTERS = "".join(
    ch for ch in map(chr, range(0xC0, 0x180))
    if unicodedata.category(ch).startswith("L") and unicodedata.normalize("NFC", ch) == ch
    and len(ch.lower()) == 1 and ch != "\u0130"
)
"""Accented Latin letters (Polish ą ę ł ś ż and their neighbours) the fast path accepts before the @-sign."""

_ATEXT = r"a-zA-Z0-9_!#$%&'*+/=?^`{|}~"
_HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
PLAIN_LOCAL = rf"[{_ATEXT}{LATIN_LETTERS}-]+(?:\.[{_ATEXT}{LATIN_LETTERS}-]+)*"
PLAIN_EMAIL = rf"{PLAIN_LOCAL}@(?:{_HOST_LABEL}\.)+(?:[A-Za-z0-9][A-Za-z0-9-]*)?[A-Za-z]"
"""Addresses email-validator accepts unchanged but for the domain's case (given the checks beside it)."""
SIMPLE_TEXT = rf"[ !#-;=?-~{LATIN_LETTERS}]*"
"""Text without quotes or angle brackets, whose rejection reasons the fast path can tell (see `_email_sql`)."""
PLAIN_PHONE = r"\+?[0-9 ()-]{1,40}"
"""Numbers written with digits and the separators phonenumbers simply drops."""
MAID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
SHA256_HEX = r"[0-9a-fA-F]{64}"

_MIN_NSN, _MAX_NSN = 2, 17
"""phonenumbers' bounds on a national significant number."""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _in_list(values: list[str] | tuple[str, ...] | frozenset[str]) -> str:
    return "(" + ", ".join(_literal(v) for v in sorted(values)) + ")"


def _trimmed(raw: str) -> str:
    """SQL for Python's `raw.strip()` (the full trim only where an end is not a visible ASCII character)."""
    return (f"CASE WHEN {raw}[1] BETWEEN '!' AND '~' AND {raw}[-1] BETWEEN '!' AND '~' THEN {raw}"
            f" ELSE trim({raw}, {_literal(WHITESPACE)}) END")


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"preserve_insertion_order": True})
    con.execute("SET memory_limit = '2GB'")
    return con


def _as_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], pa.string())
    return values.cast(pa.string())


def _email_sql(table: str) -> str:
    """A query over `table(i, raw)` giving (i, value, reason), NULL in both where the reference decides."""
    special = _literal(r"(?:^|\.)(?:" + "|".join(map(re.escape, email_validator.SPECIAL_USE_DOMAIN_NAMES)) + ")$")
    return f"""
SELECT i, CASE WHEN plain THEN lower(t) END AS value,
       CASE WHEN t = '' THEN {_literal(reasons.EMPTY)}
            WHEN plain OR NOT regexp_full_match(t, {_literal(SIMPLE_TEXT)}) THEN NULL
            WHEN NOT contains(t, '@') THEN {_literal(reasons.EMAIL_NO_AT)}
            WHEN NOT regexp_full_match(local, {_literal(PLAIN_LOCAL)}) THEN {_literal(reasons.EMAIL_SYNTAX)}
            WHEN regexp_full_match(domain, '[a-z0-9-]{{0,63}}') THEN {_literal(reasons.EMAIL_SYNTAX)} END AS reason
FROM (
  SELECT *, strlen(t) <= 254 AND regexp_full_match(t, {_literal(PLAIN_EMAIL)})
            AND NOT regexp_matches(domain, '(?:^|\\.)[^.]{{2}}--|[^.]{{64}}')
            AND NOT regexp_matches(domain, {special}) AS plain
  FROM (SELECT i, t, split_part(t, '@', 1) AS local, lower(substr(t, strpos(t, '@') + 1)) AS domain
        FROM (SELECT i, {_trimmed("raw")} AS t FROM {table})))"""


def _maid_sql(raw: str) -> tuple[str, str]:
    """SQL for (canonical, reason) of an advertising-ID column; non-ASCII values go to the reference."""
    t = f"lower({_trimmed(raw)})"
    ascii_ = f"strlen({t}) = length({t})"
    value = f"CASE WHEN {ascii_} AND regexp_full_match({t}, '{MAID}') AND {t} <> '{'-'.join(['0' * 8, '0' * 4, '0' * 4, '0' * 4, '0' * 12])}' THEN {t} END"
    reason = (
        f"CASE WHEN {t} = '' THEN {_literal(reasons.EMPTY)}"
        f" WHEN NOT {ascii_} THEN NULL"
        f" WHEN NOT regexp_full_match({t}, '{MAID}') THEN {_literal(reasons.MAID_FORMAT)}"
        f" WHEN {t} = '00000000-0000-0000-0000-000000000000' THEN {_literal(reasons.MAID_ZERO)} END"
    )
    return value, reason


def _phone_sql(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """A query over `table(i, raw, region)` giving (i, value, reason), NULL in both where the reference decides."""
    regions = fast_regions()
    con.register("country_codes", pa.table({
        "code": [code for group in country_codes_by_length().values() for code in group]}))
    con.register("fast_regions", pa.table({
        "region": [p.region for p in regions.values()],
        "code": [p.country_code for p in regions.values()],
        "takes_national": [p.takes_national for p in regions.values()],
    }))
    con.execute(f"""
CREATE OR REPLACE TEMP TABLE shaped AS
SELECT i, region, t, regexp_full_match(s, {_literal(PLAIN_PHONE)}) AS plain, starts_with(s, '+') AS plus,
       regexp_replace(s, '[^0-9]', '', 'g') AS d
FROM (SELECT i, region, t, CASE WHEN starts_with(t, '00') THEN '+' || substr(t, 3) ELSE t END AS s
      FROM (SELECT i, region, {_trimmed("raw")} AS t FROM {table}))""")
    con.execute("""
CREATE OR REPLACE TEMP TABLE located AS
SELECT s.i, s.plus, s.d, coalesce(r.region, n.region) AS home
FROM shaped s
LEFT JOIN country_codes c1 ON s.plus AND c1.code = substr(s.d, 1, 1)
LEFT JOIN country_codes c2 ON s.plus AND c2.code = substr(s.d, 1, 2)
LEFT JOIN country_codes c3 ON s.plus AND c3.code = substr(s.d, 1, 3)
LEFT JOIN fast_regions r ON r.code = coalesce(c1.code, c2.code, c3.code)
LEFT JOIN fast_regions n ON NOT s.plus AND n.takes_national AND n.region = s.region
WHERE s.plain AND length(s.d) >= 3 AND coalesce(r.region, n.region) IS NOT NULL""")
    con.execute("CREATE OR REPLACE TEMP TABLE parsed (i BIGINT, value VARCHAR, reason VARCHAR)")
    homes = [home for (home,) in con.execute("SELECT DISTINCT home FROM located ORDER BY home").fetchall()]
    for home in homes:
        con.execute(_parse_in_region_sql(regions[home]), [home])
    con.unregister("country_codes")
    con.unregister("fast_regions")
    return f"""SELECT s.i, p.value, CASE WHEN s.t = '' THEN {_literal(reasons.EMPTY)} ELSE p.reason END AS reason
               FROM shaped s LEFT JOIN parsed p USING (i)"""


def _parse_in_region_sql(p: RegionPatterns) -> str:
    """INSERT the parse of the located numbers of one region: E.164 or the reason, where it is this simple."""
    rest = f"substr(d, {len(p.country_code) + 1})"

    def general(column: str) -> str:
        return f"regexp_full_match({column}, {_literal(p.general_pattern)})"

    local = (f" AND length(d) NOT IN ({', '.join(map(str, p.general_local_lengths))})"
             if p.general_local_lengths else "")
    takes_code = (f"starts_with(d, {_literal(p.country_code)}) AND ((NOT {general('d')} AND "
                  f"{general(rest)}) OR (length(d) > {p.general_max_length}{local}))")
    national = f"CASE WHEN {takes_code} THEN {rest} ELSE d END" if p.takes_national else "NULL"
    plus_ok = (f"NOT regexp_matches(n, {_literal('^(?:' + p.national_prefix_for_parsing + ')')})"
               if p.national_prefix_for_parsing else "true")
    national_ok = (f"NOT regexp_matches(d, {_literal('^(?:' + p.international_prefix + ')')})"
                   if p.international_prefix else "true")
    return f"""
INSERT INTO parsed
SELECT i,
       CASE WHEN length(n) BETWEEN {_MIN_NSN} AND {_MAX_NSN} AND {p.valid_sql("n")}
            THEN {_literal("+" + p.country_code)} || n END,
       CASE WHEN length(n) < {_MIN_NSN} THEN {_literal(reasons.PHONE_TOO_SHORT)}
            WHEN length(n) > {_MAX_NSN} THEN {_literal(reasons.PHONE_TOO_LONG)}
            WHEN NOT {p.valid_sql("n")} THEN {_literal(reasons.PHONE_INVALID)} END
FROM (SELECT i, plus, d, CASE WHEN plus THEN {rest} ELSE {national} END AS n FROM located WHERE home = ?)
WHERE CASE WHEN plus THEN {plus_ok} ELSE {national_ok} END"""


@dataclass(frozen=True, slots=True)
class Canonical:
    """A canonical column aligned with its input: the value, or the reason there is none (both null if absent)."""

    values: pa.Array
    reasons: pa.Array


def _decide(con: duckdb.DuckDBPyConnection, table: str, query: str,
            reference: Callable[[str, str | None], Outcome]) -> Canonical:
    """Run the SQL fast path, hand the undecided values to the reference once each, and align the results."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE decided AS {query}")
    pending = con.execute(
        f"SELECT DISTINCT src.raw, src.region FROM {table} src JOIN decided USING (i)"
        " WHERE src.raw IS NOT NULL AND decided.value IS NULL AND decided.reason IS NULL"
    ).fetchall()
    outcomes = [reference(raw, region) for raw, region in pending]
    slow = pa.table({
        "raw": pa.array([raw for raw, _ in pending], pa.string()),
        "region": pa.array([region for _, region in pending], pa.string()),
        "value": pa.array([o.value for o in outcomes], pa.string()),
        "reason": pa.array([o.reason for o in outcomes], pa.string()),
    })
    con.register("slow", slow)
    result = con.sql(
        f"""SELECT coalesce(d.value, slow.value) AS value, coalesce(d.reason, slow.reason) AS reason
            FROM decided d JOIN {table} src USING (i)
            LEFT JOIN slow ON src.raw = slow.raw AND src.region = slow.region
            ORDER BY d.i"""
    ).to_arrow_table()
    con.unregister("slow")
    return Canonical(result.column("value").combine_chunks(), result.column("reason").combine_chunks())


def _load(con: duckdb.DuckDBPyConnection, raw: pa.Array, region: pa.Array | None = None) -> str:
    columns = {"i": pa.array(range(len(raw)), pa.int64()), "raw": _as_array(raw)}
    columns["region"] = _as_array(region) if region is not None else pa.array([""] * len(raw), pa.string())
    con.register("src_arrow", pa.table(columns))
    con.execute("CREATE OR REPLACE TEMP TABLE src AS SELECT * FROM src_arrow")
    con.unregister("src_arrow")
    return "src"


def canonical_email_column(raw: pa.Array | pa.ChunkedArray) -> Canonical:
    """Canonical emails for a column of raw values (null in, null out)."""
    with _connect() as con:
        table = _load(con, raw)
        return _decide(con, table, _email_sql(table), lambda r, _: canonical_email(r))


def _regions(country: pa.Array | pa.ChunkedArray | None, size: int, default_region: str) -> pa.Array:
    """The phone region of every record: its country where phonenumbers knows it, else the default."""
    if default_region not in phonenumbers.SUPPORTED_REGIONS:
        raise InputError(f"default region {default_region!r} is not a region phonenumbers knows; use an ISO "
                         "3166-1 alpha-2 code such as PL")
    if country is None:
        return pa.array([default_region] * size, pa.string())
    country = _as_array(country)
    dictionary = country.dictionary_encode()
    names = [phone_region(c, default_region) for c in dictionary.dictionary.to_pylist()]
    indices = dictionary.indices.fill_null(len(names))
    return pa.array(names + [default_region], pa.string()).take(indices)


def canonical_phone_column(raw: pa.Array | pa.ChunkedArray, country: pa.Array | pa.ChunkedArray | None = None,
                           default_region: str = "PL") -> Canonical:
    """E.164 numbers for a column of raw values, each parsed in its record's region (null in, null out)."""
    regions = _regions(country, len(raw), default_region)
    with _connect() as con:
        table = _load(con, raw, regions)
        return _decide(con, table, _phone_sql(con, table),
                       lambda r, region: canonical_phone(r, region, default_region))


def canonical_maid_column(raw: pa.Array | pa.ChunkedArray) -> Canonical:
    """Canonical advertising IDs for a column of raw values (null in, null out)."""
    with _connect() as con:
        table = _load(con, raw)
        value, reason = _maid_sql("raw")
        query = f"SELECT i, {value} AS value, {reason} AS reason FROM {table}"
        return _decide(con, table, query, lambda r, _: canonical_maid(r))


@dataclass(frozen=True, slots=True)
class Normalised:
    """One batch of customers, normalised and hashed for every platform."""

    identifiers: pa.Table
    """customer_id, source_row, identifier, platform, id_type, value (what the platform receives), sha256."""
    rejections: pa.Table
    """source_row, column, platform (null: every platform), reason."""
    keys: pa.Table
    """customer_id, email (canonical), phone (E.164): the keys suppressions match on."""


PREHASHABLE: frozenset[str] = frozenset({"email", "phone"})
"""Columns a source may declare pre-hashed (device IDs go to Google and Meta unhashed, so they must be raw)."""


def _local_cut(column: str) -> str:
    return f"replace(split_part(split_part({column}, '@', 1), '+', 1), '.', '')"


def _email_string(rules: PlatformRules, column: str) -> str:
    """SQL for the platform's email string from a canonical email (NULL where nothing is left to send)."""
    cut = f"CASE WHEN {_local_cut(column)} <> '' THEN {_local_cut(column)} || '@' || split_part({column}, '@', 2) END"
    if rules.email_cut_domains is None:
        return cut
    if not rules.email_cut_domains:
        return column
    return f"CASE WHEN split_part({column}, '@', 2) IN {_in_list(rules.email_cut_domains)} THEN {cut} ELSE {column} END"


def _check_prehashed(con: duckdb.DuckDBPyConnection, column: str, declared: bool) -> None:
    """Refuse hash-looking values in a raw column, and anything else in a pre-hashed one."""
    looks = f"regexp_full_match({_trimmed(column)}, '{SHA256_HEX}')"
    condition = f"NOT {looks}" if declared else looks
    rows = con.execute(
        f"SELECT source_row FROM batch WHERE {column} IS NOT NULL AND {condition} ORDER BY source_row LIMIT 6"
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
        raise InputError(f"only {sorted(PREHASHABLE)} may be declared pre-hashed, not {sorted(prehashed - PREHASHABLE)}: "
                         "Google and Meta take device IDs unhashed")
    with _connect() as con:
        con.register("batch_arrow", table)
        con.execute("CREATE TEMP TABLE batch AS SELECT * FROM batch_arrow")
        con.unregister("batch_arrow")
        for column in ("email", "phone"):
            _check_prehashed(con, column, column in prehashed)
    email = (None if "email" in prehashed else canonical_email_column(table.column("email")))
    phone = (None if "phone" in prehashed else
             canonical_phone_column(table.column("phone"), table.column("country"), rules.default_region))
    maid = canonical_maid_column(table.column("device_id"))
    with _connect() as con:
        con.register("canon", pa.table({
            "customer_id": table.column("customer_id"),
            "source_row": table.column("source_row"),
            "device_os": table.column("device_os"),
            "email": email.values if email else pa.nulls(len(table), pa.string()),
            "email_reason": email.reasons if email else pa.nulls(len(table), pa.string()),
            "email_hash": (table.column("email") if not email else pa.nulls(len(table), pa.string())),
            "phone": phone.values if phone else pa.nulls(len(table), pa.string()),
            "phone_reason": phone.reasons if phone else pa.nulls(len(table), pa.string()),
            "phone_hash": (table.column("phone") if not phone else pa.nulls(len(table), pa.string())),
            "device_id": maid.values,
            "device_id_reason": maid.reasons,
        }))
        con.execute(f"""CREATE TEMP TABLE c AS
            SELECT *, sha256(email) AS email_sha, sha256(phone) AS phone_plus_sha,
                      sha256(substr(phone, 2)) AS phone_digits_sha, sha256(device_id) AS device_sha,
                      lower({_trimmed('email_hash')}) AS email_given, lower({_trimmed('phone_hash')}) AS phone_given,
                      CASE lower({_trimmed('device_os')}) WHEN 'ios' THEN 'ios' WHEN 'android' THEN 'android'
                           ELSE 'unknown' END AS os
            FROM canon""")
        con.unregister("canon")
        strings = ", ".join(f"{_email_string(rules.platform(p), 'email')} AS email_{p}" for p in PLATFORMS)
        hashes = ", ".join(f"CASE WHEN email_{p} = email THEN email_sha ELSE sha256(email_{p}) END AS email_sha_{p}"
                           for p in PLATFORMS)
        con.execute(f"CREATE TEMP TABLE e AS SELECT *, {hashes} FROM (SELECT *, {strings} FROM c)")
        selects, rejects = [], []
        for platform in PLATFORMS:
            p = rules.platform(platform)
            name = _literal(platform)
            selects.append(f"""
                SELECT customer_id, source_row, 'email' AS identifier, {name} AS platform,
                       {_literal(p.id_types['email'])} AS id_type,
                       coalesce(email_given, email_sha_{platform}) AS value,
                       coalesce(email_given, email_sha_{platform}) AS sha256
                FROM e WHERE email_{platform} IS NOT NULL OR email_given IS NOT NULL""")
            rejects.append(f"""
                SELECT source_row, 'email' AS "column", {name} AS platform,
                       {_literal(reasons.EMAIL_EMPTY_AFTER_CUT)} AS reason
                FROM e WHERE email IS NOT NULL AND email_{platform} IS NULL""")
            phone_sha = "phone_plus_sha" if p.phone_plus else "phone_digits_sha"
            selects.append(f"""
                SELECT customer_id, source_row, 'phone', {name}, {_literal(p.id_types['phone'])},
                       coalesce(phone_given, {phone_sha}), coalesce(phone_given, {phone_sha})
                FROM e WHERE phone IS NOT NULL OR phone_given IS NOT NULL""")
            os_types = " ".join(f"WHEN {_literal(os)} THEN {_literal(t)}" for os, t in p.id_types.items()
                                if os in ("ios", "android", "unknown"))
            selects.append(f"""
                SELECT customer_id, source_row, 'device_id', {name}, CASE os {os_types} END,
                       {'device_sha' if p.maid_hashed else 'device_id'}, device_sha
                FROM e WHERE device_id IS NOT NULL""")
        identifiers = con.sql(" UNION ALL ".join(selects)).to_arrow_table()
        rejections = con.sql(" UNION ALL ".join([
            *(f"""SELECT source_row, {_literal(col)} AS "column", NULL::VARCHAR AS platform, {col}_reason AS reason
                  FROM e WHERE {col}_reason IS NOT NULL""" for col in ("email", "phone", "device_id")),
            *rejects,
        ]) + " ORDER BY source_row, \"column\", platform NULLS FIRST").to_arrow_table()
        keys = con.sql("SELECT customer_id, email, phone FROM e").to_arrow_table()
    return Normalised(identifiers, rejections, keys)


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
        "email": _email_string(p, "v"),
        "phone": "v" if p.phone_plus else "substr(v, 2)",
        "maid": "v",
    }[kind]
    with _connect() as con:
        con.register("canon", pa.table({"v": canonical.values, "r": canonical.reasons}))
        result = con.sql(f"""
            SELECT s AS normalized, sha256(s) AS sha256,
                   CASE WHEN v IS NOT NULL AND s IS NULL THEN {_literal(reasons.EMAIL_EMPTY_AFTER_CUT)} ELSE r END AS reason
            FROM (SELECT row_number() OVER () AS i, v, r, {derive} AS s FROM canon) ORDER BY i""").to_arrow_table()
        con.unregister("canon")
    return result
