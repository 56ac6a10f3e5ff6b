"""Load throughput: wirehouse's loaders next to a bare Arrow INSERT of the same rows into the same schema.

    .venv/bin/python bench/load.py [--articles 100000] [--json results.json] [--db kept.duckdb] [--profile]

N synthetic articles (300–800 words of varied text from a deterministic generator, hosts, dates, authors, block
kinds, syndicated copies that join a story) with ~20 mentions each go through the real loaders as the pipeline
calls them, in batches of the pipeline's batch size (200): `load_pages` for every batch (ingest), then
`replace_enrichments` for every batch (enrich). The baseline is `INSERT INTO articles BY NAME SELECT * FROM
<arrow table>` (and the same for mentions) of the same rows, in the same batches, into a fresh warehouse with the
same schema: what DuckDB itself costs. Only the loading is timed: generating the records, computing their MinHash
signatures (the clean stage's work) and building the baseline's Arrow tables are off the clock. Each system runs in
a fresh interpreter, so its peak memory is its own. wirehouse's figures include what it writes beside the articles
and mentions (pages, fetch log, story buckets; sentences, quotes, entities, enrichments): see the companion rows.

--profile runs the wirehouse loaders once more with every SQL statement and the main Python steps timed (inclusive
times: a step's figure contains the statements it runs), to show where the time goes.
"""

from __future__ import annotations

import argparse
import builtins
import io
import json
import multiprocessing
import os
import pickle
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.util import find_spec
from itertools import accumulate
from pathlib import Path

BATCH_SIZE = 200  # Settings.batch_size: pages per fetch→clean→load task, articles per enrich task
SEED = 20240601
VERSION = "bench-load"
RUN_ID = "bench-load"
SYSTEMS = ("wirehouse", "bare")

# -- a deterministic corpus ----------------------------------------------------------------------------------------

_ONSETS = ["b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br", "ch", "cl",
           "cr", "dr", "fl", "gr", "pl", "pr", "sh", "sl", "st", "str", "th", "tr", ""]
_NUCLEI = ["a", "e", "i", "o", "u", "ai", "ea", "ee", "ie", "oo", "ou", "y"]
_CODAS = ["", "", "n", "r", "s", "t", "l", "m", "nd", "ng", "nt", "rk", "st", "ck", "ss"]
_FUNCTION_WORDS = ["the", "of", "and", "to", "a", "in", "that", "is", "was", "for", "on", "with", "as", "by", "at",
                   "from", "it", "its", "has", "have", "had", "be", "were", "are", "an", "which", "but", "not", "after",
                   "said", "their", "they", "more", "than", "this", "over", "new", "also", "would", "could"]
_SECTIONS = ["world", "politics", "business", "technology", "science", "health", "sport", "culture", "climate",
             "opinion"]
_TLDS = ["com", "co.uk", "org", "net", "news", "com.au", "ca", "ie", "de", "in"]
# (label, share of mentions): spaCy labels as the enrich stage sees them; dates and amounts are mentions that
# replace_enrichments does not make entities
_LABELS = [("PERSON", 30), ("ORG", 22), ("GPE", 18), ("NORP", 5), ("LOC", 3), ("FAC", 2), ("EVENT", 2), ("PRODUCT", 2),
           ("LAW", 1), ("DATE", 9), ("CARDINAL", 4), ("MONEY", 2)]
# Fetched page bodies: only their length reaches the warehouse (fetches.bytes), so a few are shared by every page
_BODIES = tuple(bytes(kib * 1024) for kib in (38, 52, 67, 85, 110, 140, 190, 260))
_VERBS = ["said", "told reporters", "added", "said in a statement", "wrote", "according to"]


@dataclass(frozen=True, slots=True)
class _Paragraph:
    """A paragraph's text with its sentences, mentions and quotes, offsets relative to the paragraph."""

    text: str
    kind: str
    sentences: tuple[tuple[int, int], ...]
    mentions: tuple[tuple[int, int, int], ...]  # start, end, entity index
    quotes: tuple[tuple[int, int, int], ...]  # start, end, speaking entity index


