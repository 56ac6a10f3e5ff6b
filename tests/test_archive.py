"""The raw page archive: WARC files written, read back by ref, and read whole (ours and foreign ones)."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from wirehouse.tasks.archive import (
    ArchivedResponse,
    ArchiveError,
    ArchiveRef,
    WarcWriter,
    iter_responses,
    read_response,
)

WHEN = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)

# (url, fetched_at, status, content_type, body)
PAGES = [
    ("https://example.com/a", WHEN, 200, "text/html; charset=utf-8", "<p>Zürich – naïve</p>".encode()),
    ("https://example.com/b?x=1&y=2", WHEN + timedelta(seconds=1, microseconds=-123456), 404, None, b""),
    ("https://example.org/latin", WHEN, 200, "text/html; charset=windows-1252", b"<p>caf\xe9 \x93q\x94</p>"),
    ("https://example.org/blob", WHEN, 599, "application/octet-stream", bytes(range(256)) * 64 + b"\r\n\r\n\x00"),
    ("https://example.net/gone", WHEN, 410, "text/plain", b"\x1f\x8b not really gzip"),
]


def write_pages(root: Path, **kwargs: int) -> list[ArchiveRef]:
    with WarcWriter(root, **kwargs) as writer:
        return [writer.write_response(*page, headers={"ETag": '"v1"'}) for page in PAGES]


def fields(response: ArchivedResponse) -> tuple[object, ...]:
    return (response.url, response.fetched_at, response.status, response.content_type, response.body)


def records(path: Path) -> list[tuple[str, StatusAndHeaders, StatusAndHeaders | None]]:
    """(WARC-Type, WARC headers, HTTP headers) of every record, read with plain warcio."""
    with open(path, "rb") as file:
        return [(r.rec_type, r.rec_headers, r.http_headers) for r in ArchiveIterator(file)]


def test_round_trip_by_file_and_by_ref(tmp_path: Path) -> None:
    refs = write_pages(tmp_path)

    assert len({ref.file for ref in refs}) == 1
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/wirehouse-\d{14}-\d+-00000\.warc\.gz", refs[0].file)
    path = tmp_path / refs[0].file
    read = list(iter_responses(path))
    assert [fields(r) for r in read] == PAGES
    assert [r.ref for r in read] == [ArchiveRef(path.as_posix(), ref.offset, ref.length) for ref in refs]
    for page, ref in zip(PAGES, refs, strict=True):
        response = read_response(tmp_path, ref)
        assert fields(response) == page
        assert response.ref == ref
    assert read[0].fetched_at.tzinfo == UTC  # microseconds survive too (WARC/1.1 dates)

    kinds = records(path)
    assert [k for k, _, _ in kinds] == ["warcinfo"] + ["response"] * len(PAGES)
    assert kinds[0][1]["WARC-Filename"] == path.name
    _, warc, http = kinds[1]
    assert warc["WARC-Target-URI"] == PAGES[0][0] and warc["WARC-Payload-Digest"] and warc["WARC-Block-Digest"]
    assert http.statusline == "200 OK"
    assert http["Content-Type"] == PAGES[0][3] and http["Content-Length"] == str(len(PAGES[0][4]))
    assert http["ETag"] == '"v1"'


def test_headers_that_would_misdescribe_the_stored_body_are_dropped(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        headers = {"content-encoding": "gzip", "Transfer-Encoding": "chunked", "Content-Length": "3",
                   "Content-Type": "text/xml", "Last-Modified": "Mon, 06 May 2024 07:08:09 GMT"}
        ref = writer.write_response("https://example.com/", WHEN, 200, "text/html", b"plain body", headers)

    (_, _, http) = records(tmp_path / ref.file)[1]
    assert http.headers == [("Content-Type", "text/html"), ("Last-Modified", "Mon, 06 May 2024 07:08:09 GMT"),
                            ("Content-Length", "10")]
    assert read_response(tmp_path, ref).body == b"plain body"


def test_fetched_at_comes_back_in_utc_and_must_be_aware(tmp_path: Path) -> None:
    paris = WHEN.astimezone(timezone(timedelta(hours=2)))
    with WarcWriter(tmp_path) as writer:
        ref = writer.write_response("https://example.com/", paris, 200, "text/html", b"x")
        with pytest.raises(ValueError, match="timezone-aware"):
            writer.write_response("https://example.com/", WHEN.replace(tzinfo=None), 200, "text/html", b"x")

    fetched_at = read_response(tmp_path, ref).fetched_at
    assert fetched_at == WHEN and fetched_at.utcoffset() == timedelta(0)


def test_refs_stay_valid_across_rolled_files(tmp_path: Path) -> None:
    refs = write_pages(tmp_path, max_file_bytes=1000)

    files = sorted(tmp_path.rglob("*.warc.gz"))  # in the order written: the names end in a sequence number
    assert len(files) >= 3
    assert sorted({ref.file for ref in refs}) == [f.relative_to(tmp_path).as_posix() for f in files]
    assert files[1].name.endswith("-00001.warc.gz")
    for page, ref in zip(PAGES, refs, strict=True):
        assert fields(read_response(tmp_path, ref)) == page
    for file in files:
        assert records(file)[0][0] == "warcinfo"  # every file stands alone
    assert [fields(r) for f in files for r in iter_responses(f)] == PAGES


def test_two_writers_never_share_a_file(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as one, WarcWriter(tmp_path) as two:
        a = one.write_response(*PAGES[0])
        b = two.write_response(*PAGES[2])
        a2 = one.write_response(*PAGES[3])

    assert a.file != b.file and a2.file == a.file
    assert [fields(read_response(tmp_path, ref)) for ref in (a, b, a2)] == [PAGES[0], PAGES[2], PAGES[3]]


def test_a_failed_write_moves_on_to_a_new_file(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        before = writer.write_response(*PAGES[0])
        with pytest.raises(UnicodeEncodeError):  # fails inside warcio's write, when encoding the WARC headers
            writer.write_response("https://example.com/\udc80", WHEN, 200, "text/html", b"x")
        after = writer.write_response(*PAGES[2])

    assert after.file != before.file
    assert [fields(r) for r in iter_responses(tmp_path / before.file)] == [PAGES[0]]
    assert fields(read_response(tmp_path, after)) == PAGES[2]


def test_nothing_is_written_before_the_first_record(tmp_path: Path) -> None:
    WarcWriter(tmp_path / "archive").close()
    assert not (tmp_path / "archive").exists()


@pytest.mark.parametrize("content_type", ["application/pdf", None])
def test_no_status_makes_a_resource_record(tmp_path: Path, content_type: str | None) -> None:
    with WarcWriter(tmp_path) as writer:
        ref = writer.write_response("https://example.com/doc", WHEN, None, content_type, b"%PDF-1.7\x00\xff")

    (kind, warc, http) = records(tmp_path / ref.file)[1]
    assert kind == "resource" and http is None and warc["Content-Type"] == content_type
    expected = ("https://example.com/doc", WHEN, None, content_type, b"%PDF-1.7\x00\xff")
    assert fields(read_response(tmp_path, ref)) == expected
    assert [fields(r) for r in iter_responses(tmp_path / ref.file)] == [expected]


def foreign_warc(gzipped: bool) -> bytes:
    """A crawler's WARC (CC-NEWS style: WARC/1.0, request/response pairs), with a revisit, metadata and a response
    whose body is sent gzip-encoded and chunked."""
    out = BytesIO()
    warc = WARCWriter(out, gzip=gzipped)
    warc.write_record(warc.create_warcinfo_record("CC-NEWS-x.warc.gz", {"software": "StormCrawler"}))
    when = {"WARC-Date": "2024-05-06T07:08:09Z"}
    request = StatusAndHeaders("GET /a HTTP/1.1", [("Host", "example.com")], is_http_request=True)
    response = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    warc.write_request_response_pair(
        warc.create_warc_record("https://example.com/a", "request", http_headers=request, warc_headers_dict=when),
        warc.create_warc_record("https://example.com/a", "response", payload=BytesIO(b"<p>a</p>"), length=8,
                                http_headers=response, warc_headers_dict=when),
    )
    warc.write_record(warc.create_warc_record("https://example.com/a", "metadata", payload=BytesIO(b"fetchTimeMs: 9"),
                                              length=14, warc_headers_dict=when))
    warc.write_record(warc.create_revisit_record("https://example.com/a", "sha1:AAAA", "https://example.com/a",
                                                 "2024-05-06T07:08:09Z", http_headers=response))
    zipped = gzip.compress(b"<p>b</p>")
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(zipped), zipped)
    encoded = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
                                          ("Transfer-Encoding", "chunked")], protocol="HTTP/1.1")
    warc.write_record(warc.create_warc_record("https://example.com/b", "response", payload=BytesIO(chunked),
                                              length=len(chunked), http_headers=encoded, warc_headers_dict=when))
    return out.getvalue()


@pytest.mark.parametrize("name", ["foreign.warc.gz", "foreign.warc"])
def test_foreign_warc_yields_only_its_responses(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(foreign_warc(gzipped=name.endswith(".gz")))

    read = list(iter_responses(path))
    when = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert [fields(r) for r in read] == [("https://example.com/a", when, 200, "text/html", b"<p>a</p>"),
                                         ("https://example.com/b", when, 200, "text/html", b"<p>b</p>")]
    for response in read:  # a backfill's refs name the file as given; they work with any root
        assert response.ref is not None and response.ref.file == path.as_posix()
        assert fields(read_response(tmp_path / "elsewhere", response.ref)) == fields(response)


@pytest.mark.parametrize("cut", [1, 40, -3])
def test_truncated_file_yields_the_records_before_then_fails(tmp_path: Path, cut: int) -> None:
    refs = write_pages(tmp_path)
    path = tmp_path / refs[0].file
    last = refs[3]  # the binary body: several KB
    end = last.offset + cut if cut > 0 else last.offset + last.length + cut
    path.write_bytes(path.read_bytes()[:end])

    read = iter_responses(path)
    assert [fields(next(read)) for _ in range(3)] == PAGES[:3]
    with pytest.raises(ArchiveError, match=rf"{re.escape(path.as_posix())}: .* at offset {last.offset}\b"):
        next(read)
    with pytest.raises(ArchiveError):
        read_response(tmp_path, last)
    assert fields(read_response(tmp_path, refs[2])) == PAGES[2]


# In the body; and in the WARC headers, where warcio reads the cut "Content-Length: " as an empty record.
@pytest.mark.parametrize("cut_after", [b"<p>a", b"Content-Length: "])
def test_truncated_plain_warc_fails_too(tmp_path: Path, cut_after: bytes) -> None:
    data = foreign_warc(gzipped=False)
    path = tmp_path / "cut.warc"
    path.write_bytes(data[: data.index(cut_after, data.index(b"WARC-Type: response")) + len(cut_after)])

    with pytest.raises(ArchiveError, match="truncated record"):
        list(iter_responses(path))


def test_corrupt_member_is_an_archive_error(tmp_path: Path) -> None:
    refs = write_pages(tmp_path)
    path = tmp_path / refs[0].file
    data = bytearray(path.read_bytes())
    data[refs[1].offset + refs[1].length // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    with pytest.raises(ArchiveError, match=f"offset {refs[1].offset}"):
        list(iter_responses(path))
    with pytest.raises(ArchiveError):
        read_response(tmp_path, refs[1])


def test_bad_refs_are_archive_errors(tmp_path: Path) -> None:
    refs = write_pages(tmp_path)
    with pytest.raises(ArchiveError, match="cannot read"):
        read_response(tmp_path, ArchiveRef("2024/01/01/missing.warc.gz", 0, 10))
    with pytest.raises(ArchiveError, match="cannot read"):
        list(iter_responses(tmp_path / "missing.warc.gz"))
    with pytest.raises(ArchiveError, match="past the end"):
        read_response(tmp_path, ArchiveRef(refs[-1].file, refs[-1].offset, refs[-1].length + 1))
    for wrong in (ArchiveRef(refs[0].file, 0, refs[0].offset),  # the warcinfo record
                  ArchiveRef(refs[0].file, refs[0].offset, refs[0].length + refs[1].length),  # two records
                  ArchiveRef(refs[0].file, refs[0].offset + 1, refs[0].length - 1)):  # not a record's start
        with pytest.raises(ArchiveError):
            read_response(tmp_path, wrong)
