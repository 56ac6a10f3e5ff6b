"""Extraction quality and speed on the Zyte benchmark pages: our cleaner next to trafilatura, in one run.

    .venv/bin/python bench/extraction.py [--eval ../shared/eval/zyte-dev] [--limit N] [--worst N] [--json out.json]

Systems, each called on the same page bytes (gunzipped into memory before any clock starts) with the page's URL:
- wirehouse: `wirehouse.tasks.clean.clean_html(html, url)`; its `.text` is scored (the benchmark's body has no
  headline, and the cleaner moves the headline into `.title`); a Rejected scores as an empty text.
- trafilatura-default: `trafilatura.extract(html, url=url)`.
- trafilatura-precision: `trafilatura.extract(html, url=url, favor_precision=True)`.
An exception or None counts as an empty text.

Metric: the one of scrapinghub/article-extraction-benchmark (its evaluate.py), re-implemented here. Tokens are the
runs of `\\w+` (case kept, punctuation dropped); shingles are the word 4-grams with their counts (a text of fewer
than 4 tokens is one shorter shingle). Per page, precision = matched shingles / predicted shingles and recall =
matched / true shingles; precision is averaged over the pages with a non-empty prediction (an empty prediction
does not count for precision) and recall over the pages with a non-empty truth (an empty prediction scores 0 for
recall); F1 is the harmonic mean of the two averages. On the 88 pages this reproduces the figures in
shared/notes/extractors.md (trafilatura 2.3.1: 0.954 defaults, 0.966 favor_precision=True).

Timing: one process, each system in turn; one warm-up call on the first page, then `time.perf_counter()` around
each call only. Figures, not assertions: 88 pages is a small sample (differences under ~0.01 F1 are noise).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = ROOT.parent / "shared" / "eval" / "zyte-dev"
SHINGLE_N = 4
_TOKEN = re.compile(r"\w+")

# --- the metric --------------------------------------------------------------------------------------------------


def tokenize(text: str | None) -> list[str]:
    """The benchmark's tokens: runs of word characters, case kept, punctuation and whitespace dropped."""
    return _TOKEN.findall(text or "")


def shingles(text: str | None, n: int = SHINGLE_N) -> Counter[tuple[str, ...]]:
    """Word n-grams with their counts; a text of fewer than n tokens is a single shorter shingle, none is empty."""
    tokens = tokenize(text)
    if not tokens:
        return Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))


@dataclass(frozen=True, slots=True)
class PageScore:
    tp: int  # shingles in both (with multiplicity)
    fp: int  # predicted shingles beyond the truth's
    fn: int  # true shingles the prediction lacks

    @property
    def precision(self) -> float | None:
        """None for an empty prediction: the benchmark leaves such a page out of the precision mean."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """None for an empty truth: the page is left out of the recall mean."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float:
        """This page's own F1 (0 for an empty prediction), to rank pages; the headline F1 is not a mean of these."""
        return f1_score(self.precision or 0.0, self.recall or 0.0)


def score_page(truth: str | None, prediction: str | None, n: int = SHINGLE_N) -> PageScore:
    true, pred = shingles(truth, n), shingles(prediction, n)
    tp = sum((true & pred).values())
    return PageScore(tp=tp, fp=pred.total() - tp, fn=true.total() - tp)


