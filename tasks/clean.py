"""Clean stage: HTML → CleanArticle (main text and metadata) or a rejection reason.

trafilatura extracts the main text and metadata; the boilerplate rules then remove the furniture it keeps.
Pure functions over bytes/str: no network, so stored pages can be cleaned again after an upgrade.
"""

from __future__ import annotations

import hashlib
import re
import signal
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import CancelledError, Executor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import py3langid
import trafilatura
from lxml.etree import _Element
from trafilatura.utils import load_html

from wirehouse.models import CleanArticle, FeedEntry
from wirehouse.parallel import WorkerPool
from wirehouse.tasks.authors import author_candidates, clean_authors
from wirehouse.tasks.boilerplate import DEFAULT_RULES, load_rules, strip_boilerplate
from wirehouse.tasks.dates import choose_dates, date_candidates
from wirehouse.tasks.gate import judge, page_signals
from wirehouse.tasks.identity import normalize_text
from wirehouse.tasks.neardup import signature, to_db
from wirehouse.tasks.page_meta import read_page_meta
from wirehouse.tasks.templates import template_hash

EXTRACTOR = f"trafilatura {trafilatura.__version__}"
_WS = re.compile(r"\s+")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TITLE_SEPARATORS = re.compile(r"\s+[-|–—:•·»]\s+")
HEADLINE_WINDOW = 8  # blocks from the top where the headline may stand
# trafilatura's output elements that start a block, and the kind of block each makes
_BLOCK_KINDS = {"p": "p", "div": "p", "head": "heading", "quote": "quote", "list": "item", "item": "item",
                "table": "table", "row": "table", "cell": "table", "code": "code"}
_CONTAINER_KINDS = {"quote", "table", "code"}  # their nested paragraphs keep the container's kind


@dataclass(frozen=True, slots=True)
class Rejected:
    reason: str


@dataclass(frozen=True, slots=True)
class CleanOptions:
    """How a page is cleaned; picklable, so worker processes get the same options."""

    min_text_chars: int = 0
    rules_path: Path | None = None
    max_bytes: int = 5_000_000  # decoded characters; larger pages are skipped, not parsed
    max_elements: int = 150_000  # a parsed tree this large is a data dump or an attack, not an article page
    time_budget: float = 20.0  # seconds per page; 0 turns the budget off

    @classmethod
    def from_settings(cls, settings: object, **overrides: object) -> CleanOptions:
        fields = {"min_text_chars": settings.min_text_chars, "rules_path": settings.boilerplate_rules,
                  "max_bytes": settings.max_clean_bytes, "max_elements": settings.max_clean_elements,
                  "time_budget": settings.clean_time_budget}
        return cls(**(fields | overrides))


# The code and data that decide what a page becomes: a change to any of them is a new cleaner (re-extract).
CLEANER_SOURCES = ("clean.py", "boilerplate.py", "boilerplate.toml", "gate.py", "dates.py", "authors.py",
                   "page_meta.py", "templates.py", "charset.py", "sniff.py", "pages.py")


def cleaner_version(options: CleanOptions) -> str:
    """trafilatura's version, then a hash of our cleaning code, its rules and the options (the rules file given
    in settings included): what a re-extract backfill is keyed by."""
    digest = hashlib.sha256(repr(options).encode())
    here = Path(__file__).parent
    for path in (*(here / name for name in CLEANER_SOURCES), options.rules_path or DEFAULT_RULES):
        digest.update(Path(path).read_bytes())
    return f"{EXTRACTOR}/{digest.hexdigest()[:12]}"


@dataclass(frozen=True, slots=True)
class CleanJob:
    """One page to clean, with what the pipeline knows about it."""

    html: str | bytes
    url: str
    entry: FeedEntry | None = None
    source: str = "page"  # "page", or "feed" when the html is the feed's own content
    access_status: str = "ok"  # tasks.sniff's verdict on the response
    fetched_at: datetime | None = None
    template: frozenset[int] = frozenset()  # the site's learned template block hashes


class Block(NamedTuple):
    kind: str  # p | heading | quote | item | table | code
    text: str


class _OverBudget(BaseException):
    """Raised by the page timer; a BaseException so that no `except Exception` inside trafilatura swallows it."""


def _blocks(body: _Element) -> list[Block]:
    """Paragraph-level blocks of trafilatura's output tree, with their kind.

    Text directly inside a container (a table cell holding paragraphs, say) becomes its own block, cut at
    every nested block, so paragraphs are never glued together or counted twice.
    """
    blocks: list[Block] = []
    pending: list[str] = []

    def flush(kind: str) -> None:
        text = _WS.sub(" ", "".join(pending)).strip()
        if text:
            blocks.append(Block(kind, text))
        pending.clear()

    def walk(element: _Element, kind: str) -> None:
        pending.append(element.text or "")
        for child in element:
            if child.tag in _BLOCK_KINDS:
                flush(kind)
                child_kind = kind if kind in _CONTAINER_KINDS else _BLOCK_KINDS[child.tag]
                walk(child, child_kind)
                flush(child_kind)
            else:  # inline markup (hi, ref, lb, ...) stays inside the current block
                pending.append(" " if child.tag == "lb" else "".join(child.itertext()))
            pending.append(child.tail or "")

    walk(body, "p")
    flush("p")
    return blocks


