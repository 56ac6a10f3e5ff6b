"""A read-only copy of the warehouse for analysts, published by the writers: readers never hold the live file.

DuckDB lets one process write a database file, and any open connection in another process, even a read-only one,
locks writers out. So analysts do not open the live file: after each successful run (and on demand) the writer,
while it holds the live file, checkpoints it and copies it to a temporary file beside the snapshot, then renames
that onto the snapshot path. The rename is atomic (POSIX): a reader with the old snapshot open keeps reading the
old, unlinked file undisturbed, and its next connection opens the new one. Nothing ever writes to a snapshot.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from pathlib import Path

import duckdb

from wirehouse.warehouse.search import load_fts

READ_SUFFIX = ".read.duckdb"
_CHUNK = 1 << 30  # bytes per copy_file_range call
_BUFFER = 1 << 20  # bytes per read and write where copy_file_range cannot
_NO_COPY_FILE_RANGE = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EPERM}


class SnapshotMissing(FileNotFoundError):
    """No snapshot has been published for this warehouse yet."""


def snapshot_path(db: Path | str) -> Path:
    """Where the snapshot of warehouse `db` lives: data/wirehouse.duckdb -> data/wirehouse.read.duckdb."""
    db = Path(db)
    if db.name.endswith(READ_SUFFIX):
        raise ValueError(f"{db} is a snapshot, not a warehouse")
    stem = db.name.removesuffix(".duckdb")
    return db.with_name(stem + READ_SUFFIX)


def _same_file(a: Path, b: Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def _copy(src: Path, dst_fd: int) -> None:
    """Copy src into the open, empty file dst_fd: in the kernel by copy_file_range (a reflink, so nearly free, on
    XFS and Btrfs), else with read and write."""
    with open(src, "rb") as fsrc:
        try:
            while os.copy_file_range(fsrc.fileno(), dst_fd, _CHUNK):
                pass
            return
        except OSError as exc:  # not across these file systems, or not on this kernel: the portable way
            if exc.errno not in _NO_COPY_FILE_RANGE:
                raise
            os.lseek(dst_fd, 0, os.SEEK_SET)
            os.ftruncate(dst_fd, 0)
            fsrc.seek(0)
        with open(dst_fd, "wb", closefd=False) as fdst:
            shutil.copyfileobj(fsrc, fdst, _BUFFER)


def publish_snapshot(con: duckdb.DuckDBPyConnection, db: Path | str, target: Path | str | None = None) -> Path:
    """Publish the warehouse as it is now to `target` (default: snapshot_path(db)); returns the snapshot's path.

    `con` is an open writable connection on `db`, outside any transaction. DuckDB's file lock makes its process the
    only one holding the file, and nothing may write through this process's other connections meanwhile: the copy
    is of the file as the checkpoint leaves it. Other writers wait for the lock while the copy runs.
    """
    db = Path(db)
    target = Path(target) if target is not None else snapshot_path(db)
    if _same_file(target, db):
        raise ValueError(f"the snapshot cannot be the warehouse itself: {target}")
    (held,) = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    if not held or not _same_file(Path(held), db):
        raise ValueError(f"publish_snapshot needs a connection on {db}, not on {held or 'memory'}")
    con.execute("CHECKPOINT")  # everything into the main file: the write-ahead log is empty after it
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        try:
            os.fchmod(fd, stat.S_IMODE(os.stat(db).st_mode))  # readable by whoever may read the warehouse
            _copy(db, fd)
            os.fsync(fd)  # the data on disk before the rename that publishes it
        finally:
            os.close(fd)
        # A log beside the snapshot (someone opened it writable) would be replayed onto the new file by a reader.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{target}.wal")
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)
    return target


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def open_snapshot(db: Path | str, *, files: bool = False) -> duckdb.DuckDBPyConnection:
    """A read-only connection on the newest published snapshot of warehouse `db`.

    The in-memory database it stands in could ATTACH the live file writable or COPY anywhere, so external access
    is switched off and the configuration locked; files=True keeps file output (COPY TO) for exports.

    The snapshot is attached, read-only, to a fresh in-memory database and made the default catalog, so queries
    name tables as usual and temporary tables still work. It is not opened with duckdb.connect(path): DuckDB hands
    a process one cached instance per path while any connection to it is open, which would go on serving the
    snapshot that was current when the first was opened.
    """
    path = snapshot_path(db)
    if not path.is_file():
        raise SnapshotMissing(
            f"no snapshot of {db} at {path} yet: one is published after each successful ingest or enrich run, "
            f"or on demand with wirehouse.warehouse.snapshot.publish_snapshot(con, db) on a writable connection"
        )
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'UTC'")
        quoted = str(path).replace("'", "''")  # ATTACH takes no parameters
        con.execute(f"ATTACH '{quoted}' AS snapshot (READ_ONLY)")
        con.execute("USE snapshot")
        load_fts(con)  # before the lock: loading an extension is external access
        if not files:
            con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con
