"""Progress of long runs: flows report, whoever runs them shows it (rich bars in the CLI, nothing under a worker)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

# (step, items done so far, items in all or None when unknown)
Reporter = Callable[[str, int, int | None], None]

_reporter: ContextVar[Reporter | None] = ContextVar("wirehouse_progress", default=None)


def report(step: str, done: int, total: int | None = None) -> None:
    reporter = _reporter.get()
    if reporter is not None:
        reporter(step, done, total)


@contextmanager
def rich_progress(console: Console) -> Iterator[None]:
    """Show every step the flows report as a bar (a counter when the total is unknown) while the block runs."""
    bars = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=False)
    tasks: dict[str, int] = {}

    def show(step: str, done: int, total: int | None) -> None:
        if step not in tasks:
            tasks[step] = bars.add_task(step, total=total)
        bars.update(tasks[step], completed=done, total=total)

    token = _reporter.set(show)
    try:
        with bars:
            yield
    finally:
        _reporter.reset(token)
