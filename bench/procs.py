"""Run one measurement in a fresh interpreter and sample the memory of its whole process tree.

`ru_maxrss` of RUSAGE_CHILDREN is the largest single child, not the sum: a pipeline with worker processes needs the
tree's total, sampled from /proc while it runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        return [int(c) for task in tasks for c in (task / "children").read_text().split()]
    except OSError:  # the process ended between two reads
        return []


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
    except (OSError, IndexError):
        return 0


def tree_rss(pid: int) -> tuple[int, int]:
    """Resident bytes of a process and all its descendants now, and of the process alone."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += _rss(current)
        stack += _children(current)
    return total, _rss(pid)


def run_measured(args: list[str], env: dict[str, str] | None = None, every: float = 0.1,
                 timeout: float | None = None) -> dict:
    """Run `args`, whose last stdout line is a JSON object; that object plus wall seconds and the tree's peak RSS."""
    started = time.perf_counter()
    process = subprocess.Popen([str(a) for a in args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    peak = peak_main = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_main
        while not done.wait(every):
            tree, main = tree_rss(process.pid)
            peak, peak_main = max(peak, tree), max(peak_main, main)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        done.set()
        sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} exited {process.returncode}:\n{err[-4000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    return result | {"wall_seconds": round(time.perf_counter() - started, 2), "peak_tree_mb": round(peak / 1e6, 1),
                     "peak_main_mb": round(peak_main / 1e6, 1)}
