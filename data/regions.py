"""Where sample customers live: the country mix and what each country implies for names and mail domains."""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from data.draws import Draws


@dataclass(frozen=True, slots=True)
class Country:
    """One value of the customers' `country` column and the habits that go with it."""

    code: str
    weight: float
    names: str
    mail: str
    phone_region: str


COUNTRIES: tuple[Country, ...] = (
    Country("PL", 90.0, "pl", "pl", "PL"),
    Country("", 3.0, "pl", "pl", "PL"),
    Country("UA", 2.6, "ua", "ua", "UA"),
    Country("DE", 1.3, "de", "de", "DE"),
    Country("GB", 0.8, "en", "en", "GB"),
    Country("CZ", 0.5, "cz", "cz", "CZ"),
    Country("US", 0.4, "en", "en", "US"),
    Country("SK", 0.3, "cz", "cz", "SK"),
    Country("LT", 0.3, "en", "en", "LT"),
    Country("NL", 0.25, "en", "en", "NL"),
    Country("FR", 0.2, "en", "en", "FR"),
    Country("IT", 0.2, "en", "en", "IT"),
    Country("NO", 0.15, "en", "en", "NO"),
    Country("IE", 0.1, "en", "en", "IE"),
    Country("ES", 0.1, "en", "en", "ES"),
)

HOME = 0
"""Index of Poland in COUNTRIES."""

COUNTRY_CODES = pa.array([c.code or None for c in COUNTRIES], type=pa.string())
"""The `country` cell of each entry of COUNTRIES (null for the customers without a country)."""


def customer_countries(d: Draws) -> np.ndarray:
    """An index into COUNTRIES per customer."""
    return d.pick("country", [c.weight for c in COUNTRIES])


def group_index(countries: np.ndarray, attribute: str, groups: tuple[str, ...]) -> np.ndarray:
    """Per customer, the position in groups of the country's names or mail group."""
    table = np.array([groups.index(getattr(c, attribute)) for c in COUNTRIES], dtype=np.int64)
    return table[countries]
