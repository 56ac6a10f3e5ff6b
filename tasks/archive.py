"""The raw page archive: every fetched body, kept in WARC files and referenced from the warehouse by ArchiveRef.

Each record is its own gzip member, so (file, offset, length) is enough to seek to one record and decompress it
alone. Records are WARC/1.1 so that WARC-Date keeps microseconds: fetched_at round-trips exactly. iter_responses
reads anyone's WARC (e.g. Common Crawl CC-NEWS), compressed or not.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from http.client import responses as reason_phrases
from io import BytesIO
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, iso_date_to_datetime
from warcio.warcwriter import WARCWriter

# One ArchiveRef type for the whole pipeline: PageResult.archive and the warehouse loaders already use this one.
from wirehouse.models import ArchiveRef

__all__ = ["ArchiveError", "ArchiveRef", "ArchivedResponse", "WarcWriter", "iter_responses", "read_response"]

# Given headers the writer replaces (the type and length of the stored body) or drops: the body is stored decoded,
# so a Content-Encoding or Transfer-Encoding header would make every reader decode it a second time.
_OWN_HEADERS = frozenset({"content-type", "content-length", "content-encoding", "transfer-encoding"})


class ArchiveError(Exception):
    """A missing archive file, or a truncated, corrupt or unexpected record."""


@dataclass(frozen=True)
class ArchivedResponse:
    url: str  # WARC-Target-URI
    fetched_at: datetime  # WARC-Date, timezone-aware UTC
    status: int | None  # HTTP status; None for a `resource` record (or a response without HTTP headers)
    content_type: str | None  # HTTP Content-Type; a `resource` record's WARC Content-Type
    body: bytes  # the payload with any HTTP transfer/content encoding undone
    ref: ArchiveRef | None = None  # where it was read from, when read from a file
    too_large: bool = False  # the payload ran past the reader's max_body: body is empty


class WarcWriter:
    """Appends response records to rolling .warc.gz files under root; one writer per process (files are named so two
    processes never share one). A context manager; close() flushes and fsyncs.

    Files: root/YYYY/MM/DD/<prefix>-<YYYYmmddHHMMSS>-<pid>-<seq>.warc.gz (UTC, when opened), each starting with a
    warcinfo record. A file is closed once it reaches max_file_bytes; the next write opens a new one.
    """

    def __init__(self, root: Path, prefix: str = "wirehouse", max_file_bytes: int = 1_000_000_000) -> None:
        self.root = Path(root)
        self.prefix = prefix
        self.max_file_bytes = max_file_bytes
        self._seq = 0
        self._file: BinaryIO | None = None
        self._name = ""  # the open file's path relative to root
        self._warc: WARCWriter | None = None
        self._lock = threading.Lock()  # two threads writing at once would interleave records

    def write_response(self, url: str, fetched_at: datetime, status: int | None, content_type: str | None,
                       body: bytes, headers: Mapping[str, str] | None = None) -> ArchiveRef:
        """Archive one fetched body (decoded, as the client returned it). status None: a `resource` record, which
        has no HTTP headers, so `headers` are not kept. fetched_at must be timezone-aware."""
        if fetched_at.tzinfo is None:
            raise ValueError("fetched_at must be timezone-aware")  # naive would silently mean local time
        with self._lock:
            if self._file is None:
                self._open()
            assert self._file is not None and self._warc is not None
            record = _record(self._warc, url, fetched_at, status, content_type, body, headers or {})
            offset = self._file.tell()
            try:
                self._warc.write_record(record)  # flushes: a crash loses at most this record
            except BaseException:
                # Leave the half record at the end of that file (iter_responses reports it there) rather than
                # append good records after it, where a sequential reader would never reach them.
                with contextlib.suppress(OSError):
                    self._file.close()
                self._file = self._warc = None
                raise
            ref = ArchiveRef(self._name, offset, self._file.tell() - offset)
            if self._file.tell() >= self.max_file_bytes:
                self._close_file()
            return ref

    def sync(self) -> None:
        """Make what was written durable (fsync): before the warehouse commits references to it."""
        with self._lock:
            if self._file is not None:
                self._file.flush()
                os.fsync(self._file.fileno())

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._close_file()

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _open(self) -> None:
        now = datetime.now(UTC)
        folder = self.root / f"{now:%Y/%m/%d}"
        folder.mkdir(parents=True, exist_ok=True)
        while True:  # the pid keeps processes apart; exclusive creation keeps writers of one process apart
            path = folder / f"{self.prefix}-{now:%Y%m%d%H%M%S}-{os.getpid()}-{self._seq:05d}.warc.gz"
            self._seq += 1
            try:
                self._file = open(path, "xb")  # noqa: SIM115 - held open across writes until _close_file
                break
            except FileExistsError:
                continue
        self._name = path.relative_to(self.root).as_posix()
        self._warc = WARCWriter(self._file, gzip=True, warc_version="1.1")
        info = {"software": "wirehouse", "format": "WARC File Format 1.1"}
        self._warc.write_record(self._warc.create_warcinfo_record(path.name, info))

    def _close_file(self) -> None:
        assert self._file is not None
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = self._warc = None


def _record(warc: WARCWriter, url: str, fetched_at: datetime, status: int | None, content_type: str | None,
            body: bytes, headers: Mapping[str, str]) -> ArcWarcRecord:
    date = datetime_to_iso_date(fetched_at.astimezone(UTC).replace(tzinfo=None), use_micros=True)
    warc_headers = {"WARC-Date": date}
    if status is None:
        record = warc.create_warc_record(url, "resource", payload=BytesIO(body), length=len(body),
                                         warc_content_type=content_type or "", warc_headers_dict=warc_headers)
        if content_type is None:
            record.content_type = None  # warcio's default (application/warc-record) would be read back as the type
        return record
    http = [(name, value) for name, value in headers.items() if name.lower() not in _OWN_HEADERS]
    if content_type is not None:
        http.insert(0, ("Content-Type", content_type))
    http.append(("Content-Length", str(len(body))))
    http_headers = StatusAndHeaders(f"{status} {reason_phrases.get(status, '')}".rstrip(), http, protocol="HTTP/1.1")
    return warc.create_warc_record(url, "response", payload=BytesIO(body), length=len(body),
                                   http_headers=http_headers, warc_headers_dict=warc_headers)


def read_response(root: Path, ref: ArchiveRef) -> ArchivedResponse:
    """The one record at ref (its file relative to root, or absolute), read without reading the rest of the file."""
    path = Path(root) / ref.file
    try:
        with open(path, "rb") as file:
            file.seek(ref.offset)
            data = file.read(ref.length)
    except OSError as exc:
        raise ArchiveError(f"cannot read {path}: {exc}") from exc
    if len(data) != ref.length:
        raise ArchiveError(f"{path}: {ref.length} bytes at offset {ref.offset} run past the end of the file")
    # Offsets counted from ref.offset, so a record that fills exactly the given bytes comes back with ref itself.
    response = next(_responses(BytesIO(data), ref.file, ref.offset), None)
    if response is None or response.ref != ref:
        raise ArchiveError(f"{path}: no response record spans exactly offset {ref.offset}, length {ref.length}")
    return replace(response, ref=ref)


def iter_responses(path: Path, max_body: int | None = None) -> Iterator[ArchivedResponse]:
    """Every `response` and `resource` record of one WARC file (.warc or .warc.gz, ours or anyone's), with its ref
    (file: path as given). Other records are skipped. A truncated or corrupt file raises ArchiveError naming the
    file and offset, after the good records before it. A payload over max_body decoded bytes comes back empty,
    marked too_large: memory stays bounded whatever the file holds."""
    try:
        with open(path, "rb") as file:
            yield from _responses(file, Path(path).as_posix(), 0, max_body)
    except OSError as exc:
        raise ArchiveError(f"cannot read {path}: {exc}") from exc


def _responses(file: BinaryIO, name: str, base: int, max_body: int | None = None) -> Iterator[ArchivedResponse]:
    """The response and resource records of file, each checked whole; refs name `name`, offsets count from base."""
    records = ArchiveIterator(file)
    while True:
        try:
            record = next(records, None)
            if record is None:
                break
            offset = records.offset
            response = _response(record, max_body) if record.rec_type in ("response", "resource") else None
            length = records.get_record_length()  # reads to the end of the record
        except Exception as exc:  # warcio meets malformed bytes with whatever they trigger, not only ArchiveLoadFailed
            raise ArchiveError(f"{name}: bad record at offset {base + records.offset}: {exc}") from exc
        # warcio takes a short read for the end of a record, and a cut Content-Length for 0: a record must have a
        # Content-Length (then warcio limits raw_stream to it), fill it, and in a .warc.gz end its gzip member.
        decompressor = records.reader.decompressor
        whole = (record.rec_headers.get_header("Content-Length") or "").isdecimal() and record.raw_stream.limit == 0
        if not whole or (decompressor is not None and not decompressor.eof):
            raise ArchiveError(f"{name}: truncated record at offset {base + offset}")
        if response is not None:
            yield replace(response, ref=ArchiveRef(name, base + offset, length))
    # warcio also stops silently at a record cut inside its headers: whatever it did not consume is a broken record.
    if records.offset != file.seek(0, os.SEEK_END):
        raise ArchiveError(f"{name}: truncated record at offset {base + records.offset}")


def _response(record: ArcWarcRecord, max_body: int | None = None) -> ArchivedResponse:
    url, date = record.rec_headers.get_header("WARC-Target-URI"), record.rec_headers.get_header("WARC-Date")
    if not url or not date:
        raise ValueError("no WARC-Target-URI or WARC-Date")
    http = record.http_headers  # None for a resource record
    code = http.get_statuscode() if http else ""
    # read at most one byte past the limit: a huge page or a compression bomb stops there
    body = record.content_stream().read() if max_body is None else record.content_stream().read(max_body + 1)
    too_large = max_body is not None and len(body) > max_body
    if too_large:
        body = b""
    return ArchivedResponse(
        url=url,
        fetched_at=iso_date_to_datetime(date, tz_aware=True),
        status=int(code) if code.isdecimal() else None,
        content_type=http.get_header("Content-Type") if http else record.content_type,
        body=body,
        too_large=too_large,
    )
