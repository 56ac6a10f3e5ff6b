"""The benchmarks run on a tiny input, so they cannot rot (CI runs these; they are slow for the default suite)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


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
