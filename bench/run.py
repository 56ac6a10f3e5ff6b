"""wirehouse next to bare loops and its peers, on one generated corpus, in one run: the figures in the README.

    .venv/bin/python bench/run.py [--articles 1000] [--scale 1000,10000] [--skip peers,query] [--json FILE]

A corpus of --articles synthetic articles over many sites and feeds, plus the real pages of ../shared/eval/zyte-dev
(bench/corpus.py), is served from 127.0.0.1 by a server in its own process (bench/replay.py). Then:

- server:  requests/s a bare async client gets from that server: it must be far above the pipeline's rate.
- ingest:  the ingest flow (poll → fetch → clean → load, default settings) against a bare `trafilatura.extract` loop
           over the same pages' bytes read from disk, in 1 and 2 processes. Goal >= 0.9x.
- repoll:  a second ingest over the unchanged feeds, every feed polled again (conditional GETs), as a share of the
           first. Goal <= 5%.
- enrich:  the enrich flow with 1 and 2 workers against bare `nlp.pipe` with n_process 1 and 2, on the articles the
           ingest loaded. Goal >= 0.9x, and >= 1.7x from one process to two.
- peers:   newspaper4k (download + parse + nlp) and news-please, each in its own venv (bench/peers.py), over the same
           URLs with 2 processes: pages/s, and extraction F1 against the zyte-dev ground truth and the corpus's own
           truth. Goal: ahead of both.
- scale:   wall time and peak memory of the whole process tree for ingest + enrich at each --scale size. Goal: flat,
           <= 1.5 GB.
- query:   each analytics view, fully read, on a warehouse of --query-articles articles built by bench/load.py.

Every system runs in a fresh interpreter (bench/systems.py), against one Prefect server started before any clock.
All sites share one loopback host, which real sites do not: per-host pacing is off and the per-host limit equals the
global one (settings); fetching may reach 127.0.0.1. Nothing else departs from the defaults.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import duckdb
from corpus import feeds_yaml, generate
from extraction import aggregate, score_page
from procs import run_measured
from replay import replay_server, throughput
from systems import command

from wirehouse.prefect_env import local_prefect_server, prefect_env

ROOT = Path(__file__).resolve().parent.parent
ZYTE = ROOT.parent / "shared" / "eval" / "zyte-dev"
PARTS = ("server", "ingest", "repoll", "enrich", "peers", "scale", "query")
BENCH_SETTINGS = {  # one loopback host stands for every site: see the docstring
    "WIREHOUSE_ALLOWED_NETWORKS": '["127.0.0.1/32"]', "WIREHOUSE_PER_HOST_DELAY": "0",
    "WIREHOUSE_PER_HOST_CONCURRENCY": "16", "PREFECT_LOGGING_LEVEL": "ERROR",
}


# --- the corpus ----------------------------------------------------------------------------------------------------


def corpus(work: Path, n: int, seed: int) -> Path:
    """The corpus of n articles, generated once per size and seed and kept in the work folder."""
    root = work / f"corpus-{n}-{seed}"
    if not (root / "manifest.json").is_file():
        shutil.rmtree(root, ignore_errors=True)
        started = time.perf_counter()
        generate(n, root, seed=seed)
        print(f"generated the {n}-article corpus in {time.perf_counter() - started:.0f} s", flush=True)
    return root


def _jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as f:
        yield from (json.loads(line) for line in f if line.strip())


def listed_paths(root: Path) -> list[str]:
    """Every page path the feeds list: articles, syndicated copies, bad pages and the eval pages."""
    manifest = json.loads((root / "manifest.json").read_text())
    return ([row["path"] for row in _jsonl(root / "truth.jsonl")] + [row["path"] for row in _jsonl(root / "bad.jsonl")]
            + list(manifest["eval"]))


def truths(root: Path) -> dict[str, dict[str, str]]:
    """Ground truth by path: {"eval": the zyte-dev article bodies, "synthetic": the generated bodies}."""
    manifest = json.loads((root / "manifest.json").read_text())
    gold = json.loads((ZYTE / "ground-truth.json").read_text()) if manifest["eval"] else {}
    return {"eval": {path: gold[i]["articleBody"] for path, i in manifest["eval"].items()},
            "synthetic": {row["path"]: row["text"] for row in _jsonl(root / "truth.jsonl")}}


def f1(texts: dict[str, str | None], truth: dict[str, str]) -> dict[str, float]:
    """The benchmark metric of bench/extraction.py over the pages with a truth; a page without a text scores 0."""
    scores = aggregate(score_page(text, texts.get(path)) for path, text in truth.items())
    return {k: round(v, 4) for k, v in scores.items()}


# --- the runs ------------------------------------------------------------------------------------------------------


class Bench:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def job(self, kind: str, env: dict[str, str] | None = None, **params: object) -> dict:
        return run_measured(command(kind, **params), self.env | (env or {}))

    def ingest(self, db: Path, feeds_file: Path, force: bool = False) -> dict:
        return self.job("ingest", db=str(db), feeds_file=str(feeds_file), force=force)

    def enrich(self, db: Path, workers: int | None = None) -> dict:
        return self.job("enrich", {"WIREHOUSE_WORKERS": str(workers)} if workers else {}, db=str(db))


def warehouse_texts(db: Path, base: str) -> dict[str, str]:
    """The article text each fetched page became, by the page's path."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT p.url, a.text FROM pages p JOIN articles a USING (article_id)").fetchall()
    return {url.removeprefix(base): text for url, text in rows}


