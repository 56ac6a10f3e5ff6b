"""Charset of a fetched page: header, BOM, <meta>, or detection, the order browsers use; never raises."""

from __future__ import annotations

import codecs
import re

try:  # a dependency of trafilatura, not of ours: without it detection falls back to UTF-8
    import charset_normalizer
except ImportError:  # pragma: no cover - the venv has it
    charset_normalizer = None

META_WINDOW = 4096  # where a <meta charset> must stand to count (browsers look at 1024 bytes; pages are sloppy)
CP1252_CHAOS_MARGIN = 0.05  # how much messier than charset_normalizer's pick windows-1252 may read and still win
_FLAGS = re.IGNORECASE
_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:-]+)", _FLAGS)
_META_CHARSET = re.compile(r"<meta\b[^<>]*?\bcharset\s*=\s*[\"']?\s*([\w.:-]+)", _FLAGS)
_XML_ENCODING = re.compile(r"^\s*<\?xml\b[^<>]*?\bencoding\s*=\s*[\"']([\w.:-]+)", _FLAGS)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# What browsers decode when a page names these (WHATWG Encoding): the superset, so that bytes the
# narrower codec lacks (€ in "latin-1" pages, NEC symbols in Shift_JIS) are not errors.
_BROWSER_CODECS = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "tis-620": "cp874",
    "iso8859-11": "cp874",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5": "big5hkscs",
}
# Python codecs that are no web encoding: escapes, IDNA, UTF-7 (browsers refuse it: it smuggles markup).
_NOT_WEB_CODECS = frozenset({"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined", "utf-7",
                             "charmap"})
# windows-1252 as browsers have it: the five bytes Python's cp1252 leaves undefined pass through as C1 controls.
_CP1252_HIGH = {b: bytes([b]).decode("cp1252", "ignore") or chr(b) for b in range(0x80, 0xA0)}
_CP1252_TABLE = str.maketrans({chr(b): char for b, char in _CP1252_HIGH.items()})


def bom_codec(body: bytes) -> tuple[str, int] | None:
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec, len(bom)
    return None


def utf16_32_without_bom(head: bytes) -> str | None:
    """UTF-16/32 without a BOM, from where the zero bytes stand in the first characters (markup is ASCII)."""
    sample = head[:256]
    sample = sample[: len(sample) // 4 * 4]
    if len(sample) < 4:
        return None
    units = [sample[i : i + 4] for i in range(0, len(sample), 4)]
    if all(u[1:] == b"\0\0\0" and u[0] for u in units):
        return "utf-32-le"
    if all(u[:3] == b"\0\0\0" and u[3] for u in units):
        return "utf-32-be"
    pairs = [sample[i : i + 2] for i in range(0, len(sample), 2)]
    if sum(p[0] == 0 and p[1] != 0 for p in pairs) >= 0.9 * len(pairs):
        return "utf-16-be"
    if sum(p[1] == 0 and p[0] != 0 for p in pairs) >= 0.9 * len(pairs):
        return "utf-16-le"
    return None


def web_codec(label: str | None, *, in_document: bool = False) -> str | None:
    """The Python codec to decode a declared charset with; None for unknown or unusable labels."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError, TypeError):
        return None
    if name in _NOT_WEB_CODECS:
        return None
    # A declaration readable as ASCII cannot be in UTF-16/32: browsers take it for UTF-8.
    if in_document and name.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return _BROWSER_CODECS.get(name, name)


def _decode_strict(body: bytes, codec: str) -> str | None:
    if codec == "cp1252":
        return body.decode("latin-1").translate(_CP1252_TABLE)  # total, like a browser's windows-1252
    try:
        return body.decode(codec)
    except (UnicodeError, LookupError, ValueError):
        return None


def charset_param(content_type: str | None) -> str | None:
    match = _CHARSET_PARAM.search(content_type or "")
    return match.group(1) if match else None


def _declared_in_document(body: bytes) -> str | None:
    head = body[:META_WINDOW].decode("latin-1")
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return match.group(1) if match else None


def _detect(body: bytes) -> str | None:
    # Valid UTF-8 with high bytes is almost never an accident, and checking it is cheap.
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if charset_normalizer is None:
        return None
    matches = charset_normalizer.from_bytes(body)
    best = matches.best()
    if best is None or not best.encoding:
        return None
    # On short texts it ranks Latin single-byte codecs by chance (French as cp1257: "trčs"). Where windows-1252
    # reads the bytes about as cleanly, take it: browsers assume it for unlabelled pages, and so do publishers.
    if any("cp1252" in m.could_be_from_charset and m.chaos <= best.chaos + CP1252_CHAOS_MARGIN for m in matches):
        return _decode_strict(body, "cp1252")
    return body.decode(best.encoding, "replace")


def _decode(body: bytes, content_type: str | None) -> tuple[str, str]:
    # A BOM outranks the header, as in browsers: it is written by whatever wrote the bytes.
    bom = bom_codec(body)
    if bom:
        codec, size = bom
        return body[size:].decode(codec, "replace"), "bom"
    codec = web_codec(charset_param(content_type))
    text = _decode_strict(body, codec) if codec else None
    if text is not None:
        return text, "header"
    codec = web_codec(_declared_in_document(body), in_document=True)
    text = _decode_strict(body, codec) if codec else None
    if text is not None:
        return text, "meta"
    text = _detect(body)
    if text is not None:
        return text, "detected"
    return body.decode("utf-8", "replace"), "fallback"


def decode_body(body: bytes, content_type: str | None) -> tuple[str, str]:
    """The text of an HTML page and where its charset came from: "bom", "header", "meta", "detected", "fallback".

    Never raises: bytes no charset explains become U+FFFD.
    """
    try:
        return _decode(bytes(body or b""), content_type)
    except Exception:  # a last guard (a detector bug, say): decoding must not stop a run
        return bytes(body or b"").decode("utf-8", "replace"), "fallback"

