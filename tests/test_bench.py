"""The benchmarks run on a tiny input, so they cannot rot (CI runs these; they are slow for the default suite)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BENCH


@pytest.mark.slow
def test_enrich_benchmark_runs(tmp_path: Path) -> None:
    out = tmp_path / "enrich.json"
    subprocess.run([sys.executable, BENCH / "enrich.py", "--articles", "8", "--json", out], check=True,
                   capture_output=True, timeout=600)
    figures = json.loads(out.read_text())
    assert set(figures["figures"]) == {"bare-1", "bare-2", "flow-1", "flow-2"}
    assert all(f["seconds"] > 0 and f["peak_rss_mb"] > 0 for f in figures["figures"].values())


@pytest.mark.slow
def test_entities_eval_runs() -> None:
    done = subprocess.run([sys.executable, BENCH / "entities_eval.py"], check=True, capture_output=True, text=True,
                          timeout=600)
    assert "canonicalize" in done.stdout


@pytest.mark.slow
def test_freshness_benchmark_runs(tmp_path: Path) -> None:
    out = tmp_path / "freshness.json"
    done = subprocess.run([sys.executable, BENCH / "freshness.py", "--feeds", "4", "--minutes", "0.5", "--drain", "30",
                           "--no-baseline", "--json", out], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    [adaptive] = json.loads(out.read_text())
    assert adaptive["pass"] == "adaptive" and adaptive["items"] > 0 and adaptive["polls"] > 0
    assert 0 <= adaptive["p50_s"] <= adaptive["p95_s"] <= adaptive["max_s"]
    assert "goal (p95 <= 120 s" in done.stdout


@pytest.mark.slow
def test_side_by_side_benchmark_runs(tmp_path: Path) -> None:
    """bench/run.py end to end on the smallest corpus: every part, the peers in their own venvs included."""
    out = tmp_path / "run.json"
    done = subprocess.run([sys.executable, BENCH / "run.py", "--articles", "40", "--scale", "40,60",
                           "--query-articles", "200", "--work", tmp_path / "work", "--json", out],
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert figures["server"]["requests"] > 0 and figures["server"]["requests_per_s"] > 0
    main = figures["main"]
    assert main["ingest"]["pages"] == main["listed_pages"], "every listed link has an outcome"
    assert 0 < main["ingest"]["articles"] < main["listed_pages"], "articles, and bad pages that are not"
    assert main["bare_extract_1"]["pages"] == main["bare_extract_2"]["pages"] > 0
    assert main["repoll"]["counts"]["entries_new"] == 0 and main["repoll"]["counts"]["feeds_polled"] > 0
    assert main["repoll_due_only"]["counts"]["feeds_not_due"] > 0, "learned intervals: nothing is due again at once"
    for peer in ("newspaper4k", "news-please"):
        assert main[f"peer_{peer}"]["blocked_connections"] == 0
        assert main[f"peer_{peer}"]["pages_per_s"] > 0
    for system in ("wirehouse", "trafilatura.extract", "newspaper4k", "news-please"):
        assert main["f1"][system]["eval"]["f1"] > 0.5, system
        assert main["f1"][system]["synthetic"]["f1"] > 0.5, system
    enrich = figures["enrich"]
    assert enrich["flow_1"]["counts"]["articles_enriched"] == enrich["bare_1"]["articles"] == main["ingest"]["articles"]
    assert all(f["seconds"] > 0 and f["peak_tree_mb"] > 0 for f in enrich.values())
    assert [p["articles_generated"] for p in figures["scale"]] == [40, 60]
    assert all(p["articles_loaded"] > 0 and p["ingest_peak_mb"] > 0 for p in figures["scale"])
    assert figures["query"]["articles"] == 200 and figures["query"]["story_clusters"]["rows"] > 0
    assert "goal: ingest >= 0.9x" in done.stdout and "goal: peak memory <= 1.5 GB" in done.stdout
