"""People's own email addresses, built from names, numbers and mail domains typical of their country.

An address is kept as indices into piece vocabularies (given names, surnames, number suffixes, +tags, domains), so
that any subset of rows can be spelled, or broken, cheaply.
"""

from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa

from data.columns import join
from data.draws import Draws
from data.regions import customer_countries, group_index
from data.vocabulary import (
    ASCII_FOLD,
    FEMALE_NAMES,
    GMAIL_DOMAINS,
    MAIL_DOMAINS,
    MALE_NAMES,
    NICKNAMES,
    PLUS_TAGS,
    SURNAMES,
    female_surname,
)

NAME_GROUPS = ("pl", "ua", "de", "cz", "en")
MAIL_GROUPS = tuple(MAIL_DOMAINS)

PATTERNS: tuple[tuple[str, str, str, float], ...] = (
    ("given", ".", "family", 30.0),
    ("given", "", "family", 14.0),
    ("given", "_", "family", 5.0),
    ("given_initial", ".", "family", 6.0),
    ("given_initial", "", "family", 7.0),
    ("family", ".", "given", 6.0),
    ("given", "-", "family", 3.0),
    ("family", "", "nothing", 4.0),
    ("given", ".", "family_initial", 3.0),
    ("family", "", "given", 4.0),
    ("family", "_", "given", 2.0),
)
"""Local-part shapes before the number suffix: (first piece, separator, second piece, weight)."""

NUMBER_KINDS = (2.0, 30.0, 25.0, 23.0, 20.0)
"""Number suffix after a full name: none, a birth year, two digits, 1–999, 1000–9999."""
SHORT_NUMBER_KINDS = (0.0, 0.0, 0.0, 40.0, 60.0)
"""Number suffix after a shape with an initial or a single name, which would otherwise be taken already."""

DIACRITICS_SHARE = 0.07
NICKNAME_SHARE = 0.08
GMAIL_DOTS_SHARE = 0.06
GMAIL_TAG_SHARE = 0.08

_PIECE_KINDS = ("given", "family", "given_initial", "family_initial", "nothing")
_SEPARATORS = ("", ".", "_", "-")


def _plain(name: str) -> str:
    return name.lower().replace(" ", "").translate(ASCII_FOLD)


def _native(name: str) -> str:
    return name.lower().replace(" ", "")


