"""Worker processes for CPU-bound stages, started only when a batch is big enough to pay for them."""

from __future__ import annotations

import atexit
import multiprocessing
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from functools import cache

MIN_BATCH_FOR_WORKERS = 64  # below this, starting (and warming) worker processes costs more than it saves
# Workers are replaced after about this many pages each: a fresh worker costs its imports (1-3 s), and lxml and
# trafilatura keep little from page to page. The whole pool is replaced, between batches: ProcessPoolExecutor's own
# max_tasks_per_child deadlocks on Python 3.11 when two threads submit (a worker retires while the other batch's
# tasks are queued).
ITEMS_PER_WORKER = 2000
# An article through spaCy wears a worker this many pages' worth: its string store and caches grow with every new
# text (+165 MB a worker over 2,000 articles of the replay corpus), so NER workers are replaced after 800.
NER_WEAR = 2.5


class WorkerPool:
    """A process pool created on first need, replaced when worn out or when a worker dies, shut down with the
    process.

    Workers are spawned, not forked: the parent runs Prefect's threads, and forking a threaded process can
    deadlock. Spawned workers import and load models once each, so one pool serves many batches. Batches borrow
    the pool with `lend`; a worn-out pool takes no new batch and shuts down when its last batch gives it back,
    and only then does its successor start: never more than `workers` processes hold their models at once.
    """

    def __init__(self, workers: int, *, min_items: int = MIN_BATCH_FOR_WORKERS) -> None:
        self.workers = workers
        self.min_items = min_items
        self._executor: ProcessPoolExecutor | None = None
        self._wear = 0.0  # pages' worth of work lent to the current executor
        self._borrowers: Counter[ProcessPoolExecutor] = Counter()
        self._lock = threading.Condition()  # batches may borrow from several threads at once

    @contextmanager
    def lend(self, n_items: int, *, isolate: bool = False, wear: float = 1.0) -> Iterator[Executor | None]:
        """The executor for a batch of n_items while the block runs, or None: run the batch in this process.

        isolate asks for worker processes whatever the batch size: work that may have to be killed (a page
        over its time budget) cannot run in this process. wear: what one item costs a worker, in pages.
        """
        if not isolate and (self.workers <= 1 or n_items < self.min_items):
            yield None
            return
        with self._lock:
            executor = self._start()
            self._wear += n_items * wear
            self._borrowers[executor] += 1
        try:
            yield executor
        finally:
            with self._lock:
                self._borrowers[executor] -= 1
                if executor is not self._executor and not self._borrowers[executor]:
                    del self._borrowers[executor]
                    executor.shutdown()  # retired, and its last batch is done: the workers exit
                    self._lock.notify_all()

    def _start(self) -> ProcessPoolExecutor:
        while True:
            if self._executor is not None and self._wear >= self.workers * ITEMS_PER_WORKER:
                self._retire()
            if self._executor is not None:
                return self._executor
            if not self._borrowers:  # no retired pool is still finishing a batch
                self._executor = ProcessPoolExecutor(max_workers=self.workers,
                                                     mp_context=multiprocessing.get_context("spawn"))
                self._wear = 0.0
                self._lock.notify_all()  # for batches that waited: this one is theirs too
                return self._executor
            self._lock.wait()

    def _retire(self) -> None:
        """Take no new batch on the current executor; shut it down now if no batch holds it."""
        executor, self._executor = self._executor, None
        if executor is not None and not self._borrowers[executor]:
            del self._borrowers[executor]
            executor.shutdown()

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
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(cancel_futures=True)


@cache
def shared_pool(workers: int) -> WorkerPool:
    """One pool per process and size, like the cached spaCy model: stages ask for it, nobody passes it around."""
    pool = WorkerPool(workers)
    atexit.register(pool.shutdown)
    return pool
