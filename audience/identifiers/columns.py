"""The whole-column implementation of the identifier contract, over Arrow arrays in DuckDB.

The SQL in `fast_sql` decides the common values; everything else is handed, de-duplicated, to the scalar
reference in `reference.py`, so both give the same answer for every input (the differential tests and the
benchmark's self-check hold them to it).
"""

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import numpy as np
import phonenumbers
import pyarrow as pa
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
from audience.identifiers.rules import PLATFORMS, Kind, PlatformRules, RuleSet

SHA256_HEX = r"[0-9a-fA-F]{64}"
PREHASHABLE: frozenset[str] = frozenset({"email", "phone"})
"""Columns a source may declare pre-hashed (device IDs go to Google and Meta unhashed, so they must be raw)."""

Reference = Callable[[str, str], Outcome]
_DIGEST = "unhex(sha256({}))"
"""SQL for the 32 bytes of a string's SHA-256."""


@dataclass(frozen=True, slots=True)
class Canonical:
    """A canonical column aligned with its input: the value, or the reason there is none (both null if absent)."""

    values: pa.Array
    reasons: pa.Array


@dataclass(frozen=True, slots=True)
class Normalised:
    """One batch of customers, normalised and hashed for every platform."""

    identifiers: pa.Table
    """customer_id, source_row, identifier, platform, id_type, sha256 (the 32 bytes of the platform string's SHA-256),
    unhashed (the platform string where the platform receives it unhashed, else null)."""
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


def _answers(con: duckdb.DuckDBPyConnection, table: str, raw: str, reference: Reference,
             region: str | None = None) -> str:
    """Hand the values the fast path left undecided in `table` to the reference, once each; returns the LEFT JOIN
    that puts its answers (`{raw}_answers.value`, `.reason`) beside the rows of `table` aliased `t`."""
    value, reason, where = f"{raw}_value", f"{raw}_reason", region or "''"
    pending = con.execute(
        f"SELECT DISTINCT {raw}, {where} FROM {table} WHERE {raw} IS NOT NULL AND {value} IS NULL AND {reason} IS NULL"
    ).fetchall()
    outcomes = [reference(text, area) for text, area in pending]
    name = f"{raw}_answers"
    con.register(name, pa.table({
        "raw": pa.array([text for text, _ in pending], pa.string()),
        "region": pa.array([area for _, area in pending], pa.string()),
        "value": pa.array([o.value for o in outcomes], pa.string()),
        "reason": pa.array([o.reason for o in outcomes], pa.string()),
    }))
    return f"LEFT JOIN {name} ON t.{raw} = {name}.raw" + (f" AND t.{region} = {name}.region" if region else "")


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
              WHERE {raw} IS NOT NULL AND {raw}_value IS NULL AND {raw}_reason IS NULL)
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
        UPDATE {table} SET {raw}_value = s.value, {raw}_reason = s.reason
        FROM (SELECT d.i, CASE WHEN a.value IS NOT NULL AND {fits} THEN lower(d.local) || '@' || a.value END AS value,
                     CASE WHEN a.value IS NULL THEN a.reason WHEN NOT {fits} THEN {literal(reasons.EMAIL_TOO_LONG)} END
                     AS reason
              FROM by_domain d JOIN domain_answers a USING (domain)) s
        WHERE {table}.i = s.i""")
    con.unregister("domain_answers")


def _filled(table: str, joins: dict[str, str]) -> str:
    """SQL reading `table` with the reference's answers (`_answers`) in the value and reason columns they fill.

    A value (with its region) is undecided on every row or on none, so an answer never meets a decided row."""
    if not joins:
        return f"SELECT * FROM {table}"
    replaced = ", ".join(f"coalesce(t.{raw}_value, {raw}_answers.value) AS {raw}_value, "
                         f"coalesce(t.{raw}_reason, {raw}_answers.reason) AS {raw}_reason" for raw in joins)
    return f"SELECT t.* REPLACE ({replaced}) FROM {table} t {' '.join(joins.values())}"


def _email_reference(raw: str, _: str) -> Outcome:
    return canonical_email(raw)


def _maid_reference(raw: str, _: str) -> Outcome:
    return canonical_maid(raw)


def _phone_reference(default_region: str) -> Reference:
    return lambda raw, region: canonical_phone(raw, region, default_region)


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


def _column(raw: pa.Array | pa.ChunkedArray, columns: Callable[[duckdb.DuckDBPyConnection], str],
            reference: Reference, region: pa.Array | None = None,
            settle: Callable[[duckdb.DuckDBPyConnection, str, str], None] | None = None) -> Canonical:
    with _connect() as con:
        raw = _string_array(raw)
        con.register("source", pa.table({
            "i": _positions(len(raw)),
            "raw": raw,
            "region": region if region is not None else pa.array([""] * len(raw), pa.string()),
        }))
        con.execute("CREATE TEMP TABLE base AS SELECT * FROM source")
        con.execute(f"CREATE TEMP TABLE decided AS {columns(con)}")
        if settle is not None:
            settle(con, "decided", "raw")
        joins = {"raw": _answers(con, "decided", "raw", reference, "region" if region is not None else None)}
        result = con.sql(f"SELECT raw_value, raw_reason FROM ({_filled('decided', joins)}) ORDER BY i").to_arrow_table()
    return Canonical(result.column(0).combine_chunks(), result.column(1).combine_chunks())


def canonical_email_column(raw: pa.Array | pa.ChunkedArray) -> Canonical:
    """Canonical emails for a column of raw values (null in, null out)."""
    return _column(raw, lambda _: email_columns("SELECT * FROM base", "raw"), _email_reference,
                   settle=_settle_by_domain)


def canonical_phone_column(raw: pa.Array | pa.ChunkedArray, country: pa.Array | pa.ChunkedArray | None = None,
                           default_region: str = "PL") -> Canonical:
    """E.164 numbers for a column of raw values, each parsed in its record's region (null in, null out)."""
    regions = _regions(country, len(raw), default_region)
    return _column(raw, lambda con: phone_columns(con, "base", "raw"), _phone_reference(default_region), regions)


