"""Broken, hostile and random HTML through the cleaner: it returns an article or a rejection, never raises."""

from __future__ import annotations

import gzip

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ZYTE, flattened_seed
from wirehouse.models import CleanArticle
from wirehouse.tasks.clean import CleanJob, CleanOptions, Rejected, clean_html, clean_many

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TAGS = ["html", "head", "body", "title", "meta", "script", "style", "div", "p", "article", "main", "span", "a",
        "table", "tr", "td", "ul", "li", "h1", "h2", "blockquote", "time", "figure", "img", "br", "iframe", "svg"]
ATTRIBUTES = ["class", "id", "href", "content", "property", "name", "datetime", "itemprop", "type", "lang", "style"]
REAL_PAGES = [gzip.decompress(p.read_bytes()).decode("utf-8", "replace") for p in sorted(ZYTE.glob("html/*"))[:3]]
words = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)


@st.composite
def markup(draw: st.DrawFn, depth: int = 0) -> str:
    """Random nested markup: unclosed and mismatched tags, odd attributes, text in any script."""
    parts = []
    for _ in range(draw(st.integers(0, 6 if depth < 4 else 1))):
        kind = draw(st.sampled_from(["text", "element", "unclosed", "closer", "comment", "entity", "jsonld"]))
        tag = draw(st.sampled_from(TAGS))
        if kind == "text":
            parts.append(draw(words))
        elif kind == "element":
            names = draw(st.lists(st.sampled_from(ATTRIBUTES), max_size=3))
            attrs = " ".join(f'{name}="{draw(words)}"' for name in names)
            inner = draw(markup(depth + 1)) if depth < 4 else draw(words)
            parts.append(f"<{tag} {attrs}>{inner}</{tag}>")
        elif kind == "unclosed":
            parts.append(f"<{tag}>{draw(words)}")
        elif kind == "closer":
            parts.append(f"</{tag}>")
        elif kind == "comment":
            parts.append(f"<!-- {draw(words)} ")
        elif kind == "entity":
            parts.append(draw(st.sampled_from(["&amp;", "&#0;", "&#x110000;", "&bogus;", "&#9999999999;", "&"])))
        else:
            parts.append(f'<script type="application/ld+json">{draw(words)}</script>')
    return "".join(parts)


def assert_cleaned(outcome: object) -> None:
    assert isinstance(outcome, CleanArticle | Rejected)
    if isinstance(outcome, CleanArticle):
        assert len(outcome.block_kinds) == (len(outcome.text.split("\n\n")) if outcome.text else 0)


@FUZZ
@given(markup())
def test_random_markup_never_raises(html: str) -> None:
    assert_cleaned(clean_html(html, "https://news.example/2026/11/25/story"))


@FUZZ
@given(st.binary(max_size=4000))
def test_random_bytes_never_raise(body: bytes) -> None:
    assert_cleaned(clean_html(body, "https://news.example/story"))


@FUZZ
@given(data=st.data())
def test_mutated_real_pages_never_raise(data: st.DataObject, seed_text: str) -> None:
    """Slices of a real page cut, repeated and spliced with noise: truncated downloads, bad proxies."""
    page = data.draw(st.sampled_from([flattened_seed(seed_text), *REAL_PAGES]))
    for _ in range(data.draw(st.integers(1, 4))):
        start = data.draw(st.integers(0, len(page)))
        end = data.draw(st.integers(start, min(len(page), start + 5000)))
        noise = data.draw(st.sampled_from(["", "<", "</div>", "<p", "\x00", "\ufffd", page[start:end], "<![CDATA["]))
        page = page[:start] + noise + page[end:]
    assert_cleaned(clean_html(page, "https://news.example/story"))


@FUZZ
@given(st.sampled_from(["utf-8", "utf-16", "utf-16-le", "latin-1", "cp1252", "shift_jis", "koi8-r"]))
def test_wrong_encodings_never_raise(codec: str) -> None:
    body = "<html><head><meta charset='utf-8'><title>Überschrift – 見出し</title></head><body><p>" + (
        "Ein Satz mit Umlauten: äöü ß. " * 30) + "</p></body></html>"
    assert_cleaned(clean_html(body.encode(codec, "replace"), "https://news.example/story"))


def test_pathological_pages_are_cleaned_or_rejected_not_raised() -> None:
    deep = "<div>" * 100_000 + "text" + "</div>" * 100_000
    huge_attribute = f'<html><body><p class="{"x" * 3_000_000}">Hello there.</p></body></html>'
    many = "<html><body>" + "<span>a</span>" * 200_000 + "</body></html>"
    for page in (deep, huge_attribute):
        assert_cleaned(clean_html(page, "https://news.example/story"))
    assert clean_html(many, "https://news.example/story").reason.startswith("over_budget: ")
    assert clean_html("x" * 6_000_000, "https://news.example/story").reason.startswith("over_budget: ")


def test_time_budget_rejects_a_page_that_takes_too_long() -> None:
    page = "<html><body>" + "<p>A sentence of an ordinary paragraph. </p>" * 20_000 + "</body></html>"
    outcome = clean_html(page, "https://news.example/story", options=CleanOptions(time_budget=0.05))
    assert isinstance(outcome, Rejected) and outcome.reason.startswith("over_budget: cleaning took over 0.05 s")
    assert isinstance(clean_html(page, "https://news.example/story"), CleanArticle)  # the default budget suffices



def test_time_budget_holds_in_a_thread_by_cleaning_in_a_worker_process() -> None:
    """Prefect runs tasks in threads, where no timer signal arrives: the page goes to a worker process instead."""
    from concurrent.futures import ThreadPoolExecutor

    from wirehouse.parallel import WorkerPool

    slow = "<html><body>" + "<p>A sentence of an ordinary paragraph. </p>" * 20_000 + "</body></html>"
    quick = "<html><body><article><h1>Ferry</h1><p>" + "The ferry runs daily. " * 30 + "</p></article></body></html>"
    jobs = [CleanJob(slow, "https://news.example/slow"), CleanJob(quick, "https://news.example/quick")]
    pool = WorkerPool(1)  # one worker and a tiny batch: without a budget this batch would run in the thread
    try:
        with ThreadPoolExecutor(1) as thread:
            outcomes = thread.submit(lambda: list(clean_many(jobs, CleanOptions(time_budget=1.5), pool))).result()
    finally:
        pool.shutdown()
    assert isinstance(outcomes[0], Rejected) and outcomes[0].reason == "over_budget: cleaning took over 1.5 s"
    assert isinstance(outcomes[1], CleanArticle)
