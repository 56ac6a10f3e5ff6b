"""What every flow does around its stages: the runs table, warehouse connections, the summary artifact."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

import duckdb
from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from wirehouse.models import PageResult, RunStats
from wirehouse.settings import Settings
from wirehouse.tasks.archive import WarcWriter
from wirehouse.warehouse import connect
from wirehouse.warehouse.loaders import finish_run, start_run
from wirehouse.warehouse.snapshot import publish_snapshot


@dataclass
class RunContext:
    settings: Settings
    run_id: str = ""
    stats: RunStats = field(default_factory=RunStats)

    @contextmanager
    def warehouse(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one step. Held only while writing, so other processes get their turn between."""
        con = connect(self.settings.db, wait=self.settings.lock_wait)
        try:
            yield con
        finally:
            con.close()


def _publish(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Publish the analysts' snapshot. A failure (a full disk) is logged, never the run's outcome: the live
    warehouse holds everything, and the next run publishes again."""
    if not settings.publish_snapshot:
        return
    try:
        publish_snapshot(con, settings.db)
    except Exception as exc:
        get_run_logger().warning("snapshot not published: %s: %s", type(exc).__name__, exc)


@contextmanager
def recorded_run(flow: str, settings: Settings) -> Iterator[RunContext]:
    """Record the run in the warehouse (completed or failed), publish the analysts' snapshot and a summary artifact."""
    ctx = RunContext(settings)
    started = time.monotonic()
    with ctx.warehouse() as con:
        ctx.run_id = start_run(con, flow, str(flow_run.id) if flow_run.id else None)
    try:
        yield ctx
    except BaseException as exc:
        with ctx.warehouse() as con:
            finish_run(con, ctx.run_id, ctx.stats.counts, error=f"{type(exc).__name__}: {exc}"[:2000])
            _publish(con, settings)  # what the failed run committed is sound: analysts see it too
        raise
    ctx.stats.add("duration_seconds", round(time.monotonic() - started))
    with ctx.warehouse() as con:
        finish_run(con, ctx.run_id, ctx.stats.counts)
        _publish(con, settings)
    get_run_logger().info("%s run %s: %s", flow, ctx.run_id, ctx.stats.counts)
    create_markdown_artifact(summary_markdown(flow, ctx.run_id, ctx.stats.counts), key=f"wirehouse-{flow}-summary",
                             description=f"wirehouse {flow} run {ctx.run_id}")


def page_counts(results: Sequence[PageResult]) -> Counter[str]:
    """A batch's outcomes, and its rejections and failures by reason: counters of the run."""
    counts = Counter(f"pages_{r.outcome}" for r in results)
    counts.update(f"reason: {r.reason.split(':')[0]}" for r in results if r.reason)
    return counts


def summary_markdown(flow: str, run_id: str, counts: dict[str, int]) -> str:
    """The run's artifact: its counters, with rejected and failed pages grouped by reason."""
    reasons = {k.removeprefix("reason: "): v for k, v in counts.items() if k.startswith("reason: ")}
    counters = {k: v for k, v in counts.items() if not k.startswith("reason: ")}
    lines = [f"# {flow} run `{run_id}`", "", "| counter | value |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in sorted(counters.items())]
    if reasons:
        lines += ["", "## Pages not loaded, by reason", "", "| reason | pages |", "|---|---:|"]
        lines += [f"| {k} | {v} |" for k, v in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))]
    return "\n".join(lines) + "\n"


def open_archive(settings: Settings, run_id: str) -> WarcWriter | nullcontext[None]:
    """The run's raw page archive writer (its files are named for the run and process), or nothing when off."""
    if not settings.archive_pages:
        return nullcontext()
    return WarcWriter(settings.archive_root, prefix=f"wirehouse-{run_id[:8]}")