def canonical_maid_column(raw: pa.Array | pa.ChunkedArray) -> Canonical:
    """Canonical advertising IDs for a column of raw values (null in, null out)."""
    return _column(raw, lambda _: maid_columns("SELECT * FROM base", "raw"), _maid_reference)


def _email_string_sql(rules: PlatformRules, column: str, cut: str, domain: str) -> str:
    """SQL for the platform's email string from a canonical email, given SQL for its cut local part (up to the
    first `+`, without dots) and its domain; NULL where nothing is left to send."""
    cut_email = f"CASE WHEN {cut} <> '' THEN {cut} || '@' || {domain} END"
    if rules.email_cut_domains is None:
        return cut_email
    if not rules.email_cut_domains:
        return column
    return f"CASE WHEN {domain} IN {in_list(rules.email_cut_domains)} THEN {cut_email} ELSE {column} END"


def _email_parts_sql(column: str) -> str:
    """SQL adding `email_cut` (local part up to the first `+`, without dots) and `email_domain` of a canonical email."""
    return (f"replace(split_part(split_part({column}, '@', 1), '+', 1), '.', '') AS email_cut, "
            f"split_part({column}, '@', 2) AS email_domain")


def _check_prehashed(con: duckdb.DuckDBPyConnection, column: str, declared: bool) -> None:
    """Refuse hash-looking values in a raw column, and anything else in a pre-hashed one."""
    looks = f"regexp_full_match({trimmed(column)}, '{SHA256_HEX}')"
    condition = f"NOT {looks}" if declared else f"strlen({column}) >= 64 AND {looks}"
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