def warehouse_counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        pages = dict(con.execute("SELECT outcome, count(*) FROM pages GROUP BY ALL").fetchall())
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    return {"pages": sum(pages.values()), "articles": articles} | {f"pages_{k}": v for k, v in pages.items()}


def last_run_seconds(db: Path) -> float:
    """The newest run's own time (runs.started_at to finished_at): the flow's work without Prefect's bookkeeping
    around it (creating the flow run, reporting states), which costs a few seconds whatever the run does."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT epoch(finished_at - started_at) FROM runs ORDER BY started_at DESC LIMIT 1"
                           ).fetchone()[0]


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 2) if seconds else 0.0


def ingest_part(bench: Bench, root: Path, base: str, folder: Path, baseline: bool, peers: bool) -> dict:
    """Ingest (and what compares with it) of one corpus, served at base; the warehouse is left in folder."""
    feeds_file = folder / "feeds.yaml"
    feeds_file.write_text(feeds_yaml(root, base))
    db = folder / "w.duckdb"
    paths = listed_paths(root)
    out = {"listed_pages": len(paths)}
    first = bench.ingest(db, feeds_file)
    out["ingest"] = first | warehouse_counts(db)
    out["ingest"]["pages_per_s"] = rate(out["ingest"]["pages"], first["seconds"])
    out["ingest"]["articles_per_s"] = rate(out["ingest"]["articles"], first["seconds"])
    if not baseline:
        return out
    texts = {"wirehouse": warehouse_texts(db, base)}
    for processes in (1, 2):
        extracted = folder / f"extract-{processes}.json"
        bare = bench.job("extract", root=str(root), paths=paths, processes=processes, out=str(extracted))
        bare["pages_per_s"] = rate(bare["pages"], bare["seconds"])
        out[f"bare_extract_{processes}"] = bare
        texts["trafilatura.extract"] = json.loads(extracted.read_text())
    for force in (True, False):
        again = bench.ingest(db, feeds_file, force=force)
        out["repoll" if force else "repoll_due_only"] = again | {
            "share_of_first": round(again["seconds"] / first["seconds"], 4), "run_seconds": last_run_seconds(db)}
    if peers:
        from peers import PEERS, run_peer

        for peer in PEERS:
            done = run_peer(peer, [base + p for p in paths], processes=2)
            texts[peer] = {url.removeprefix(base): text for url, text in done.texts.items()}
            out[f"peer_{peer}"] = {"version": done.version, "processes": done.processes, "seconds": done.seconds,
                                   "pages_per_s": rate(len(paths), done.seconds), "errors": done.errors,
                                   "peak_tree_mb": done.peak_rss_mb, "blocked_connections": done.blocked_connections,
                                   "note": done.note}
    truth = truths(root)
    out["f1"] = {system: {kind: f1(found, gold) for kind, gold in truth.items() if gold}
                 for system, found in texts.items()}
    return out


def enrich_part(bench: Bench, db: Path) -> dict:
    out = {}
    for workers in (1, 2):
        copy = db.with_name(f"enrich-{workers}.duckdb")
        shutil.copyfile(db, copy)
        out[f"flow_{workers}"] = bench.enrich(copy, workers)
        out[f"bare_{workers}"] = bench.job("nlp", db=str(db), processes=workers)
    articles = out["bare_1"]["articles"]
    for figures in out.values():
        figures["articles_per_s"] = rate(articles, figures["seconds"])
    return out


def scale_point(bench: Bench, work: Path, n: int, seed: int) -> dict:
    root = corpus(work, n, seed)
    folder = work / f"scale-{n}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    with replay_server(root) as base:
        ingested = ingest_part(bench, root, base, folder, baseline=False, peers=False)["ingest"]
        repoll = bench.ingest(folder / "w.duckdb", folder / "feeds.yaml", force=True)
    enriched = bench.enrich(folder / "w.duckdb")
    return scale_figures(n, ingested, repoll, enriched)


def scale_figures(n: int, ingested: dict, repoll: dict, enriched: dict) -> dict:
    return {"articles_generated": n, "articles_loaded": ingested["articles"],
            "ingest_seconds": round(ingested["seconds"], 1), "enrich_seconds": round(enriched["seconds"], 1),
            "repoll_seconds": round(repoll["seconds"], 2),
            "repoll_share": round(repoll["seconds"] / ingested["seconds"], 4),
            "ingest_peak_mb": ingested["peak_tree_mb"], "enrich_peak_mb": enriched["peak_tree_mb"],
            "ingest_main_peak_mb": ingested["peak_main_mb"], "enrich_main_peak_mb": enriched["peak_main_mb"],
            "articles_enriched": enriched["counts"].get("articles_enriched", 0)}


def query_part(work: Path, db: Path | None, articles: int) -> dict:
    """Each view read to the end, three times (the first from a cold connection), on a warehouse of `articles`."""
    if db is None:
        db = work / f"query-{articles}.duckdb"
        if not db.exists():
            print(f"building a {articles}-article warehouse with bench/load.py (minutes)", flush=True)
            subprocess.run([sys.executable, str(Path(__file__).with_name("load.py")), "--articles", str(articles),
                            "--db", str(db)], check=True, stdout=subprocess.DEVNULL)
    from wirehouse.warehouse import connect
    from wirehouse.warehouse.views import view_files

    out = {"db": str(db)}
    with connect(db) as con:  # connect installs the current views
        con.execute("SET enable_progress_bar = false")
        out["articles"] = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        out["mentions"] = con.execute("SELECT count(*) FROM mentions").fetchone()[0]
        for view in (p.stem for p in view_files()):
            times, rows = [], 0
            for _ in range(3):
                started = time.perf_counter()
                rows = con.execute(f"SELECT * FROM {view}").to_arrow_table().num_rows
                times.append(time.perf_counter() - started)
            out[view] = {"rows": rows, "first_s": round(times[0], 3), "median_s": round(statistics.median(times), 3)}
    return out


# --- the report ------------------------------------------------------------------------------------------------------


def ratio(ours: float, theirs: float) -> float:
    return round(ours / theirs, 3) if theirs else 0.0


def report(results: dict) -> list[str]:
    """The table the README shows, line by line, with the goals checked."""
    lines, goals = [], []
    if server := results.get("server"):
        lines.append(f"server alone: {server['requests_per_s']:.0f} requests/s ({server['mb_per_s']:.0f} MB/s) "
                     f"with {server['requests']} requests at concurrency 16")
    if main := results.get("main"):
        ing = main["ingest"]
        lines.append(f"{'system':<36}{'pages':>7}{'seconds':>9}{'pages/s':>9}{'articles/s':>11}{'peak MB':>9}")
        lines.append(f"{'wirehouse ingest flow':<36}{ing['pages']:>7}{ing['seconds']:>9.1f}{ing['pages_per_s']:>9.1f}"
                     f"{ing['articles_per_s']:>11.1f}{ing['peak_tree_mb']:>9.0f}")
        for p in (1, 2):
            if bare := main.get(f"bare_extract_{p}"):
                lines.append(f"{f'bare trafilatura.extract, {p} proc':<36}{bare['pages']:>7}{bare['seconds']:>9.1f}"
                             f"{bare['pages_per_s']:>9.1f}{'':>11}{bare['peak_tree_mb']:>9.0f}")
        for key in [k for k in main if k.startswith("peer_")]:
            peer = main[key]
            name = f"{key.removeprefix('peer_')} {peer['version']}, {peer['processes']} proc"
            lines.append(f"{name:<36}{main['listed_pages']:>7}{peer['seconds']:>9.1f}{peer['pages_per_s']:>9.1f}"
                         f"{'':>11}{peer['peak_tree_mb']:>9.0f}")
        if "bare_extract_1" in main:
            for p in (1, 2):
                r = ratio(ing["pages_per_s"], main[f"bare_extract_{p}"]["pages_per_s"])
                lines.append(f"ingest flow / bare extract loop, {p} process{'es' if p > 1 else ''}: {r:.2f}x")
                if p == 1:
                    goals.append(("ingest >= 0.9x a bare trafilatura.extract loop", r >= 0.9))
        if repoll := main.get("repoll"):
            due = main["repoll_due_only"]
            lines.append(f"re-poll of unchanged feeds, every feed polled: {repoll['seconds']:.2f} s = "
                         f"{repoll['share_of_first']:.1%} of the first ingest ({repoll['run_seconds']:.2f} s inside "
                         f"the run); only the due feeds: {due['seconds']:.2f} s = {due['share_of_first']:.1%}")
            goals.append((f"re-poll <= 5% of the first ingest at {results['articles']} articles",
                          repoll["share_of_first"] <= 0.05))
        if f1s := main.get("f1"):
            lines.append(f"{'extraction':<24}{'F1 zyte-dev':>12}{'P':>7}{'R':>7}{'F1 synthetic':>14}")
            for system, kinds in f1s.items():
                ev, syn = kinds.get("eval", {}), kinds.get("synthetic", {})
                lines.append(f"{system:<24}{ev.get('f1', 0):>12.3f}{ev.get('precision', 0):>7.3f}"
                             f"{ev.get('recall', 0):>7.3f}{syn.get('f1', 0):>14.3f}")
            peers = [k for k in f1s if k not in ("wirehouse", "trafilatura.extract")]
            if peers:
                ours = f1s["wirehouse"].get("eval", {}).get("f1", 0)
                faster = all(ing["pages_per_s"] > main[f"peer_{p}"]["pages_per_s"] for p in peers)
                better = all(ours > f1s[p].get("eval", {}).get("f1", 0) for p in peers)
                goals.append(("ahead of the peers on speed and on F1", faster and better))
    if enrich := results.get("enrich"):
        lines.append(f"{'enrich':<30}{'seconds':>9}{'articles/s':>11}{'peak MB':>9}")
        for name, f in enrich.items():
            label = {"flow": "enrich flow", "bare": "bare nlp.pipe"}[name.split("_")[0]] + f", {name[-1]} proc"
            lines.append(f"{label:<30}{f['seconds']:>9.1f}{f['articles_per_s']:>11.2f}{f['peak_tree_mb']:>9.0f}")
        r1 = ratio(enrich["flow_1"]["articles_per_s"], enrich["bare_1"]["articles_per_s"])
        r2 = ratio(enrich["flow_2"]["articles_per_s"], enrich["bare_2"]["articles_per_s"])
        scaling = ratio(enrich["flow_2"]["articles_per_s"], enrich["flow_1"]["articles_per_s"])
        bare_scaling = ratio(enrich["bare_2"]["articles_per_s"], enrich["bare_1"]["articles_per_s"])
        lines.append(f"enrich flow / nlp.pipe: {r1:.2f}x with 1 process, {r2:.2f}x with 2; scaling 1 -> 2: flow "
                     f"{scaling:.2f}x, nlp.pipe {bare_scaling:.2f}x")
        goals += [("enrich >= 0.9x nlp.pipe (1 and 2 processes)", min(r1, r2) >= 0.9),
                  ("enrich scales >= 1.7x from 1 to 2 processes", scaling >= 1.7)]
    if scale := results.get("scale"):
        lines.append(f"{'scale: articles':<16}{'loaded':>7}{'ingest s':>9}{'peak MB':>8}{'(main)':>7}{'re-poll s':>10}"
                     f"{'share':>7}{'enrich s':>9}{'peak MB':>8}{'(main)':>7}")
        for p in scale:
            lines.append(f"{p['articles_generated']:<16}{p['articles_loaded']:>7}{p['ingest_seconds']:>9.0f}"
                         f"{p['ingest_peak_mb']:>8.0f}{p['ingest_main_peak_mb']:>7.0f}{p['repoll_seconds']:>10.1f}"
                         f"{p['repoll_share']:>7.1%}{p['enrich_seconds']:>9.0f}{p['enrich_peak_mb']:>8.0f}"
                         f"{p['enrich_main_peak_mb']:>7.0f}")
        peak = max(max(p["ingest_peak_mb"], p["enrich_peak_mb"]) for p in scale)
        goals.append(("peak memory <= 1.5 GB at every size", peak <= 1500))
        goals.append((f"re-poll <= 5% of the first ingest at {scale[-1]['articles_generated']} articles",
                      scale[-1]["repoll_share"] <= 0.05))
    if query := results.get("query"):
        lines.append(f"views on {query['articles']} articles, {query['mentions']} mentions:")
        for view, f in query.items():
            if isinstance(f, dict):
                lines.append(f"  {view:<26}{f['rows']:>9} rows{f['first_s']:>8.2f} s first"
                             f"{f['median_s']:>8.2f} s median")
    lines += [f"goal: {text}: {'met' if met else 'NOT met'}" for text, met in goals]
    return lines


# --- the command -----------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000, help="size of the corpus the side-by-side runs use")
    parser.add_argument("--scale", default="1000,10000", help="corpus sizes for the scale part, comma-separated")
    parser.add_argument("--query-articles", type=int, default=100_000, help="warehouse size for the query part")
    parser.add_argument("--query-db", type=Path, help="time the views on this warehouse instead of building one")
    parser.add_argument("--skip", default="", help=f"parts to leave out, comma-separated: {','.join(PARTS)}")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "wirehouse-bench",
                        help="corpora and warehouses are kept here (corpora are reused across runs)")
    parser.add_argument("--json", type=Path, help="write every figure here")
    args = parser.parse_args(argv)
    skip = {s for s in args.skip.split(",") if s}
    if unknown := skip - set(PARTS):
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    sizes = [int(s) for s in args.scale.split(",") if s]
    args.work.mkdir(parents=True, exist_ok=True)

    results: dict = {"machine": {"cpus": len(os.sched_getaffinity(0)), "python": platform.python_version(),
                                 "platform": platform.platform(), "load_average_before": os.getloadavg()[0]},
                     "articles": args.articles}
    with ExitStack() as stack:
        home = args.work / "prefect"
        home.mkdir(exist_ok=True)
        api = stack.enter_context(local_prefect_server(home))
        bench = Bench(prefect_env(home, api) | BENCH_SETTINGS)
        if {"server", "ingest", "repoll", "enrich", "peers"} - skip:
            root = corpus(args.work, args.articles, args.seed)
            folder = args.work / f"main-{args.articles}"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            with replay_server(root) as base:
                if "server" not in skip:
                    results["server"] = throughput(base, listed_paths(root) * 3, concurrency=16)
                print("ingest …", flush=True)
                results["main"] = ingest_part(bench, root, base, folder, baseline="ingest" not in skip,
                                              peers="peers" not in skip)
            if "enrich" not in skip:
                print("enrich …", flush=True)
                results["enrich"] = enrich_part(bench, folder / "w.duckdb")
        if "scale" not in skip:
            results["scale"] = []
            for n in sizes:
                print(f"scale: {n} articles …", flush=True)
                if n == args.articles and "enrich" in results:  # the side-by-side run is this point already
                    ingested = results["main"]["ingest"]
                    point = scale_figures(n, ingested, results["main"]["repoll"], results["enrich"]["flow_2"])
                else:
                    point = scale_point(bench, args.work, n, args.seed)
                results["scale"].append(point)
    if "query" not in skip:
        print("query …", flush=True)
        results["query"] = query_part(args.work, args.query_db, args.query_articles)
    results["machine"]["load_average_after"] = os.getloadavg()[0]
    print()
    print("\n".join(report(results)))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
