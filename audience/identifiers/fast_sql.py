"""The SQL fast paths of the column implementation: what DuckDB decides without the reference.

Common values are decided here: emails of plain shape (ASCII or accented Latin letters before the @-sign, an ASCII
domain), phone numbers written with digits, spaces, dashes and parentheses in regions whose rules
`phone_patterns` carries, and advertising IDs. Each adds a value and a reason column to its source (the phone path
in a table it creates), NULL in both where the scalar reference must decide.
"""

import re
import unicodedata

import duckdb
import email_validator
import pyarrow as pa

from audience.identifiers import reasons
from audience.identifiers.phone_patterns import (
    RegionPatterns,
    country_codes_by_length,
    fast_regions,
    literal,
    main_regions,
)
from audience.identifiers.reference import ZERO_MAID

WHITESPACE = "".join(ch for ch in map(chr, range(0x110000)) if ch.isspace())
"""Every character Python's `str.strip()` removes."""
_ENDS_WHITESPACE = literal("^{0}+|{0}+$".format("[" + "".join(rf"\x{{{ord(ch):x}}}" for ch in WHITESPACE) + "]"))
"""A regular expression (SQL) for the whitespace at either end of a text (DuckDB's `trim` with these characters
costs 20 times more)."""

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
PLAIN_HOST_REFUSED = r"@(?:[^.]*\.)*[^.]{2}--|@.*[^.]{64}"
"""In a `PLAIN_EMAIL`: a domain label of 64 characters or more, or with `--` as its third and fourth characters."""
SIMPLE_TEXT = rf"[ !#-;=?-~{LATIN_LETTERS}]*"
"""Text without quotes or angle brackets, whose rejection reasons the fast path can tell (see `email_columns`)."""
QUOTED_LOCAL = rf'"[ !#-\[\]-~{LATIN_LETTERS}]*"@[ !#-;=?-~{LATIN_LETTERS}]*'
"""A quoted part before the @-sign (email-validator refuses quoting before it looks at the domain)."""
PLAIN_PHONE = r"\(?\+?[0-9 ()-]{1,40}"
"""Numbers written with digits and the separators phonenumbers simply drops."""
MAID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

_MIN_NSN, _MAX_NSN = 2, 17
"""phonenumbers' bounds on a national significant number."""


def in_list(values: list[str] | tuple[str, ...] | frozenset[str]) -> str:
    return "(" + ", ".join(literal(v) for v in sorted(values)) + ")"


def trimmed(raw: str) -> str:
    """SQL for Python's `raw.strip()` (the full trim only where an end is not a visible ASCII character)."""
    return (f"CASE WHEN {raw}[1] BETWEEN '!' AND '~' AND {raw}[-1] BETWEEN '!' AND '~' THEN {raw}"
            f" ELSE regexp_replace({raw}, {_ENDS_WHITESPACE}, '', 'g') END")


