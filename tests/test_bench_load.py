"""The load benchmark on a tiny input, so it cannot rot: both systems measured, wirehouse's warehouse complete."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb

from conftest import BENCH


def test_load_benchmark_runs(tmp_path: Path) -> None:
    out, db = tmp_path / "out.json", tmp_path / "kept.duckdb"
    done = subprocess.run([sys.executable, BENCH / "load.py", "--articles", "300", "--json", out, "--db", db],
                          check=True, capture_output=True, text=True, timeout=300)
    assert "wirehouse/bare" in done.stdout
    figures = json.loads(out.read_text())
    assert set(figures["systems"]) == {"wirehouse", "bare"}
    for system in figures["systems"].values():
        assert system["articles"]["rows"] == 300
        assert system["mentions"]["rows"] > 300 * 10  # ~20 an article
        assert system["articles"]["rows_per_s"] > 0 and system["mentions"]["rows_per_s"] > 0
        assert system["peak_rss_mb"] > 0 and system["file_mb"] > 0
    assert figures["systems"]["wirehouse"]["mentions"]["rows"] == figures["systems"]["bare"]["mentions"]["rows"]
    assert all(ratio > 0 for ratio in figures["ratios"].values())
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 300
        assert con.execute("SELECT count(*) FROM articles WHERE story_id IS NULL").fetchone()[0] == 0
        mentions = con.execute("SELECT count(*) FROM mentions").fetchone()[0]
    assert mentions == figures["systems"]["wirehouse"]["mentions"]["rows"]