def _platform_selects(rules: RuleSet) -> tuple[list[str], list[str]]:
    """Per platform and identifier: the rows of values sent, and the rows rejected for that platform only."""
    selects, rejects = [], []
    for platform in PLATFORMS:
        p = rules.platform(platform)
        name = literal(platform)
        selects.append(f"""
            SELECT customer_id, source_row, 'email' AS identifier, {name} AS platform,
                   {literal(p.id_types['email'])} AS id_type, coalesce(email_given, email_sha_{platform}) AS sha256,
                   NULL::VARCHAR AS unhashed
            FROM hashed WHERE email_{platform} IS NOT NULL OR email_given IS NOT NULL""")
        rejects.append(f"""
            SELECT source_row, 'email' AS "column", {name} AS platform,
                   {literal(reasons.EMAIL_EMPTY_AFTER_CUT)} AS reason
            FROM hashed WHERE email_value IS NOT NULL AND email_{platform} IS NULL""")
        phone_sha = "phone_plus_sha" if p.phone_plus else "phone_digits_sha"
        selects.append(f"""
            SELECT customer_id, source_row, 'phone', {name}, {literal(p.id_types['phone'])},
                   coalesce(phone_given, {phone_sha}), NULL
            FROM hashed WHERE phone_value IS NOT NULL OR phone_given IS NOT NULL""")
        os_types = " ".join(f"WHEN {literal(os)} THEN {literal(p.id_types[os])}" for os in ("ios", "android"))
        selects.append(f"""
            SELECT customer_id, source_row, 'device_id', {name},
                   CASE os {os_types} ELSE {literal(p.id_types['unknown'])} END,
                   device_sha, {'NULL' if p.maid_hashed else 'device_id_value'}
            FROM hashed WHERE device_id_value IS NOT NULL""")
    return selects, rejects


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
    with _connect() as con:
        con.register("batch_arrow", table.append_column("region", regions)
                     .append_column("i", _positions(table.num_rows)))
        con.execute("CREATE TEMP TABLE batch AS SELECT * FROM batch_arrow")
        con.unregister("batch_arrow")
        for column in PREHASHABLE:
            _check_prehashed(con, column, column in prehashed)
        if "phone" in prehashed:
            source = "SELECT *, NULL::VARCHAR AS phone_value, NULL::VARCHAR AS phone_reason FROM batch"
        else:
            source = phone_columns(con, "batch", "phone")
        if "email" in prehashed:
            source = f"SELECT *, NULL::VARCHAR AS email_value, NULL::VARCHAR AS email_reason FROM ({source})"
        else:
            source = email_columns(source, "email")
        con.execute(f"CREATE TEMP TABLE decided AS {maid_columns(source, 'device_id')}")
        if "email" not in prehashed:
            _settle_by_domain(con, "decided", "email")
        references = {"phone": (_phone_reference(rules.default_region), "region"), "email": (_email_reference, None),
                      "device_id": (_maid_reference, None)}
        joins = {raw: _answers(con, "decided", raw, reference, region)
                 for raw, (reference, region) in references.items() if raw not in prehashed}
        given = {kind: f"unhex({trimmed(kind)})" if kind in prehashed else "NULL::BLOB" for kind in PREHASHABLE}
        strings = ", ".join(f"{_email_string_sql(rules.platform(p), 'email_value', 'email_cut', 'email_domain')} "
                            f"AS email_{p}" for p in PLATFORMS)
        hashes = ", ".join(f"CASE WHEN email_{p} = email_value THEN email_sha ELSE {_DIGEST.format(f'email_{p}')} END"
                           f" AS email_sha_{p}" for p in PLATFORMS)
        con.execute(f"""
            CREATE TEMP TABLE hashed AS
            SELECT *, {hashes} FROM (
                SELECT i, customer_id, source_row, email_value, email_reason, phone_value, phone_reason,
                       device_id_value, device_id_reason, {strings},
                       {given['email']} AS email_given, {given['phone']} AS phone_given,
                       {_DIGEST.format('email_value')} AS email_sha, {_DIGEST.format('phone_value')} AS phone_plus_sha,
                       {_DIGEST.format('substr(phone_value, 2)')} AS phone_digits_sha,
                       {_DIGEST.format('device_id_value')} AS device_sha,
                       CASE lower({trimmed('device_os')}) WHEN 'ios' THEN 'ios' WHEN 'android' THEN 'android'
                            ELSE 'unknown' END AS os
                FROM (SELECT *, {_email_parts_sql('email_value')} FROM ({_filled("decided", joins)})))""")
        selects, rejects = _platform_selects(rules)
        identifiers = con.sql(" UNION ALL ".join(selects)).to_arrow_table()
        rejections = con.sql(" UNION ALL ".join([
            *(f"""SELECT source_row, {literal(col)} AS "column", NULL::VARCHAR AS platform, {col}_reason AS reason
                  FROM hashed WHERE {col}_reason IS NOT NULL""" for col in ("email", "phone", "device_id")),
            *rejects,
        ]) + ' ORDER BY source_row, "column", platform NULLS FIRST').to_arrow_table()
        keys = con.sql("SELECT customer_id, email_value AS email, phone_value AS phone FROM hashed ORDER BY i"
                       ).to_arrow_table()
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
        "email": _email_string_sql(p, "v", "email_cut", "email_domain"),
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