def f1_score(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def aggregate(pages: Iterable[PageScore]) -> dict[str, float]:
    """Mean per-page precision and recall (pages where each is defined), and the F1 of the two means."""
    pages = list(pages)
    precisions = [p.precision for p in pages if p.precision is not None]
    recalls = [p.recall for p in pages if p.recall is not None]
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    return {"precision": precision, "recall": recall, "f1": f1_score(precision, recall)}


# --- the systems -------------------------------------------------------------------------------------------------

# Each system maps (html bytes, url) to (text, why it is empty or None).
Extractor = Callable[[bytes, str], tuple[str, str | None]]


def _wirehouse() -> Extractor:
    from wirehouse.tasks.clean import Rejected, clean_html

    def run(html: bytes, url: str) -> tuple[str, str | None]:
        result = clean_html(html, url)
        if isinstance(result, Rejected):
            return "", result.reason
        return result.text, None

    return run


def _trafilatura(**options: object) -> Extractor:
    import trafilatura

    def run(html: bytes, url: str) -> tuple[str, str | None]:
        try:
            text = trafilatura.extract(html, url=url, **options)
        except Exception as exc:  # a failure scores as an empty text, as in the notes' figures
            return "", f"error: {type(exc).__name__}"
        return (text, None) if text is not None else ("", "none")

    return run


SYSTEMS: dict[str, Callable[[], Extractor]] = {
    "wirehouse": _wirehouse,
    "trafilatura-default": _trafilatura,
    "trafilatura-precision": lambda: _trafilatura(favor_precision=True),
}


# --- the run -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    id: str
    url: str
    truth: str
    html: bytes


def load_pages(eval_dir: Path, limit: int | None = None) -> list[Page]:
    truth = json.loads((eval_dir / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:limit] if limit else sorted(truth)
    return [
        Page(id=i, url=truth[i]["url"], truth=truth[i]["articleBody"],
             html=gzip.decompress((eval_dir / "html" / f"{i}.html.gz").read_bytes()))
        for i in ids
    ]


def run_system(extract: Extractor, pages: list[Page]) -> dict:
    extract(pages[0].html, pages[0].url)  # warm-up: imports, caches, rule loading
    texts, notes, ms = [], [], []
    for page in pages:
        started = time.perf_counter()
        text, note = extract(page.html, page.url)
        ms.append((time.perf_counter() - started) * 1000)
        texts.append(text)
        notes.append(note)
    scores = [score_page(page.truth, text) for page, text in zip(pages, texts, strict=True)]
    return {
        **aggregate(scores),
        "rejected": sum(note is not None for note in notes),
        "empty": sum(not tokenize(text) for text in texts),
        "ms_median": statistics.median(ms),
        "ms_total": sum(ms),
        "_pages": [
            {"id": page.id, "precision": s.precision, "recall": s.recall, "f1": s.f1, "why_empty": note}
            for page, s, note in zip(pages, scores, notes, strict=True)
        ],
    }


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def print_table(pages: list[Page], figures: dict[str, dict], ratios: dict[str, dict]) -> None:
    import trafilatura

    print(f"extraction benchmark: {len(pages)} pages, trafilatura {trafilatura.__version__}, "
          f"Python {platform.python_version()}, 1 process ({len(os.sched_getaffinity(0))} CPUs available)")
    print(f"{'system':<23}{'F1':>7}{'P':>7}{'R':>7}{'rejected':>10}{'empty':>7}{'ms/page':>9}{'total s':>9}"
          f"{'pages/s':>9}")
    for name, f in figures.items():
        print(f"{name:<23}{f['f1']:>7.3f}{f['precision']:>7.3f}{f['recall']:>7.3f}{f['rejected']:>10}"
              f"{f['empty']:>7}{f['ms_median']:>9.1f}{f['ms_total'] / 1000:>9.2f}"
              f"{len(pages) / (f['ms_total'] / 1000):>9.1f}")
    print("(ms/page: median; rejected: Rejected, None or an exception; empty: no words scored, rejected included)")
    for other, r in ratios.items():
        print(f"wirehouse vs {other:<22} F1 ×{r['f1_ratio']:.3f} ({r['f1_delta']:+.3f}), "
              f"time ×{r['time_ratio_median']:.2f} median, ×{r['time_ratio_total']:.2f} total")


def print_worst(pages: list[Page], figures: dict[str, dict], n: int) -> None:
    ours = figures["wirehouse"]["_pages"]
    precise = figures["trafilatura-precision"]["_pages"]
    order = sorted(range(len(pages)), key=lambda i: (ours[i]["f1"], pages[i].id))[:n]
    print(f"\n{n} pages where wirehouse's F1 is lowest (trafilatura-precision's F1 beside it):")
    print(f"{'site':<28}{'P':>7}{'R':>7}{'F1':>7}{'traf-P F1':>11}  page id")
    for i in order:
        p = ours[i]
        why = f"  [{p['why_empty']}]" if p["why_empty"] else ""
        print(f"{urlsplit(pages[i].url).hostname or '?':<28.28}{_fmt(p['precision']):>7}{_fmt(p['recall']):>7}"
              f"{p['f1']:>7.3f}{precise[i]['f1']:>11.3f}  {pages[i].id}{why}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="eval directory (html/, ground-truth.json)")
    parser.add_argument("--limit", type=int, help="only the first N pages (by id): a smoke run")
    parser.add_argument("--worst", type=int, default=0, help="print the N pages where wirehouse's F1 is lowest")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if not (args.eval / "ground-truth.json").exists():
        parser.error(f"{args.eval} holds no ground-truth.json")
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")

    pages = load_pages(args.eval, args.limit)
    figures = {name: run_system(make(), pages) for name, make in SYSTEMS.items()}
    ours = figures["wirehouse"]
    ratios = {
        other: {
            "f1_ratio": ours["f1"] / f["f1"] if f["f1"] else float("inf"),
            "f1_delta": ours["f1"] - f["f1"],
            "time_ratio_median": ours["ms_median"] / f["ms_median"],
            "time_ratio_total": ours["ms_total"] / f["ms_total"],
        }
        for other, f in figures.items() if other != "wirehouse"
    }
    print_table(pages, figures, ratios)
    if args.worst:
        print_worst(pages, figures, min(args.worst, len(pages)))
    if args.json:
        import trafilatura

        args.json.write_text(json.dumps({
            "eval": str(args.eval.resolve()), "pages": len(pages), "trafilatura": trafilatura.__version__,
            "python": platform.python_version(), "metric": f"word {SHINGLE_N}-gram shingles, per-page P/R means",
            "figures": {name: {k: v for k, v in f.items() if k != "_pages"} for name, f in figures.items()},
            "ratios": ratios,
            "per_page": {name: f["_pages"] for name, f in figures.items()},
        }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