def email_columns(source: str, raw: str) -> str:
    """`source` with `value` and `reason` added: the canonical email or why not, NULL in both where the
    reference must decide.

    Rejections are told here only where email-validator's order of checks fixes the reason: no @-sign; a quoted
    or malformed part before it (checked before the domain); a domain with a character no domain may hold, or no
    period (checked before its length and reserved names); a plain address whose domain is reserved.
    """
    # Case-blind on the whole text: the domain of an address `_plain` holds is ASCII and follows its only @-sign.
    special = literal(r"(?i)[@.](?:" + "|".join(map(re.escape, email_validator.SPECIAL_USE_DOMAIN_NAMES)) + ")$")
    syntax = literal(reasons.EMAIL_SYNTAX)
    domain = "lower(substr(_t, strpos(_t, '@') + 1))"
    return f"""
SELECT * EXCLUDE (_t, _plain),
       CASE WHEN _plain AND NOT regexp_matches(_t, {special}) THEN lower(_t) END AS value,
       CASE WHEN _t = '' THEN {literal(reasons.EMPTY)}
            WHEN _plain THEN CASE WHEN regexp_matches(_t, {special}) THEN {literal(reasons.EMAIL_SPECIAL_USE)} END
            WHEN regexp_full_match(_t, {literal(QUOTED_LOCAL)}) THEN {syntax}
            WHEN NOT regexp_full_match(_t, {literal(SIMPLE_TEXT)}) THEN NULL
            WHEN NOT contains(_t, '@') THEN {literal(reasons.EMAIL_NO_AT)}
            WHEN NOT regexp_full_match(split_part(_t, '@', 1), {literal(PLAIN_LOCAL)}) THEN {syntax}
            WHEN regexp_full_match({domain}, '[a-z0-9-]{{0,63}}') THEN {syntax}
            WHEN strlen({domain}) <= 253 AND regexp_matches({domain}, '[\x00-,/:-`{{-\x7f]') THEN {syntax} END
       AS reason
FROM (SELECT *, CASE WHEN strlen(_t) <= 254 AND regexp_full_match(_t, {literal(PLAIN_EMAIL)})
                     THEN NOT regexp_matches(_t, {literal(PLAIN_HOST_REFUSED)}) ELSE false END AS _plain
      FROM (SELECT *, {trimmed(raw)} AS _t FROM ({source})))"""


def maid_columns(source: str, raw: str) -> str:
    """`source` with `value` and `reason` added: the canonical advertising ID or why not; non-ASCII
    values are left to the reference."""
    return f"""
SELECT * EXCLUDE (_t, _ascii, _uuid), CASE WHEN _uuid AND _t <> {literal(ZERO_MAID)} THEN _t END AS value,
       CASE WHEN _t = '' THEN {literal(reasons.EMPTY)} WHEN NOT _ascii THEN NULL
            WHEN NOT _uuid THEN {literal(reasons.MAID_FORMAT)}
            WHEN _t = {literal(ZERO_MAID)} THEN {literal(reasons.MAID_ZERO)} END AS reason
FROM (SELECT *, strlen(_t) = length(_t) AS _ascii, strlen(_t) = length(_t) AND regexp_full_match(_t, '{MAID}') AS _uuid
      FROM (SELECT *, lower({trimmed(raw)}) AS _t FROM ({source})))"""


def _country_code_sql(digits: str) -> str:
    """SQL for the country code that `digits` (after a `+`) begin with, or NULL (country codes are prefix-free)."""
    whens = " ".join(f"WHEN substr({digits}, 1, {length}) IN {in_list(codes)} THEN substr({digits}, 1, {length})"
                     for length, codes in country_codes_by_length().items())
    return f"CASE {whens} END"


def _digits_sql(text: str) -> str:
    """SQL for the digits of a `PLAIN_PHONE` text (its other characters are separators)."""
    for separator in " ()-+":
        text = f"replace({text}, {literal(separator)}, '')"
    return text


def phone_columns(con: duckdb.DuckDBPyConnection, table: str, raw: str, into: str) -> None:
    """Create the table `into`: the rows of `table` (i, `raw`, region) with `value` and `reason` added, the E.164
    number or why not, NULL in both where the reference must decide.

    The parse runs region by region with each region's patterns as constants.
    """
    regions = fast_regions()
    homes = {f"+{code}": region for code, region in main_regions().items()} | {region: region for region in regions}
    con.register("phone_homes", pa.table({"key": list(homes), "home": list(homes.values())}))
    con.execute(f"""
CREATE OR REPLACE TEMP TABLE located AS
SELECT l.i, l.{raw}, l.region, l.t = '' AS empty, l.plus, l.d, h.home
FROM (SELECT *, CASE WHEN plus THEN '+' || {_country_code_sql('d')} ELSE region END AS key
      FROM (SELECT i, {raw}, region, t, plus, CASE WHEN plain THEN {_digits_sql('s')} END AS d
            FROM (SELECT *, regexp_full_match(s, {literal(PLAIN_PHONE)}) AS plain,
                         regexp_matches(s, '^\\(?\\+') AS plus
                  FROM (SELECT *, CASE WHEN starts_with(t, '00') THEN '+' || substr(t, 3) ELSE t END AS s
                        FROM (SELECT i, {raw}, region, {trimmed(raw)} AS t FROM {table} WHERE {raw} IS NOT NULL))))) l
LEFT JOIN phone_homes h ON h.key = l.key AND strlen(l.d) >= 3
ORDER BY h.home""")
    con.unregister("phone_homes")
    con.execute(f"""CREATE OR REPLACE TABLE {into} AS
                    SELECT i, {raw}, region, NULL::VARCHAR AS value, CASE WHEN empty THEN {literal(reasons.EMPTY)} END
                           AS reason
                    FROM located WHERE home IS NULL""")
    for (home,) in con.execute("SELECT DISTINCT home FROM located WHERE home IS NOT NULL ORDER BY home").fetchall():
        con.execute(parse_in_region_sql(regions[home], raw, into), [home])