class Corpus:
    """Articles with their enrichment: the same batches for the same seed and count on every run."""

    def __init__(self, seed: int = SEED) -> None:
        rng = random.Random(seed)
        words: set[str] = set()
        while len(words) < 8000:
            words.add("".join(rng.choice(_ONSETS) + rng.choice(_NUCLEI) + rng.choice(_CODAS)
                              for _ in range(rng.choice((1, 1, 2, 2, 2, 3)))))
        vocab = _FUNCTION_WORDS + sorted(words)
        self.vocab = vocab
        # Zipf-like frequencies: function words dominate, the long tail keeps texts apart
        self.cum_weights = list(accumulate(1 / (rank + 2.7) for rank in range(len(vocab))))
        self.hosts = [f"{self._name(rng).lower()}{rng.choice(('news', 'times', 'post', 'herald', 'daily', ''))}"
                      f".{rng.choice(_TLDS)}" for _ in range(400)]
        self.authors = [f"{self._name(rng)} {self._name(rng)}" for _ in range(3000)]
        self.entities: list[tuple[str, str, str | None]] = []  # label, canonical, country code
        labels, shares = zip(*_LABELS, strict=True)
        for label in rng.choices(labels, shares, k=6000):
            self.entities.append((label, self._entity_name(rng, label),
                                  rng.choice(("US", "GB", "FR", "DE", "IN", "BR", "JP")) if label == "GPE" else None))
        self.entity_weights = list(accumulate(1 / (rank + 5) for rank in range(len(self.entities))))
        self.people = [i for i, (label, _, _) in enumerate(self.entities) if label == "PERSON"]
        self.epoch = datetime(2025, 1, 1, tzinfo=UTC)
        self._wire: dict[int, list[_Paragraph]] = {}

    @staticmethod
    def _name(rng: random.Random) -> str:
        return "".join(rng.choice(_ONSETS) + rng.choice(_NUCLEI) + rng.choice(_CODAS)
                       for _ in range(rng.choice((2, 2, 3)))).capitalize()

    def _entity_name(self, rng: random.Random, label: str) -> str:
        if label == "PERSON":
            return f"{self._name(rng)} {self._name(rng)}"
        if label == "ORG":
            return f"{self._name(rng)} {rng.choice(('Group', 'Holdings', 'Bank', 'Ministry', 'Party', 'Institute'))}"
        if label == "DATE":
            return f"{rng.choice(('March', 'Tuesday', 'June', 'October'))} {rng.randint(1, 28)}"
        if label == "CARDINAL":
            return str(rng.randint(2, 90000))
        if label == "MONEY":
            return f"${rng.randint(1, 900)} million"
        return self._name(rng)

    def _sentence(self, rng: random.Random, mentions: list[tuple[int, int, int]], offset: int,
                  quotes: list[tuple[int, int, int]]) -> str:
        """One sentence appended at `offset` of its paragraph, its mentions and any quote recorded."""
        words = rng.choices(self.vocab, cum_weights=self.cum_weights, k=rng.randint(8, 26))
        spans = []
        if rng.random() < 0.47:  # about 20 mentions in a 550-word article
            for _ in range(rng.choice((1, 1, 1, 2))):
                spans.append((rng.randrange(len(words)),
                              rng.choices(range(len(self.entities)), cum_weights=self.entity_weights)[0]))
        parts: list[str] = []
        pos = 0
        quote = rng.random() < 0.07
        if quote:
            parts.append("“")
            pos += 1
        for i, word in enumerate(words):
            if i:
                parts.append(" ")
                pos += 1
            for at, entity in spans:
                if at == i:
                    name = self.entities[entity][1]
                    mentions.append((offset + pos, offset + pos + len(name), entity))
                    parts.append(name + " ")
                    pos += len(name) + 1
            parts.append(word)
            pos += len(word)
        if quote:
            speaker = rng.choice(self.people)
            quotes.append((offset + 1, offset + pos, speaker))
            name = self.entities[speaker][1]
            parts.append(f",” {name} {rng.choice(_VERBS)}.")
            mentions.append((offset + pos + 3, offset + pos + 3 + len(name), speaker))
        else:
            parts.append(".")
        text = "".join(parts)
        return text[0].upper() + text[1:] if not quote else text

    def _paragraph(self, rng: random.Random) -> _Paragraph:
        kind = rng.choices(("p", "heading", "quote", "item"), (86, 6, 4, 4))[0]
        sentences, mentions, quotes, parts = [], [], [], []
        offset = 0
        for _ in range(1 if kind == "heading" else rng.randint(1, 4)):
            if parts:
                offset += 1
            sentence = self._sentence(rng, mentions, offset, quotes)
            sentences.append((offset, offset + len(sentence)))
            parts.append(sentence)
            offset += len(sentence)
        return _Paragraph(" ".join(parts), kind, tuple(sentences), tuple(mentions), tuple(quotes))

    def _body(self, rng: random.Random) -> list[_Paragraph]:
        """300 to 800 words in paragraphs."""
        paragraphs, words = [], 0
        target = rng.randint(300, 800)
        while words < target:
            paragraph = self._paragraph(rng)
            size = len(paragraph.text.split())
            if words + size > 800 and words >= 300:
                break
            paragraphs.append(paragraph)
            words += size
        return paragraphs

    def wire_story(self, k: int) -> list[_Paragraph]:
        """Wire story k: outlets fetched over several batches run it, each with its own top paragraph."""
        cached = self._wire.get(k)
        if cached is None:
            cached = self._wire[k] = self._body(random.Random(SEED * 7919 + k))
            if len(self._wire) > 64:
                del self._wire[min(self._wire)]
        return cached

    def batch(self, index: int, n: int) -> tuple[list, list]:
        """Batch `index` of an n-article load: (page results, enrichments), MinHash signatures computed as the
        clean stage does; the same on every call and in every process."""
        from wirehouse.tasks.neardup import signature, to_db

        rng = random.Random(SEED * 1_000_003 + index)
        pages, enrichments = [], []
        for i in range(index * BATCH_SIZE, min((index + 1) * BATCH_SIZE, n)):
            if rng.random() < 0.12:  # a syndicated copy: another site, a rewritten top, maybe cut short
                paragraphs = [self._paragraph(rng), *self.wire_story(2 * index + rng.randrange(8))[1:]]
                while sum(len(p.text.split()) for p in paragraphs) > 800:
                    paragraphs.pop()
                while sum(len(p.text.split()) for p in paragraphs) < 300:
                    paragraphs.append(self._paragraph(rng))
            else:
                paragraphs = self._body(rng)
            page, enrichment = self._article(rng, i, paragraphs)
            pages.append(_with_signature(page, tuple(to_db(signature(page.article.text)))))
            enrichments.append(enrichment)
        return pages, enrichments

    def _article(self, rng: random.Random, i: int, paragraphs: list[_Paragraph]) -> tuple:
        from wirehouse.models import (
            ArticleDates,
            ArticleEnrichment,
            CleanArticle,
            DateCandidate,
            EntityMention,
            FetchResult,
            Outcome,
            PageResult,
            Quote,
        )
        from wirehouse.tasks.entities import entity_id
        from wirehouse.tasks.identity import text_hash, url_id

        sentences, mentions, quotes, texts = [], [], [], []
        offset = 0
        for p in paragraphs:
            if texts:
                offset += 2
            sentences += [(offset + s, offset + e) for s, e in p.sentences]
            for _, e, entity in p.mentions:
                label, canonical, country = self.entities[entity]
                written, linked_by = canonical, "self"
                if label == "PERSON" and rng.random() < 0.4:  # "Gallant" for "Yoav Gallant": the surname alone
                    written, linked_by = canonical.split()[-1], "short_form"
                mentions.append(EntityMention(offset + e - len(written), offset + e, written, label, canonical,
                                              entity_id(label, canonical), country, linked_by))
            for s, e, speaker in p.quotes:
                canonical = self.entities[speaker][1]
                quotes.append((offset + s, offset + e, canonical))
            texts.append(p.text)
            offset += len(p.text)
        text = "\n\n".join(texts)
        host = rng.choice(self.hosts)
        published = self.epoch + timedelta(seconds=rng.randrange(365 * 86400))
        fetched = published + timedelta(minutes=rng.randint(5, 600))
        modified = published + timedelta(hours=rng.randint(1, 48)) if rng.random() < 0.3 else None
        candidates = [DateCandidate("published", "jsonld", published, True, published.isoformat()),
                      DateCandidate("published", "feed", published, True, published.strftime("%a, %d %b %Y %H:%M:%S"))]
        if modified:
            candidates.append(DateCandidate("modified", "meta:article:modified_time", modified, True,
                                            modified.isoformat()))
        section = rng.choice(_SECTIONS)
        title = " ".join(rng.choices(self.vocab[len(_FUNCTION_WORDS):], k=rng.randint(6, 12))).capitalize()
        slug = "-".join(title.lower().split()[:6])
        url = f"https://www.{host}/{section}/{published:%Y/%m/%d}/{slug}-{i}"
        authors = tuple(rng.sample(self.authors, rng.choice((1, 1, 1, 2))))
        article = CleanArticle(
            url=url, title=title, text=text, source="page", extractor="trafilatura 2.3.0",
            byline="By " + " and ".join(authors), authors=authors,
            dates=ArticleDates(published, "jsonld", modified, "meta:article:modified_time" if modified else None,
                               ("conflict",) if rng.random() < 0.03 else (), tuple(candidates)),
            sitename=host.split(".")[0].capitalize(), language="en", block_kinds=tuple(p.kind for p in paragraphs),
            image=f"https://cdn.{host}/img/{i}.jpg" if rng.random() < 0.8 else None,
            categories=(section,), tags=tuple(rng.sample(self.vocab[100:600], rng.randint(2, 5))),
            paywalled=rng.random() < 0.03, boilerplate_blocks=rng.randint(0, 4), template_blocks=rng.randint(0, 3),
            block_hashes=tuple(rng.randint(-(2**63), 2**63 - 1) for _ in range(rng.randint(0, 6))),
        )
        body = rng.choice(_BODIES)
        fetch = FetchResult(url, url, fetched, 200, "text/html; charset=utf-8", body, tries=1,
                            elapsed_ms=rng.randint(80, 2500))
        page = PageResult(url, f"{host}-{section}", Outcome.ARTICLE, fetched, url, 200, "text/html; charset=utf-8",
                          article=article, fetch=fetch)
        summary = " ".join(text[s:e] for s, e in sentences[:2])
        enrichment = ArticleEnrichment(
            article_id=url_id(url), text_hash=text_hash(text), language="en", sentences=sentences,
            mentions=mentions,
            quotes=[Quote(s, e, text[s:e], canonical.split()[-1], canonical, "named", "said")
                    for s, e, canonical in quotes],
            keyphrases=[" ".join(rng.choices(self.vocab[40:], k=2)) for _ in range(5)],
            sentiment=round(rng.uniform(-1, 1), 3), summary=summary, word_count=article.word_count,
            reading_minutes=round(article.word_count / 230, 1),
        )
        return page, enrichment


