"""The DuckDB warehouse: schema migrations, loaders and SQL."""

from wirehouse.warehouse.db import WarehouseBusy, connect, read_sql, run_sql

__all__ = ["WarehouseBusy", "connect", "read_sql", "run_sql"]