def parse_in_region_sql(p: RegionPatterns, raw: str, into: str) -> str:
    """INSERT into `into` the parse of one region's located numbers: E.164 or the reason (phonenumbers' `parse`, step
    by step), both NULL for a number the reference must decide (an international prefix without `+`)."""
    lengths = ", ".join(map(str, p.general_lengths))
    local = ", ".join(map(str, p.general_local_lengths)) or "-1"
    prefix = literal(f"^(?:{p.national_prefix_for_parsing})") if p.national_prefix_for_parsing else None

    def general(column: str) -> str:
        return f"regexp_full_match({column}, {literal(p.general_pattern)})"

    def strip(column: str) -> str:
        if prefix is None:
            return column
        rest = f"substr({column}, strlen(regexp_extract({column}, {prefix})) + 1)"
        return (f"CASE WHEN regexp_matches({column}, {prefix}) AND NOT ({general(column)} AND NOT {general(rest)})"
                f" THEN {rest} ELSE {column} END")

    def possible(column: str) -> str:
        return (f"(strlen({column}) NOT IN ({local}) AND (strlen({column}) IN ({lengths})"
                f" OR strlen({column}) > {max(p.general_lengths)}))")

    too_long = f"(strlen(d) NOT IN ({local}) AND strlen(d) > {max(p.general_lengths)})"
    takes_code = (f"starts_with(d, {literal(p.country_code)}) AND ((NOT {general('d')} AND {general('code_cut')})"
                  f" OR {too_long})")
    not_idd = f"NOT regexp_matches(d, {literal('^(?:' + p.international_prefix + ')')})" if p.international_prefix else "true"
    return f"""
INSERT INTO {into}
SELECT i, {raw}, region, CASE WHEN decided AND reason IS NULL THEN {literal("+" + p.country_code)} || n END, reason
FROM (SELECT i, {raw}, region, n, decided,
             CASE WHEN NOT decided THEN NULL
                  WHEN strlen(x) < {_MIN_NSN} OR strlen(n) < {_MIN_NSN} THEN {literal(reasons.PHONE_TOO_SHORT)}
                  WHEN strlen(n) > {_MAX_NSN} THEN {literal(reasons.PHONE_TOO_LONG)}
                  WHEN {p.valid_sql("n")} THEN NULL ELSE {literal(reasons.PHONE_INVALID)} END AS reason
FROM (SELECT *, CASE WHEN {possible('stripped')} THEN stripped ELSE x END AS n
  FROM (SELECT *, {strip('x')} AS stripped
    FROM (SELECT i, {raw}, region, plus OR {not_idd} AS decided,
                 CASE WHEN plus THEN substr(d, {len(p.country_code) + 1})
                      WHEN {takes_code} THEN code_cut ELSE d END AS x
          FROM (SELECT *, {strip(f"substr(d, {len(p.country_code) + 1})")} AS code_cut
                FROM located WHERE home = ?)))))"""