def _same_text(a: str | None, b: str | None) -> bool:
    return bool(a and b) and normalize_text(a) == normalize_text(b)


def canonical_url(declared: str | None, fetched: str) -> str:
    """The page's own canonical URL when it is believable: same host, and not the site's front page.

    Pages that declare their home page as canonical, or another site's URL, would otherwise overwrite
    each other's articles.
    """
    if not declared:
        return fetched
    declared_parts, fetched_parts = urlsplit(urljoin(fetched, declared)), urlsplit(fetched)
    same_host = (declared_parts.hostname or "").removeprefix("www.") == (fetched_parts.hostname or "").removeprefix(
        "www."
    )
    if same_host and declared_parts.scheme in ("http", "https") and declared_parts.path.strip("/"):
        return declared_parts.geturl()
    return fetched


def _title_segments(html: str | bytes) -> list[str]:
    """The <title> and its parts: sites write "Site - Section - Headline" in every order."""
    head = html[:50_000].decode("utf-8", "replace") if isinstance(html, bytes) else html[:50_000]
    match = _TITLE.search(head)
    if not match:
        return []
    title = _WS.sub(" ", unescape(match.group(1))).strip()
    return [title, *(part for part in _TITLE_SEPARATORS.split(title) if len(part.split()) >= 3)]


def _headline_index(blocks: list[str], candidates: list[str]) -> int | None:
    """Where the headline stands among the first blocks; a bare page's first line may be its headline."""
    first = blocks[:HEADLINE_WINDOW]
    for candidate in candidates:
        for i, block in enumerate(first):
            if _same_text(block, candidate):
                return i
    if first and not candidates and len(first[0].split()) <= 25 and not first[0].endswith((".", ":", ";", ",")):
        return 0
    return None


LANGUAGE_SAMPLE_CHARS = 2000  # a few paragraphs settle the language; more only costs time


def detect_language(text: str) -> str | None:
    lang, _ = py3langid.classify(text[:LANGUAGE_SAMPLE_CHARS])
    return lang or None


@contextmanager
def _time_budget(seconds: float) -> Iterator[None]:
    """A timer that interrupts trafilatura's Python loops after `seconds`.

    Only a process's main thread receives signals: elsewhere (a Prefect task thread) the budget is held by
    clean_many, which waits on a worker process and kills it when a page overruns.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise _OverBudget

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def clean_html(
    html: str | bytes,
    url: str,
    *,
    entry: FeedEntry | None = None,
    source: str = "page",
    access_status: str = "ok",
    fetched_at: datetime | None = None,
    template: frozenset[int] = frozenset(),
    options: CleanOptions = CleanOptions(),
) -> CleanArticle | Rejected:
    """Extract one page's article; Rejected(reason) when it holds none or is over budget. Never raises."""
    if options.max_bytes and len(html) > options.max_bytes:
        return Rejected(f"over_budget: {len(html)} characters > {options.max_bytes}")
    job = CleanJob(html, url, entry, source, access_status, fetched_at, template)
    try:
        with _time_budget(options.time_budget):
            return _extract(job, options)
    except _OverBudget:
        return Rejected(f"over_budget: cleaning took over {options.time_budget:g} s")
    except Exception as exc:  # RecursionError on deep markup, or a defect on input nobody foresaw: this page only
        return Rejected(f"extract_error: {type(exc).__name__}")


