"""Shared fixtures: the demo corpus on a loopback server, the seed document, a Prefect test server."""

from __future__ import annotations

import html
import importlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from wirehouse.demo import DEMO_ENVIRONMENT
from wirehouse.prefect_env import quiet_prefect

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED_FILE = SHARED / "seeds" / "000_b1ec6d719b2adf36.txt"
ZYTE = SHARED / "eval" / "zyte-dev"
BENCH = ROOT / "bench"


def load_bench(name: str) -> ModuleType:
    """bench/<name>.py as a module, seeing its siblings as `python bench/<name>.py` does (bench/ is appended to
    sys.path, behind everything installed)."""
    if str(BENCH) not in sys.path:
        sys.path.append(str(BENCH))
    return importlib.import_module(name)


def pytest_configure(config: pytest.Config) -> None:
    # Before anything imports prefect: offline, quiet, and a throw-away home per test session.
    quiet_prefect()
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="wirehouse-test-prefect-")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def flattened_seed(seed_text: str) -> str:
    """Seed rendering (b): every line of the seed file as its own <p> in a bare <body>."""
    paragraphs = "".join(f"<p>{html.escape(line)}</p>\n" for line in seed_text.splitlines() if line.strip())
    return f"<!DOCTYPE html><html><body>\n{paragraphs}</body></html>"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """The demo corpus rendered and served on 127.0.0.1: (site, corpus)."""
    from wirehouse.demo_corpus import render_corpus
    from wirehouse.localserver import serve_directory

    root = tmp_path_factory.mktemp("demo-site")
    with serve_directory(root) as site:
        yield site, render_corpus(root, site.base_url)


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One temporary Prefect server for every flow test of the session (it costs ~15 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def local_sites(monkeypatch: pytest.MonkeyPatch) -> None:
    """Flows read settings from the environment: reach 127.0.0.1, and do not pace requests to it."""
    for key, value in DEMO_ENVIRONMENT.items():
        monkeypatch.setenv(key, value)
