"""The patterns phonenumbers itself carries, turned into SQL for the regions the column path parses itself.

A region qualifies when its national prefix, if any, is a plain pattern without captured carrier codes or rewrite
rules (PL, CZ, DE, UA, FR, GB, US, …): for a number written with only digits,
spaces, dashes and parentheses, phonenumbers' parse then reduces to "take the digits, maybe split off the country
code, maybe strip the national prefix", and its validity check to the region's number patterns and lengths.
Everything else goes to phonenumbers itself.
"""

import re
from dataclasses import dataclass
from functools import cache

import phonenumbers
from phonenumbers.phonemetadata import PhoneMetadata
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

TYPE_DESCS = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
              "fixed_line", "mobile")
"""The number types whose match makes a number valid (phonenumbers' `_number_type_helper`)."""


@dataclass(frozen=True, slots=True)
class RegionPatterns:
    """One region's parse and validity rules, as SQL over a column of national significant numbers."""

    region: str
    country_code: str
    national_prefix_for_parsing: str | None
    """A plain pattern (no capture groups, no rewrite rule), or None when the region strips no prefix."""
    international_prefix: str | None
    general_pattern: str
    general_lengths: tuple[int, ...]
    general_local_lengths: tuple[int, ...]

    def valid_sql(self, column: str) -> str:
        """SQL that is true exactly when phonenumbers calls a number of this country code with `column` valid."""
        return valid_for_code_sql(self.country_code, column)


def literal(text: str) -> str:
    """A SQL string literal of `text`."""
    return "'" + text.replace("'", "''") + "'"


def _desc_sql(pattern: str, lengths: tuple[int, ...], column: str) -> str:
    length_test = f"strlen({column}) IN ({', '.join(map(str, lengths))}) AND " if lengths else ""
    return f"({length_test}regexp_full_match({column}, {literal(pattern)}))"


@cache
def valid_for_code_sql(code: str, column: str) -> str:
    """SQL for phonenumbers' `is_valid_number`: the number's region by leading digits or patterns, then its types."""
    regions = COUNTRY_CODE_TO_REGION_CODE[int(code)]
    if len(regions) == 1:
        return _valid_in_region_sql(regions[0], column)
    whens = []
    for region in regions:
        metadata = PhoneMetadata.metadata_for_region(region)
        if metadata is None:
            continue
        if metadata.leading_digits is not None:
            leading = literal(f"^(?:{metadata.leading_digits})")
            whens.append(f"WHEN regexp_matches({column}, {leading}) THEN {_valid_in_region_sql(region, column)}")
        else:
            whens.append(f"WHEN {_valid_in_region_sql(region, column)} THEN true")
    return f"(CASE {' '.join(whens)} ELSE false END)"


@cache
def _valid_in_region_sql(region: str, column: str) -> str:
    metadata = PhoneMetadata.metadata_for_region(region)
    general = metadata.general_desc
    by_lengths: dict[tuple[int, ...], list[str]] = {}
    for name in TYPE_DESCS:
        desc = getattr(metadata, name)
        if desc is None or not desc.national_number_pattern:
            continue
        lengths = tuple(desc.possible_length)
        if lengths == (-1,):
            continue
        by_lengths.setdefault(lengths, []).append(desc.national_number_pattern)
    if not by_lengths:
        return "false"
    types = " OR ".join(
        _desc_sql("|".join(f"(?:{p})" for p in patterns), lengths, column) for lengths, patterns in by_lengths.items()
    )
    return f"({_desc_sql(general.national_number_pattern, tuple(general.possible_length), column)} AND ({types}))"


@cache
def fast_regions() -> dict[str, RegionPatterns]:
    """The regions whose numbers the column path parses itself, by region code."""
    regions: dict[str, RegionPatterns] = {}
    for code, members in COUNTRY_CODE_TO_REGION_CODE.items():
        for region in members:
            metadata = PhoneMetadata.metadata_for_region(region)
            general = metadata.general_desc if metadata is not None else None
            if general is None or not general.national_number_pattern or not general.possible_length:
                continue
            if tuple(general.possible_length) == (-1,):
                continue
            prefix = metadata.national_prefix_for_parsing or None
            if prefix is not None and (metadata.national_prefix_transform_rule or re.search(r"\((?!\?)", prefix)):
                continue
            regions[region] = RegionPatterns(
                region=region,
                country_code=str(code),
                national_prefix_for_parsing=prefix,
                international_prefix=metadata.international_prefix,
                general_pattern=general.national_number_pattern,
                general_lengths=tuple(sorted(general.possible_length)),
                general_local_lengths=tuple(general.possible_length_local_only),
            )
    return regions


def main_regions() -> dict[str, str]:
    """The region whose rules parse `+cc…` numbers, by country code, for the codes the column path parses."""
    parsed = fast_regions()
    return {str(code): members[0] for code, members in COUNTRY_CODE_TO_REGION_CODE.items() if members[0] in parsed}


def country_codes_by_length() -> dict[int, tuple[str, ...]]:
    """Every country code phonenumbers knows, grouped by its number of digits."""
    grouped: dict[int, list[str]] = {}
    for code in COUNTRY_CODE_TO_REGION_CODE:
        grouped.setdefault(len(str(code)), []).append(str(code))
    return {length: tuple(sorted(codes)) for length, codes in sorted(grouped.items())}
