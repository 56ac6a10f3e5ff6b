"""The worker pool: batches from two threads at once, pools worn out and replaced between batches."""

from __future__ import annotations

import threading
from concurrent.futures import Executor, ProcessPoolExecutor

import pytest

from wirehouse import parallel
from wirehouse.parallel import WorkerPool


def _echo(payload: bytes) -> int:
    return len(payload)


def test_two_threads_borrow_while_the_pool_is_worn_out_and_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """Python 3.11's own max_tasks_per_child deadlocked exactly here: two batches queued while a worker retired.
    A batch that finds the pool worn out waits for the other batch to give it back, then both use its successor."""
    monkeypatch.setattr(parallel, "ITEMS_PER_WORKER", 30)  # a new pool every 60 items: every batch or so
    pool = WorkerPool(2, min_items=1)
    lent: list[Executor] = []
    failures: list[BaseException] = []

    def batches() -> None:
        try:
            for _ in range(4):
                with pool.lend(50) as executor:
                    # a pool starts only once its predecessor is shut down: never twice the workers at once
                    assert all(e._shutdown_thread for e in lent if e is not executor)
                    lent.append(executor)
                    futures = [executor.submit(_echo, bytes(60_000 + i)) for i in range(50)]
                    assert [f.result(timeout=60) for f in futures] == [60_000 + i for i in range(50)]
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=batches) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(t.is_alive() for t in threads), "a batch never finished"
        assert not failures, failures
        pools = list(dict.fromkeys(lent))
        assert len(pools) >= 3, "worn-out pools are replaced"
        current = pools[-1]
        for executor in pools[:-1]:  # every retired pool was shut down once its batches gave it back
            assert isinstance(executor, ProcessPoolExecutor) and executor._shutdown_thread
        assert not current._shutdown_thread
    finally:
        pool.shutdown()


def test_small_batches_stay_in_this_process_unless_isolated() -> None:
    pool = WorkerPool(2, min_items=10)
    try:
        with pool.lend(9) as executor:
            assert executor is None
        with pool.lend(1, isolate=True) as executor:
            assert executor is not None and executor.submit(_echo, b"abc").result(timeout=60) == 3
    finally:
        pool.shutdown()
