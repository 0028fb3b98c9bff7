"""Country names to ISO 3166 countries, with pycountry plus the spellings ICEWS uses.

A name matches pycountry's name, official name or common name, or an entry of
``ICEWS_SPELLINGS``, ignoring case, accents and punctuation (``fold``); there is
no fuzzy matching (``search_fuzzy`` would take "Hamas" for the Bahamas). A
country's display name is its short name: ``_SHORT_NAMES``, else pycountry's
common name, else its name (``Türkiye``, ``Iran``, ``Russia``, ``Palestine``).
ISO 3166-1 also lists dependent territories (Hong Kong, Bermuda...); they are
countries here too.

>>> find_country("Turkey").name, find_country("Occupied Palestinian Territory").alpha3
('Türkiye', 'PSE')
>>> find_country("Hamas") is None
True
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

import pycountry

from ..resolve import fold

__all__ = ["ICEWS_SPELLINGS", "Country", "find_country"]

# Country spellings of ICEWS (and common usage) that pycountry does not know.
ICEWS_SPELLINGS = {
    "Turkey": "TR",
    "Russia": "RU",
    "Macedonia": "MK",
    "Brunei": "BN",
    "Cape Verde": "CV",
    "Swaziland": "SZ",
    "Ivory Coast": "CI",
    "Democratic Republic of Congo": "CD",
    "Democratic Republic of the Congo": "CD",
    "Occupied Palestinian Territory": "PS",
    "Palestinian Territory, Occupied": "PS",
    "Palestine": "PS",
    "Holy See": "VA",
    "Vatican City": "VA",
    "Vatican City State": "VA",
    "Micronesia": "FM",
    "Czech Republic": "CZ",
    "Burma": "MM",
    "East Timor": "TL",
    "Britain": "GB",
    "Great Britain": "GB",
    "Kosovo": "XK",
}
# Short names where pycountry offers only a formal or inverted one ("Palestine, State of").
_SHORT_NAMES = {
    "BN": "Brunei",
    "CD": "Democratic Republic of the Congo",
    "FM": "Micronesia",
    "PS": "Palestine",
    "RU": "Russia",
    "VA": "Vatican City",
    "VG": "British Virgin Islands",
    "VI": "United States Virgin Islands",
}


class Country(NamedTuple):
    alpha2: str
    alpha3: str
    numeric: str | None
    name: str
    aliases: tuple[str, ...]


@cache
def _countries() -> tuple[dict[str, Country], dict[str, str]]:
    by_code: dict[str, Country] = {}
    for entry in pycountry.countries:
        names: list[str | None] = [getattr(entry, a, None) for a in ("name", "official_name", "common_name")]
        short = _SHORT_NAMES.get(entry.alpha_2) or names[2] or str(entry.name)
        aliases = [n.removeprefix("the ") for n in names if n] + [
            s for s, c in ICEWS_SPELLINGS.items() if c == entry.alpha_2
        ]
        by_code[entry.alpha_2] = Country(
            entry.alpha_2, entry.alpha_3, entry.numeric, short, tuple(a for a in dict.fromkeys(aliases) if a != short)
        )
    # Kosovo has no ISO 3166-1 code; XK / XKX are the user-assigned codes in common use.
    by_code["XK"] = Country("XK", "XKX", None, "Kosovo", ("Republic of Kosovo",))
    by_key = {fold(alias): code for code, country in by_code.items() for alias in (country.name, *country.aliases)}
    return by_code, by_key


def find_country(text: str) -> Country | None:
    """The country a name stands for, or None."""
    by_code, by_key = _countries()
    code = by_key.get(fold(text))
    return by_code[code] if code else None
