"""The DuckDB warehouse: schema migrations, loaders and SQL."""

from wirehouse.warehouse.db import connect, read_sql, run_sql

__all__ = ["connect", "read_sql", "run_sql"]
