"""bench/extraction.py: its metric on hand-made texts, and a smoke run on three benchmark pages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BENCH, load_bench

SYSTEMS = {"wirehouse", "trafilatura-default", "trafilatura-precision"}


extraction = load_bench("extraction")
score_page, aggregate = extraction.score_page, extraction.aggregate

TRUTH = "one two three four five six seven"  # 7 words: 4 shingles


def test_identical_texts_score_one() -> None:
    page = score_page(TRUTH, TRUTH)
    assert (page.precision, page.recall, page.f1) == (1.0, 1.0, 1.0)


def test_disjoint_texts_score_zero() -> None:
    page = score_page(TRUTH, "alpha beta gamma delta epsilon")
    assert (page.precision, page.recall, page.f1) == (0.0, 0.0, 0.0)


def test_half_the_shingles() -> None:
    missing_half = score_page(TRUTH, "one two three four five")  # 2 of the 4 shingles, nothing else
    assert (missing_half.precision, missing_half.recall) == (1.0, 0.5)
    padded = score_page("one two three four five", TRUTH)  # the same the other way round
    assert (padded.precision, padded.recall) == (0.5, 1.0)
    assert padded.f1 == pytest.approx(2 / 3)


def test_tokens_drop_punctuation_and_keep_case() -> None:
    assert extraction.tokenize("Hello, world! It's 2024…") == ["Hello", "world", "It", "s", "2024"]
    assert score_page("Hello world foo bar", "Hello, world: foo -- bar.").f1 == 1.0
    assert score_page("Hello world foo bar", "hello world foo bar").f1 == 0.0


def test_short_texts_and_repeated_shingles() -> None:
    assert extraction.shingles("just three words") == {("just", "three", "words"): 1}
    assert score_page("just three words", "just three words").f1 == 1.0
    repeated = score_page("a b c d a b c d", "a b c d")  # truth: abcd twice, bcda, cdab, dabc
    assert (repeated.precision, repeated.recall) == (1.0, 0.2)


def test_empty_prediction_counts_for_recall_only() -> None:
    empty = score_page(TRUTH, "")
    assert (empty.precision, empty.recall, empty.f1) == (None, 0.0, 0.0)
    figures = aggregate([score_page(TRUTH, TRUTH), empty])
    assert figures["precision"] == 1.0
    assert figures["recall"] == 0.5
    assert figures["f1"] == pytest.approx(2 / 3)


def test_means_are_over_pages_not_shingles() -> None:
    long_truth = " ".join(f"w{i}" for i in range(103))  # 100 shingles, all found
    figures = aggregate([score_page(long_truth, long_truth), score_page(TRUTH, "one two three four five")])
    assert figures["recall"] == pytest.approx(0.75)  # (1 + 0.5) / 2, not 102 / 104
    assert figures["precision"] == 1.0


def test_extraction_benchmark_runs(tmp_path: Path) -> None:
    out = tmp_path / "extraction.json"
    done = subprocess.run([sys.executable, BENCH / "extraction.py", "--limit", "3", "--worst", "2", "--json", out],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    figures = json.loads(out.read_text())
    assert figures["pages"] == 3
    assert set(figures["figures"]) == SYSTEMS
    for name, f in figures["figures"].items():
        assert all(0 <= f[key] <= 1 for key in ("precision", "recall", "f1")), name
        assert 0 <= f["empty"] <= 3 and f["ms_median"] > 0 and f["ms_total"] > 0, name
    assert set(figures["ratios"]) == SYSTEMS - {"wirehouse"}
    assert "wirehouse" in done.stdout and "lowest" in done.stdout