def _extract(job: CleanJob, options: CleanOptions) -> CleanArticle | Rejected:
    try:
        tree = load_html(job.html)
    except Exception as exc:  # lxml raises many types on hostile markup
        return Rejected(f"extract_error: {type(exc).__name__}")
    if tree is None:
        return Rejected("no_main_text")
    elements = int(tree.xpath("count(//*)"))
    if options.max_elements and elements > options.max_elements:
        return Rejected(f"over_budget: {elements} elements > {options.max_elements}")
    meta = read_page_meta(tree)
    try:
        doc = trafilatura.bare_extraction(
            tree,
            url=job.url,
            with_metadata=True,
            include_comments=False,
            favor_precision=True,
            deduplicate=False,  # its cache is process-wide state: duplicates are found in the warehouse instead
            output_format="python",
        )
    except Exception as exc:
        return Rejected(f"extract_error: {type(exc).__name__}")
    if doc is None or doc.body is None:
        return Rejected("no_main_text")

    blocks, removed = strip_boilerplate(_blocks(doc.body), load_rules(options.rules_path or DEFAULT_RULES),
                                        text=attrgetter("text"))
    entry, is_page = job.entry, job.source == "page"
    feed_title = entry.title if entry else None
    # A feed's content is a fragment: what trafilatura calls its title is a subheading at best.
    page_title = doc.title if is_page else None
    candidates = [page_title, *_title_segments(job.html), feed_title]
    headline = _headline_index([b.text for b in blocks], [c for c in candidates if c])
    if headline is not None:
        # The headline as printed on the page; what stands before it is masthead and navigation.
        title, blocks = blocks[headline].text, blocks[headline + 1 :]
    else:
        title = page_title or feed_title

    # Each block hashed once: the hashes are stored for learning, and matched against the site's template.
    hashed = [(b, template_hash(b.text)) for b in blocks]
    hashes = tuple(h for _, h in hashed if h is not None)
    body = [b for b, h in hashed if h is None or h not in job.template]
    text = "\n\n".join(b.text for b in body)

    verdict = None
    if is_page:  # a feed's content is a fragment: the page-level signals are not there
        verdict = judge(page_signals(tree, job.url, meta), text, title, access_status=job.access_status)
    if verdict and verdict.reason:
        return Rejected(f"not_article: {verdict.reason}" + (f" ({verdict.detail})" if verdict.detail else ""))
    if len(text) < options.min_text_chars:
        return Rejected(f"too_short: {len(text)} chars")

    dates = choose_dates(
        date_candidates(tree if is_page else None, job.url, meta,
                        feed_published=entry.published_at if entry else None, htmldate=doc.date if is_page else None),
        fetched_at=job.fetched_at or datetime.now(UTC),
    )
    byline = author_candidates(meta, extracted=doc.author, feed_author=entry.author if entry else None)
    return CleanArticle(
        url=canonical_url(doc.url, job.url),
        title=title,
        byline=byline,
        authors=clean_authors(byline, meta, publishers=[doc.sitename] if doc.sitename else []),
        dates=dates,
        sitename=doc.sitename,
        language=detect_language(text) if text else None,
        text=text,
        source=job.source,
        extractor=EXTRACTOR,
        block_kinds=tuple(b.kind for b in body),
        image=doc.image,
        categories=tuple(doc.categories or ()),
        tags=tuple(doc.tags or ()),
        paywalled=bool(verdict and verdict.paywalled),
        boilerplate_blocks=sum(removed.values()),
        template_blocks=len(blocks) - len(body),
        block_hashes=hashes,
        minhash=tuple(to_db(signature(text))),
    )


def _clean_job(job: CleanJob, options: CleanOptions) -> CleanArticle | Rejected:
    return clean_html(job.html, job.url, entry=job.entry, source=job.source, access_status=job.access_status,
                      fetched_at=job.fetched_at, template=job.template, options=options)


def clean_many(
    jobs: Iterable[CleanJob], options: CleanOptions, pool: WorkerPool | None = None
) -> list[CleanArticle | Rejected | None]:
    """Clean jobs, in order, in worker processes when the pool offers them; None for a page whose worker died.

    In workers the page timer runs in each worker's main thread; a page stuck where the timer cannot reach
    (inside C code) is caught here: past twice its budget its worker is killed and the page recorded over budget.
    Pages lost with a killed or crashed pool get one more try in a fresh pool, so a bad page does not spend its
    neighbours' retries.
    """
    jobs = list(jobs)
    in_thread = threading.current_thread() is not threading.main_thread()  # where the page timer cannot run
    borrowed = pool.lend(len(jobs), isolate=in_thread and options.time_budget > 0) if pool else nullcontext()
    with borrowed as executor:
        if executor is None:
            return [_clean_job(job, options) for job in jobs]
        results = _clean_in(executor, jobs, options, pool)
    lost = [i for i, result in enumerate(results) if result is None]
    if lost:
        with pool.lend(len(lost), isolate=True) as executor:
            again = _clean_in(executor, [jobs[i] for i in lost], options, pool)
        for i, result in zip(lost, again, strict=True):
            results[i] = result
    return results


def _clean_in(
    executor: Executor, jobs: list[CleanJob], options: CleanOptions, pool: WorkerPool
) -> list[CleanArticle | Rejected | None]:
    futures = [executor.submit(_clean_job, job, options) for job in jobs]
    patience = 2 * options.time_budget + 5 if options.time_budget > 0 else None
    results: list[CleanArticle | Rejected | None] = []
    broken = False
    for future in futures:
        if broken and not (future.done() and not future.cancelled()):
            results.append(None)  # lost with the killed or broken pool
            continue
        try:
            results.append(future.result(timeout=None if broken else patience))
        except FutureTimeout:
            stuck = future.running()
            pool.kill(executor)
            broken = True
            results.append(Rejected(f"over_budget: worker stuck over {patience:g} s") if stuck else None)
        except (BrokenProcessPool, CancelledError):
            # A page killed its worker (a crash in a C extension, memory), or went down with a killed pool.
            pool.discard_broken(executor)
            broken = True
            results.append(None)
        except Exception as exc:  # clean_html returns rejections; anything else is a defect, kept to this page
            results.append(Rejected(f"extract_error: {type(exc).__name__}"))
    return results
