"""Enrich throughput: the enrich flow next to a bare spaCy loop over the same texts, 1 and 2 processes.

    .venv/bin/python bench/enrich.py [--articles 400] [--json results.json]

Each measurement runs in a fresh process, so its peak memory is its own. The flow is the real Prefect flow
(NER + sentences + canonical entities + quotes + keyphrases + tone + summary, loaded into DuckDB); the bare
loop is `nlp.pipe` with the same spaCy pipeline and nothing else. Prefect's temporary server is started before
the clock starts. Figures, not assertions: see the README for the machine they were taken on.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from procs import run_measured
from systems import bare_nlp, enrich_flow

ROOT = Path(__file__).resolve().parent.parent
EVAL_DOCS = ROOT.parent / "shared" / "eval" / "enrich-dev" / "docs"


def corpus(n: int) -> list[str]:
    """n article texts: the demo articles and the enrich-dev documents, repeated."""
    from wirehouse.demo_corpus import DEMO_DIR, load_sites, parse_article

    texts = []
    for site in load_sites(DEMO_DIR / "sites.yaml"):
        for path in sorted((DEMO_DIR / "articles" / site.id).glob("*.md")):
            texts.append("\n\n".join(parse_article(path, site).paragraphs))
    if EVAL_DOCS.exists():
        texts += [p.read_text() for p in sorted(EVAL_DOCS.glob("*.txt"))]
    return [texts[i % len(texts)] for i in range(n)]


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round((own + children) / 1024, 1)


def run_bare(n: int, processes: int) -> dict:
    return bare_nlp(corpus(n), processes)


def _load_articles(db: Path, texts: list[str]) -> None:
    from wirehouse.models import CleanArticle, Feed, Outcome, PageResult
    from wirehouse.warehouse import connect
    from wirehouse.warehouse.loaders import load_pages, sync_feeds

    now = datetime.now(UTC)
    with connect(db) as con:
        sync_feeds(con, [Feed("bench", "https://bench.example/feed")])
        results = [
            PageResult(url, "bench", Outcome.ARTICLE, now, article=CleanArticle(
                url=url, title=None, language="en", text=text, source="page", extractor="bench"))
            for i, text in enumerate(texts) for url in [f"https://bench.example/{i}"]
        ]
        load_pages(con, results, "bench-setup")


def run_flow(n: int, processes: int) -> dict:
    db = Path(tempfile.mkdtemp(prefix="wirehouse-bench-")) / "w.duckdb"
    _load_articles(db, corpus(n))
    os.environ["WIREHOUSE_WORKERS"] = str(processes)
    result = enrich_flow(str(db))
    assert result["counts"]["articles_enriched"] == n, result
    return result


def measure(kind: str, n: int, processes: int) -> dict:
    """Run one measurement in a fresh interpreter and return its figures."""
    return run_measured([sys.executable, __file__, "--one", kind, "--articles", n, "--processes", processes],
                        os.environ | {"PREFECT_LOGGING_LEVEL": "ERROR"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--one", choices=["bare", "flow"], help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if args.one:
        result = (run_bare if args.one == "bare" else run_flow)(args.articles, args.processes)
        print(json.dumps(result | {"peak_rss_mb": peak_rss_mb()}))
        return

    cpus = len(os.sched_getaffinity(0))
    figures = {f"{kind}-{p}": measure(kind, args.articles, p) for kind in ("bare", "flow") for p in (1, 2)}
    tokens = figures["bare-1"]["tokens"]
    print(f"enrich benchmark: {args.articles} articles, {tokens} tokens, {cpus} CPUs available")
    print(f"{'run':<10}{'seconds':>9}{'articles/s':>12}{'tokens/s':>10}{'peak MB':>9}")
    for name, f in figures.items():
        rate = args.articles / f["seconds"]
        print(f"{name:<10}{f['seconds']:>9.1f}{rate:>12.1f}{tokens / f['seconds']:>10.0f}{f['peak_rss_mb']:>9.0f}")
    ratios = {
        "flow/bare, 1 process": figures["bare-1"]["seconds"] / figures["flow-1"]["seconds"],
        "flow/bare, 2 processes": figures["bare-2"]["seconds"] / figures["flow-2"]["seconds"],
        "bare scaling 1→2": figures["bare-1"]["seconds"] / figures["bare-2"]["seconds"],
        "flow scaling 1→2": figures["flow-1"]["seconds"] / figures["flow-2"]["seconds"],
    }
    for name, value in ratios.items():
        print(f"{name:<24}{value:>6.2f}x")
    if args.json:
        args.json.write_text(json.dumps({"articles": args.articles, "tokens": tokens, "cpus": cpus,
                                         "figures": figures, "ratios": ratios}, indent=2))


if __name__ == "__main__":
    main()
