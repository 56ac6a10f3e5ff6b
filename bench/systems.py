"""The measured systems, each one call timed after its warm-up: wirehouse's flows and the bare loops they are held
against. Run one in a fresh interpreter (bench/procs.run_measured) so its memory is its own:

    .venv/bin/python bench/systems.py KIND '{"db": ...}'     # prints one JSON line

The wirehouse jobs take their settings from WIREHOUSE_* in the environment, as a deployment does.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path


def _warm_prefect() -> None:
    """Prefect's client (and its temporary server, where no API is set) start here, off the clock."""
    from prefect import flow

    flow(name="warm-up")(lambda: None)()


def ingest_flow(db: str, feeds_file: str, force: bool = False) -> dict:
    from wirehouse.flows.ingest import ingest

    _warm_prefect()
    started = time.perf_counter()
    counts = ingest(feeds_file=feeds_file, db=db, force=force)
    return {"seconds": time.perf_counter() - started, "counts": counts}


def enrich_flow(db: str) -> dict:
    from wirehouse.flows.enrich import enrich

    _warm_prefect()
    started = time.perf_counter()
    counts = enrich(db=db)
    return {"seconds": time.perf_counter() - started, "counts": counts}


def _extract(html: bytes) -> str | None:
    import trafilatura

    try:
        return trafilatura.extract(html)
    except Exception:  # a failure is an empty text, as in bench/extraction.py
        return None


def bare_extract(root: str, paths: list[str], processes: int = 1, out: str | None = None) -> dict:
    """`trafilatura.extract` over the pages' bytes as read from disk: no fetching, no loading, no bookkeeping."""
    import multiprocessing

    pages = [(Path(root) / p.lstrip("/")) for p in paths]
    bodies = [p.read_bytes() for p in pages if p.is_file()]
    _extract(bodies[0])  # imports and caches
    started = time.perf_counter()
    if processes == 1:
        texts = [_extract(body) for body in bodies]
    else:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            texts = pool.map(_extract, bodies, chunksize=8)
    seconds = time.perf_counter() - started
    if out:
        kept = [p for p, page in zip(paths, pages, strict=True) if page.is_file()]
        Path(out).write_text(json.dumps(dict(zip(kept, texts, strict=True))))
    return {"seconds": seconds, "pages": len(bodies), "texts": sum(bool(t) for t in texts)}


def article_texts(db: str) -> list[str]:
    import duckdb

    with duckdb.connect(db, read_only=True) as con:
        return [row[0] for row in con.execute("SELECT text FROM articles ORDER BY article_id").fetchall()]


def bare_nlp(texts: list[str], processes: int = 1) -> dict:
    """`nlp.pipe` with the pipeline the enrich stage loads, and nothing else."""
    from wirehouse.settings import Settings
    from wirehouse.tasks.enrich import load_model

    nlp = load_model(Settings().spacy_model)
    tokens = sum(len(nlp.tokenizer(t)) for t in texts)
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=64, n_process=processes):
        pass
    return {"seconds": time.perf_counter() - started, "tokens": tokens, "articles": len(texts)}


def bare_nlp_db(db: str, processes: int = 1) -> dict:
    return bare_nlp(article_texts(db), processes)


JOBS: dict[str, Callable[..., dict]] = {
    "ingest": ingest_flow, "enrich": enrich_flow, "extract": bare_extract, "nlp": bare_nlp_db,
}


def command(kind: str, **params: object) -> list[str]:
    """The command line that runs one job in a fresh interpreter."""
    return [sys.executable, str(Path(__file__).resolve()), kind, json.dumps(params)]


if __name__ == "__main__":
    print(json.dumps(JOBS[sys.argv[1]](**json.loads(sys.argv[2]))))