def _with_signature(page, minhash: tuple[int, ...]):
    from dataclasses import replace

    return replace(page, article=replace(page.article, minhash=minhash))


# -- the corpus on disk: generated once, read by each system in turn ---------------------------------------------------

_CORPUS: Corpus | None = None
PAGES_FILE, ENRICHMENTS_FILE = "pages.pickle", "enrichments.pickle"


def _corpus() -> Corpus:
    global _CORPUS  # one per process: the pool's workers build their own
    if _CORPUS is None:
        _CORPUS = Corpus()
    return _CORPUS


def _dumps(obj: object) -> bytes:
    """Pickled, with the shared page bodies by reference (only their length reaches the warehouse)."""
    bodies = {id(body): f"body{i}" for i, body in enumerate(_BODIES)}
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.persistent_id = lambda o: bodies.get(id(o)) if type(o) is bytes else None
    pickler.dump(obj)
    return buffer.getvalue()


def _pickled_batch(job: tuple[int, int]) -> tuple[bytes, bytes]:
    pages, enrichments = _corpus().batch(*job)
    return _dumps(pages), _dumps(enrichments)


def write_corpus(n: int, folder: Path) -> float:
    """Generate the n articles (on every CPU) into `folder` as a stream of pickled batches; returns seconds."""
    import wirehouse.tasks.entities  # noqa: F401 - imports spaCy: once here, not in every worker

    started = time.perf_counter()
    _corpus()  # likewise inherited by the workers
    jobs = [(index, n) for index in range(-(-n // BATCH_SIZE))]
    with (multiprocessing.get_context("fork").Pool(min(len(os.sched_getaffinity(0)), len(jobs))) as pool,
          (folder / PAGES_FILE).open("wb") as pages, (folder / ENRICHMENTS_FILE).open("wb") as enrichments):
        for pages_blob, enrichments_blob in pool.imap(_pickled_batch, jobs):
            pages.write(pages_blob)
            enrichments.write(enrichments_blob)
    return time.perf_counter() - started


def read_batches(path: Path) -> Iterator[list]:
    """The batches written by write_corpus, one at a time."""
    with path.open("rb") as f:
        while True:
            unpickler = pickle.Unpickler(f)
            unpickler.persistent_load = lambda pid: _BODIES[int(pid.removeprefix("body"))]
            try:
                yield unpickler.load()
            except EOFError:
                return


# -- the two systems ----------------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _file_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20, 1)


def _rate(rows: int, seconds: float) -> dict:
    return {"rows": rows, "seconds": round(seconds, 3), "rows_per_s": round(rows / seconds, 1) if seconds else 0.0}


def run_wirehouse(n: int, db: Path, data: Path, con_wrapper: Callable | None = None) -> dict:
    from wirehouse.warehouse import connect
    from wirehouse.warehouse.enrichments import replace_enrichments
    from wirehouse.warehouse.loaders import load_pages

    with connect(db) as raw:
        con = con_wrapper(raw) if con_wrapper else raw
        article_s, mention_s, articles, mentions, tenths = 0.0, 0.0, 0, 0, []
        for pages in read_batches(data / PAGES_FILE):
            started = time.perf_counter()
            articles += load_pages(con, pages, RUN_ID)
            elapsed = time.perf_counter() - started
            article_s += elapsed
            tenths.append((len(pages), elapsed))
        mention_tenths = []
        for enrichments in read_batches(data / ENRICHMENTS_FILE):  # enrich runs after ingest, on stored articles
            started = time.perf_counter()
            replace_enrichments(con, enrichments, version=VERSION, run_id=RUN_ID)
            elapsed = time.perf_counter() - started
            mention_s += elapsed
            mention_tenths.append((sum(len(e.mentions) for e in enrichments), elapsed))
            mentions += mention_tenths[-1][0]
        companions = {table: raw.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                      for table in ("pages", "fetches", "story_buckets", "sentences", "quotes", "entities",
                                    "enrichments")}
        stories = raw.execute("SELECT count(DISTINCT story_id) FROM articles").fetchone()[0]
        stored = raw.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert stored == articles == n, (stored, articles, n)
    return {"articles": _rate(articles, article_s), "mentions": _rate(mentions, mention_s),
            "articles_by_tenth": _by_tenth(tenths), "mentions_by_tenth": _by_tenth(mention_tenths),
            "stories": stories, "companion_rows": companions, "file_mb": _file_mb(db)}


def _by_tenth(batches: list[tuple[int, float]]) -> list[float]:
    """Articles/s over each tenth of the batches, in load order: does loading slow down as the warehouse grows?"""
    k = max(len(batches) // 10, 1)
    groups = [batches[i:i + k] for i in range(0, len(batches), k)]
    return [round(sum(r for r, _ in g) / sum(s for _, s in g), 1) for g in groups]


def run_bare(n: int, db: Path, data: Path) -> dict:
    import pyarrow as pa

    from wirehouse.tasks.identity import url_id
    from wirehouse.warehouse import connect
    from wirehouse.warehouse.enrichments import _SCHEMAS, _rows
    from wirehouse.warehouse.loaders import _ARTICLE_SCHEMA, _article_row
    from wirehouse.warehouse.staging import TS

    articles_schema = _ARTICLE_SCHEMA.append(pa.field("run_id", pa.string())).append(pa.field("loaded_at", TS))
    mentions_schema = _SCHEMAS["staged_mentions"].append(pa.field("version", pa.string())).append(
        pa.field("run_id", pa.string()))
    loaded_at = datetime.now(UTC)
    article_s, mention_s, articles, mentions, prepare_s, tenths, mention_tenths = 0.0, 0.0, 0, 0, 0.0, [], []
    with connect(db) as con:
        for pages in read_batches(data / PAGES_FILE):
            started = time.perf_counter()  # the rows wirehouse stages, built the same way, off the clock
            arrow_table = pa.Table.from_pylist(
                [_article_row(url_id(p.article.url), p.feed, p.fetched_at, p.article)
                 | {"run_id": RUN_ID, "loaded_at": loaded_at} for p in pages], schema=articles_schema)
            prepare_s += time.perf_counter() - started
            started = time.perf_counter()
            con.execute("INSERT INTO articles BY NAME SELECT * FROM arrow_table")
            elapsed = time.perf_counter() - started
            article_s += elapsed
            tenths.append((arrow_table.num_rows, elapsed))
            articles += arrow_table.num_rows
        for enrichments in read_batches(data / ENRICHMENTS_FILE):
            started = time.perf_counter()
            arrow_table = pa.Table.from_pylist(
                [row | {"version": VERSION, "run_id": RUN_ID} for row in _rows(enrichments)["staged_mentions"]],
                schema=mentions_schema)
            prepare_s += time.perf_counter() - started
            started = time.perf_counter()
            con.execute("INSERT INTO mentions BY NAME SELECT * FROM arrow_table")
            elapsed = time.perf_counter() - started
            mention_s += elapsed
            mention_tenths.append((arrow_table.num_rows, elapsed))
            mentions += arrow_table.num_rows
        stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert stored == articles == n, (stored, articles, n)
    return {"articles": _rate(articles, article_s), "mentions": _rate(mentions, mention_s),
            "articles_by_tenth": _by_tenth(tenths), "mentions_by_tenth": _by_tenth(mention_tenths),
            "prepare_seconds": round(prepare_s, 3), "file_mb": _file_mb(db)}


# -- profile: where wirehouse's loading time goes ----------------------------------------------------------------------


class _Clock:
    """Inclusive seconds per step, per phase (load_pages, replace_enrichments) and per batch of that phase."""

    def __init__(self) -> None:
        self.phase = ""
        self.batches: dict[str, int] = defaultdict(int)
        self.seconds: dict[tuple[str, str], list[float]] = {}  # (phase, step) → seconds in each batch
        self.calls: dict[tuple[str, str], int] = defaultdict(int)

    def add(self, step: str, seconds: float) -> None:
        if not self.phase:  # setting up, before the first load
            return
        per_batch = self.seconds.setdefault((self.phase, step), [])
        batch = self.batches[self.phase] - 1
        per_batch.extend([0.0] * (batch + 1 - len(per_batch)))
        per_batch[batch] += seconds
        self.calls[self.phase, step] += 1

    def wrap(self, module, name: str, step: str, *, phase: bool = False) -> None:
        """Time module.name under `step`; a phase function also starts the next batch of its phase."""
        inner = getattr(module, name)

        def timed(*args, **kwargs):
            if phase:
                self.phase = name
                self.batches[name] += 1
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.add(step, time.perf_counter() - started)

        setattr(module, name, timed)

    def report(self) -> list[dict]:
        """Each step with its total, its share of its phase, and ms per batch over the first and last tenth."""
        rows = []
        for (phase, step), per_batch in self.seconds.items():
            n = self.batches[phase]
            per_batch = per_batch + [0.0] * (n - len(per_batch))
            tenth = max(n // 10, 1)
            rows.append({"phase": phase, "what": step, "seconds": round(sum(per_batch), 3),
                         "calls": self.calls[phase, step],
                         "ms_per_batch_first_tenth": round(sum(per_batch[:tenth]) / tenth * 1000, 1),
                         "ms_per_batch_last_tenth": round(sum(per_batch[-tenth:]) / tenth * 1000, 1)})
        totals = {row["phase"]: row["seconds"] for row in rows if row["what"] == "(all of it)"}
        for row in rows:
            row["share"] = round(row["seconds"] / totals[row["phase"]], 3) if totals.get(row["phase"]) else None
        return sorted(rows, key=lambda row: (row["phase"] != "load_pages", -row["seconds"]))


class _TimedConnection:
    """A DuckDB connection whose statements (and the fetches of their results) are timed one by one."""

    def __init__(self, con, clock: _Clock) -> None:
        self._con, self._clock = con, clock

    def _timed(self, step: str, call: Callable, *args):
        started = time.perf_counter()
        try:
            return call(*args)
        finally:
            self._clock.add(step, time.perf_counter() - started)

    def execute(self, sql: str, params=None):
        step = "sql: " + " ".join(sql.split())[:80]
        self._timed(step, self._con.execute, sql, params)
        return _TimedResult(self, step)

    def register(self, name: str, table):
        return self._timed("register/unregister staged tables", self._con.register, name, table)

    def unregister(self, name: str):
        return self._timed("register/unregister staged tables", self._con.unregister, name)

    def __getattr__(self, name: str):
        return getattr(self._con, name)


class _TimedResult:
    def __init__(self, con: _TimedConnection, step: str) -> None:
        self._con, self._step = con, step

    def fetchall(self):
        return self._con._timed(self._step, self._con._con.fetchall)

    def fetchone(self):
        return self._con._timed(self._step, self._con._con.fetchone)


def run_profile(n: int, db: Path, data: Path) -> dict:
    from wirehouse.warehouse import enrichments, loaders, stories

    clock = _Clock()
    clock.wrap(loaders, "load_pages", "(all of it)", phase=True)
    clock.wrap(loaders, "_article_row", "python: article rows (url_id, content_hash, text_hash, site_key)")
    clock.wrap(loaders, "url_id", "python: url_id of pages")
    clock.wrap(loaders, "assign_stories", "assign_stories (all of it)")
    clock.wrap(stories, "from_db", "python: assign_stories' signatures from lists")
    clock.wrap(stories, "band_keys", "python: assign_stories' band_keys")
    clock.wrap(stories, "assign_clusters", "python: assign_stories' assign_clusters")
    clock.wrap(enrichments, "replace_enrichments", "(all of it)", phase=True)
    clock.wrap(enrichments, "_rows", "python: enrichment rows")
    for module in (loaders, stories, enrichments):  # each imported stage by name
        clock.wrap(module, "stage", "stage: Arrow tables from row dicts, registered")
    # DuckDB looks pandas up for every Python value bound to a parameter (a list binds each element); without
    # pandas installed each look-up is a failed import, and nothing caches the failure
    step = ("duckdb binding parameters: failed `import pandas` (not installed)" if find_spec("pandas") is None
            else "duckdb binding parameters: `import pandas`")
    real_import = builtins.__import__

    def timed_import(name, *args, **kwargs):
        if name != "pandas" or not clock.phase:
            return real_import(name, *args, **kwargs)
        started = time.perf_counter()
        try:
            return real_import(name, *args, **kwargs)
        finally:
            clock.add(step, time.perf_counter() - started)

    builtins.__import__ = timed_import
    try:
        result = run_wirehouse(n, db, data, con_wrapper=lambda con: _TimedConnection(con, clock))
    finally:
        builtins.__import__ = real_import
    return result | {"profile": clock.report()}


# -- driver --------------------------------------------------------------------------------------------------------


def measure(kind: str, n: int, db: Path, data: Path) -> dict:
    """Run one system in a fresh interpreter and return its figures."""
    out = subprocess.run(
        [sys.executable, __file__, "--one", kind, "--articles", str(n), "--db", str(db), "--data", str(data)],
        capture_output=True, text=True, env=os.environ | {"PREFECT_LOGGING_LEVEL": "ERROR"},
    )
    if out.returncode:
        raise SystemExit(f"{kind} run failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--db", type=Path, help="keep wirehouse's warehouse here (it must not exist yet)")
    parser.add_argument("--profile", action="store_true", help="then time wirehouse's loaders step by step")
    parser.add_argument("--profile-lines", type=int, default=16, help="steps shown per loader (default 16)")
    parser.add_argument("--one", choices=[*SYSTEMS, "profile"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    if args.one:
        run = {"wirehouse": run_wirehouse, "bare": run_bare, "profile": run_profile}[args.one]
        print(json.dumps(run(args.articles, args.db, args.data) | {"peak_rss_mb": peak_rss_mb()}))
        return
    if args.db and args.db.exists():
        parser.error(f"{args.db} exists: the benchmark loads into a fresh warehouse")

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="wirehouse-bench-load-") as tmp:
        data = Path(tmp)
        generating = write_corpus(args.articles, data)
        dbs = {"wirehouse": args.db or data / "wirehouse.duckdb", "bare": data / "bare.duckdb"}
        figures = {kind: measure(kind, args.articles, dbs[kind], data) for kind in SYSTEMS}
        profile = measure("profile", args.articles, data / "profile.duckdb", data) if args.profile else None
    wh, bare = figures["wirehouse"], figures["bare"]
    ratios = {table: round(wh[table]["rows_per_s"] / bare[table]["rows_per_s"], 3)
              for table in ("articles", "mentions")}

    cpus = len(os.sched_getaffinity(0))
    load_average = [round(load_before, 2), round(os.getloadavg()[0], 2)]  # others' work on the machine skews figures
    print(f"load benchmark: {args.articles} articles, {wh['mentions']['rows']} mentions, batches of {BATCH_SIZE}, "
          f"{cpus} CPUs (load average {load_average[0]:.1f} before, {load_average[1]:.1f} after), "
          f"duckdb {_duckdb_version()}")
    print(f"{'system':<11}{'table':<10}{'rows':>10}{'seconds':>10}{'rows/s':>11}{'file MB':>9}{'peak MB':>9}")
    for kind in SYSTEMS:
        f = figures[kind]
        for table in ("articles", "mentions"):
            t = f[table]
            print(f"{kind:<11}{table:<10}{t['rows']:>10}{t['seconds']:>10.2f}{t['rows_per_s']:>11.0f}"
                  f"{f['file_mb']:>9.1f}{f['peak_rss_mb']:>9.0f}")
    for table, ratio in ratios.items():
        print(f"wirehouse/bare rows/s, {table:<9}{ratio:>7.3f}x")
    for table in ("articles", "mentions"):
        for kind in SYSTEMS:
            print(f"{table}/s by tenth of the load, {kind + ':':<11}",
                  " ".join(f"{r:.0f}" for r in figures[kind][f"{table}_by_tenth"]))
    print(f"wirehouse also wrote: {', '.join(f'{v} {k}' for k, v in wh['companion_rows'].items())}; "
          f"{wh['stories']} stories")
    print(f"off the clock: generating the corpus {generating:.1f} s; building the bare Arrow tables "
          f"{bare['prepare_seconds']:.2f} s")
    if profile:
        print("\nwhere wirehouse's time goes (one more run, instrumented: seconds are inclusive, a step contains the "
              "statements it runs; ms per batch over the first and last tenth of the batches)")
        for phase in ("load_pages", "replace_enrichments"):
            print(f"{'seconds':>9}{'share':>7}{'calls':>8}{'ms/batch first':>16}{'last':>8}  {phase}")
            for row in [r for r in profile["profile"] if r["phase"] == phase][:args.profile_lines]:
                print(f"{row['seconds']:>9.2f}{row['share']:>7.0%}{row['calls']:>8}"
                      f"{row['ms_per_batch_first_tenth']:>16.0f}{row['ms_per_batch_last_tenth']:>8.0f}  {row['what']}")
    if args.json:
        figures_json = {"articles": args.articles, "batch_size": BATCH_SIZE, "cpus": cpus, "duckdb": _duckdb_version(),
                        "load_average": load_average, "generating_seconds": round(generating, 3),
                        "systems": figures, "ratios": ratios}
        args.json.write_text(json.dumps(figures_json | ({"profile": profile} if profile else {}), indent=2))


def _duckdb_version() -> str:
    import duckdb

    return duckdb.__version__


if __name__ == "__main__":
    main()
