"""Worker processes for CPU-bound stages, started only when a batch is big enough to pay for them."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor


class WorkerPool:
    """A process pool created on first need and shut down on exit.

    Workers are spawned, not forked: the parent runs Prefect's threads, and forking a threaded process can
    deadlock. Spawned workers import and load models once each, so small batches stay in-process.
    """

    def __init__(self, workers: int, *, min_items: int = 64) -> None:
        self.workers = workers
        self.min_items = min_items
        self._executor: ProcessPoolExecutor | None = None

    def for_batch(self, n_items: int) -> Executor | None:
        if self.workers <= 1 or n_items < self.min_items:
            return None
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
            )
        return self._executor

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
            self._executor = None
