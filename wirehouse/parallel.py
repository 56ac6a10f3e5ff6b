"""Worker processes for CPU-bound stages, started only when a batch is big enough to pay for them."""

from __future__ import annotations

import atexit
import multiprocessing
import threading
from concurrent.futures import Executor, ProcessPoolExecutor
from functools import cache

MIN_BATCH_FOR_WORKERS = 64  # below this, starting (and warming) worker processes costs more than it saves
# A worker is replaced after this many chunks: spaCy's string store and caches grow with every new text, so a
# long-lived worker's memory creeps up; a fresh one costs a model load (~1 s) every few thousand articles.
TASKS_PER_WORKER = 100


class WorkerPool:
    """A process pool created on first need, replaced if a worker dies, shut down with the process.

    Workers are spawned, not forked: the parent runs Prefect's threads, and forking a threaded process can
    deadlock. Spawned workers import and load models once each, so one pool serves a whole process.
    """

    def __init__(self, workers: int, *, min_items: int = MIN_BATCH_FOR_WORKERS) -> None:
        self.workers = workers
        self.min_items = min_items
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def for_batch(self, n_items: int, *, isolate: bool = False) -> Executor | None:
        """The executor for a batch of n_items, or None: run it in this process.

        isolate asks for worker processes whatever the batch size: work that may have to be killed (a page
        over its time budget) cannot run in this process.
        """
        if not isolate and (self.workers <= 1 or n_items < self.min_items):
            return None
        with self._lock:  # batches may ask from several threads at once
            return self._start()

    def _start(self) -> Executor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                max_tasks_per_child=TASKS_PER_WORKER,
            )
        return self._executor

    def discard_broken(self, executor: Executor | None) -> None:
        """After a worker of `executor` died (BrokenProcessPool), drop that pool so the next batch gets a new one.

        Two batches may share a pool and both see it break: only the pool that broke is dropped, never a
        fresh one another batch has started meanwhile.
        """
        with self._lock:
            if executor is not None and executor is self._executor:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None

    def kill(self, executor: Executor) -> None:
        """Kill `executor`'s workers (one is stuck where no timer reaches it) and drop that pool."""
        # ProcessPoolExecutor has no public way to stop a running task before Python 3.14's terminate_workers().
        for process in list(getattr(executor, "_processes", {}).values()):
            process.kill()
        self.discard_broken(executor)

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
            self._executor = None


@cache
def shared_pool(workers: int) -> WorkerPool:
    """One pool per process and size, like the cached spaCy model: stages ask for it, nobody passes it around."""
    pool = WorkerPool(workers)
    atexit.register(pool.shutdown)
    return pool
