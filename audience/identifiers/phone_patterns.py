"""The patterns phonenumbers itself carries, turned into SQL for the regions the column path parses itself.

A region qualifies when its country code belongs to it alone and it has no national prefix to strip (PL, CZ, ES,
PT, …): for a number written with only digits, spaces, dashes and parentheses, phonenumbers' parse then reduces
to "take the digits, maybe split off the country code", and its validity check to the region's number patterns
and lengths. Everything else goes to phonenumbers itself.
"""

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
    takes_national: bool
    """National numbers of this region can be parsed here (no national prefix, no IDD look-alike handling)."""
    national_prefix_for_parsing: str | None
    international_prefix: str | None
    general_pattern: str
    general_max_length: int
    general_local_lengths: tuple[int, ...]

    def valid_sql(self, column: str) -> str:
        """SQL that is true exactly when phonenumbers calls `column` a valid national number of this region."""
        return _valid_sql(self.region, column)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _desc_sql(pattern: str, lengths: tuple[int, ...], column: str) -> str:
    length_test = f"length({column}) IN ({', '.join(map(str, lengths))}) AND " if lengths else ""
    return f"({length_test}regexp_full_match({column}, {_literal(pattern)}))"


@cache
def _valid_sql(region: str, column: str) -> str:
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
    """The regions whose numbers written in international form (`+cc…`) the column path parses itself."""
    regions: dict[str, RegionPatterns] = {}
    for code, members in COUNTRY_CODE_TO_REGION_CODE.items():
        if len(members) != 1 or members[0] == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
            continue
        region = members[0]
        metadata = PhoneMetadata.metadata_for_region(region)
        general = metadata.general_desc if metadata is not None else None
        if general is None or not general.national_number_pattern or not general.possible_length:
            continue
        if tuple(general.possible_length) == (-1,):
            continue
        regions[region] = RegionPatterns(
            region=region,
            country_code=str(code),
            takes_national=metadata.national_prefix_for_parsing is None and metadata.national_prefix is None,
            national_prefix_for_parsing=metadata.national_prefix_for_parsing,
            international_prefix=metadata.international_prefix,
            general_pattern=general.national_number_pattern,
            general_max_length=max(general.possible_length),
            general_local_lengths=tuple(general.possible_length_local_only),
        )
    return regions


def country_codes_by_length() -> dict[int, tuple[str, ...]]:
    """Every country code phonenumbers knows, grouped by its number of digits."""
    grouped: dict[int, list[str]] = {}
    for code in COUNTRY_CODE_TO_REGION_CODE:
        grouped.setdefault(len(str(code)), []).append(str(code))
    return {length: tuple(sorted(codes)) for length, codes in sorted(grouped.items())}