def _dotted(name: str) -> str:
    middle = max(1, len(name) // 2)
    return f"{_plain(name)[:middle]}.{_plain(name)[middle:]}"


def _by_bucket(masculine: dict[str, tuple[str, ...]], feminine: dict[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Names per (name group, gender) bucket, in NAME_GROUPS order, masculine first."""
    return [bucket for g in NAME_GROUPS for bucket in (masculine[g], feminine[g])]


_GIVEN_BUCKETS = _by_bucket(MALE_NAMES, FEMALE_NAMES)
_FAMILY_BUCKETS = _by_bucket(SURNAMES, {g: tuple(map(female_surname, SURNAMES[g])) if g == "pl" else SURNAMES[g]
                                        for g in SURNAMES})
_GIVEN = [name for bucket in _GIVEN_BUCKETS for name in bucket]
_FAMILY = [name for bucket in _FAMILY_BUCKETS for name in bucket]

GIVEN_FORMS = ("plain", "native", "dotted", "nickname")
_PIECES = pa.array(
    [_plain(n) for n in _GIVEN]
    + [_native(n) for n in _GIVEN]
    + [_dotted(n) for n in _GIVEN]
    + [NICKNAMES.get(n, _plain(n)) for n in _GIVEN]
    + [_plain(n)[0] for n in _GIVEN]
    + [_plain(n) for n in _FAMILY]
    + [_native(n) for n in _FAMILY]
    + [_plain(n)[0] for n in _FAMILY]
    + [""],
    pa.string(),
)
"""Every name piece: given names as plain, native (diacritics), dotted, nickname, then their initials; surnames as
plain, native, then their initials; and the empty piece."""
_GIVEN_INITIAL_AT = len(GIVEN_FORMS) * len(_GIVEN)
FAMILY_AT = _GIVEN_INITIAL_AT + len(_GIVEN)
_FAMILY_INITIAL_AT = FAMILY_AT + 2 * len(_FAMILY)
_NOTHING_AT = _FAMILY_INITIAL_AT + len(_FAMILY)

_BUCKET_SIZES = [np.array([len(b) for b in buckets]) for buckets in (_GIVEN_BUCKETS, _FAMILY_BUCKETS)]
_BUCKET_STARTS = [np.concatenate([[0], np.cumsum(sizes)[:-1]]) for sizes in _BUCKET_SIZES]

_NUMBER_TEXTS = [[""], [str(y) for y in range(1950, 2010)], [f"{k:02d}" for k in range(100)],
                 [str(k) for k in range(1, 1000)], [str(k) for k in range(1000, 10000)]]
_NUMBER_STARTS = np.cumsum([0] + [len(kind) for kind in _NUMBER_TEXTS[:-1]])
_NUMBER_SIZES = np.array([len(kind) for kind in _NUMBER_TEXTS])
_NUMBER_SEPARATORS = ("", ".", "_")
_NUMBERS = pa.array(
    [f"{sep}{n}" if n else "" for sep in _NUMBER_SEPARATORS for kind in _NUMBER_TEXTS for n in kind], pa.string()
)
"""Every number suffix, plain and after each of _NUMBER_SEPARATORS."""

TAGS = pa.array([""] + [f"+{tag}" for tag in PLUS_TAGS], pa.string())
DOMAINS = pa.array([domain for g in MAIL_GROUPS for domain, _ in MAIL_DOMAINS[g]], pa.string())
_DOMAIN_IS_GMAIL = np.array([domain in GMAIL_DOMAINS for g in MAIL_GROUPS for domain, _ in MAIL_DOMAINS[g]])
_DOMAIN_WEIGHTS = tuple(tuple(w for _, w in MAIL_DOMAINS[g]) for g in MAIL_GROUPS)
_SEPARATOR_TEXTS = pa.array(_SEPARATORS, pa.string())
_PATTERN_FIRST = np.array([_PIECE_KINDS.index(p[0]) for p in PATTERNS])
_PATTERN_SEPARATOR = np.array([_SEPARATORS.index(p[1]) for p in PATTERNS])
_PATTERN_SECOND = np.array([_PIECE_KINDS.index(p[2]) for p in PATTERNS])
_PATTERN_FULL_NAME = np.array([{p[0], p[2]} == {"given", "family"} for p in PATTERNS])


@dataclass(frozen=True, slots=True)
class Addresses:
    """Addresses as indices: the person's given name and surname, and the pieces their address is spelled with."""

    given: np.ndarray
    family: np.ndarray
    first: np.ndarray
    separator: np.ndarray
    second: np.ndarray
    number: np.ndarray
    tag: np.ndarray
    domain: np.ndarray

    def subset(self, mask: np.ndarray) -> "Addresses":
        """The addresses of the rows under mask."""
        return Addresses(*(getattr(self, f.name)[mask] for f in fields(self)))

    def replaced(self, mask: np.ndarray, other: "Addresses") -> "Addresses":
        """These addresses with the rows under mask taken, in order, from other."""
        columns = []
        for f in fields(self):
            column = getattr(self, f.name).copy()
            column[mask] = getattr(other, f.name)
            columns.append(column)
        return Addresses(*columns)

    def given_names(self) -> pa.Array:
        return _PIECES.take(self.given)

    def surnames(self) -> pa.Array:
        return _PIECES.take(FAMILY_AT + self.family)

    def local_parts(self) -> pa.Array:
        return join(_PIECES.take(self.first), _SEPARATOR_TEXTS.take(self.separator), _PIECES.take(self.second),
                    _NUMBERS.take(self.number), TAGS.take(self.tag))

    def domains(self) -> pa.Array:
        return DOMAINS.take(self.domain)

    def spelled(self) -> pa.Array:
        """The addresses as text, lower-case, without surrounding whitespace."""
        return join(self.local_parts(), "@", self.domains())


def _number_suffixes(d: Draws, pattern: np.ndarray) -> np.ndarray:
    full_name = _PATTERN_FULL_NAME[pattern]
    kind = np.where(full_name, d.pick("email.number", NUMBER_KINDS), d.pick("email.number", SHORT_NUMBER_KINDS))
    separator = d.pick("email.number_separator", (85.0, 10.0, 5.0))
    return separator * (len(_NUMBERS) // len(_NUMBER_SEPARATORS)) + _NUMBER_STARTS[kind] + d.below(
        "email.number_value", _NUMBER_SIZES[kind]
    )


def addresses(d: Draws) -> Addresses:
    """Each customer's own address."""
    countries = customer_countries(d)
    bucket = group_index(countries, "names", NAME_GROUPS) * 2 + d.chance("email.female", 0.5)
    given = _BUCKET_STARTS[0][bucket] + d.below("email.given", _BUCKET_SIZES[0][bucket])
    family = _BUCKET_STARTS[1][bucket] + d.below("email.family", _BUCKET_SIZES[1][bucket])
    domain = d.pick_within("email.domain", group_index(countries, "mail", MAIL_GROUPS), _DOMAIN_WEIGHTS)
    gmail = _DOMAIN_IS_GMAIL[domain]
    native = d.chance("email.diacritics", DIACRITICS_SHARE)
    given_form = native.astype(np.int64)
    given_form[d.chance("email.nickname", NICKNAME_SHARE)] = GIVEN_FORMS.index("nickname")
    given_form[gmail & d.chance("email.dots", GMAIL_DOTS_SHARE)] = GIVEN_FORMS.index("dotted")
    pieces = [
        given_form * len(_GIVEN) + given,
        FAMILY_AT + native * len(_FAMILY) + family,
        _GIVEN_INITIAL_AT + given,
        _FAMILY_INITIAL_AT + family,
        np.full(len(d), _NOTHING_AT),
    ]
    pattern = d.pick("email.pattern", [p[3] for p in PATTERNS])
    tagged = gmail & d.chance("email.tag", GMAIL_TAG_SHARE)
    return Addresses(
        given=given,
        family=family,
        first=np.choose(_PATTERN_FIRST[pattern], pieces),
        separator=_PATTERN_SEPARATOR[pattern],
        second=np.choose(_PATTERN_SECOND[pattern], pieces),
        number=_number_suffixes(d, pattern),
        tag=np.where(tagged, 1 + d.below("email.tag_word", len(PLUS_TAGS)), 0),
        domain=domain,
    )
