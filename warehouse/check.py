"""`wirehouse check`: the warehouse's integrity, verified by the queries of warehouse/checks/ (each returns the rows
that break its rule: none is the pass), with the counts that say how complete and current it is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from wirehouse.warehouse.db import run_sql

CHECKS = Path(__file__).resolve().parent / "checks"
_HEADER = re.compile(r"^--\s*check:\s*(?P<rule>.+)$", re.MULTILINE)
SAMPLE = 5


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str  # the file's stem without its number: orphans, mention_offsets, ...
    rule: str
    violations: int
    columns: tuple[str, ...]
    sample: tuple[tuple, ...]  # the first offending rows


def _checks() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(CHECKS.glob("*.sql")):
        sql = path.read_text()
        header = _HEADER.search(sql)
        if header is None:
            raise ValueError(f"{path.name}: no `-- check:` header")
        found.append((path.stem.split("_", 1)[1], header["rule"].strip(), sql.strip().rstrip(";")))
    return found


def check_warehouse(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    results = []
    for name, rule, sql in _checks():
        violations = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
        relation = con.execute(f"SELECT * FROM ({sql}) LIMIT {SAMPLE}")
        columns = tuple(d[0] for d in relation.description)
        results.append(CheckResult(name, rule, violations, columns, tuple(relation.fetchall())))
    return results


def warehouse_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    return run_sql(con, "warehouse_counts").fetchall()
