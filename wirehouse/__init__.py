"""wirehouse: feeds → fetched pages → clean articles → entities, in DuckDB."""

__version__ = "0.1.0"
