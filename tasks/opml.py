"""OPML import and export: the subscription-list format every feed reader reads and writes.

Takes and returns bytes; no network. OPML files come from other people's tools, so the reader is strict about
what could hurt (a DTD: entity expansion) and lenient about the rest (nesting, attribute case, missing titles).
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit
from xml.parsers import expat

from wirehouse.models import Feed
from wirehouse.tasks.http_types import is_http_url

NAME_MAX = 64  # a slug of a whole sentence-long title makes a poor feed name

# XML 1.0 cannot carry these at all, not even escaped: a site name holding one would make the file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class _Forbidden(ValueError):
    pass


def _forbid_dtd(*_args: object) -> None:
    # defusedxml is not a dependency; refusing any DOCTYPE is its main protection (no entities, no expansion).
    raise _Forbidden("a DOCTYPE is refused (entity declarations could expand without bound)")


def _parse_xml(data: bytes) -> ET.Element:
    """Parse with expat into an ElementTree, refusing DTDs before any entity in them is read."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _forbid_dtd
    parser.EntityDeclHandler = _forbid_dtd
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
        return builder.close()
    except _Forbidden as exc:
        raise ValueError(f"not an OPML document we accept: {exc}") from None
    except expat.ExpatError as exc:
        raise ValueError(f"not an OPML document: malformed XML ({exc})") from exc
    except (LookupError, ValueError) as exc:
        # The declared encoding: a name Python does not know or a codec that is no text encoding (LookupError),
        # a multi-byte one expat cannot use, a decoder that fails (ValueError).
        raise ValueError(f"not an OPML document: unusable encoding ({exc})") from exc


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by "-": "Le Monde – À la une" → "le-monde-a-la-une" ("" when none remain)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))
    return slug[:NAME_MAX].rstrip("-") if len(slug) > NAME_MAX else slug


def _http_url(value: str | None) -> str | None:
    """The xmlUrl when it is http(s) with a host, scheme lowercased (the feed list only accepts "http(s)://")."""
    value = (value or "").strip()
    if not is_http_url(value):
        return None
    scheme, rest = value.split(":", 1)
    return f"{scheme.lower()}:{rest}"


def unique_name(base: str, taken: set[str]) -> str:
    """`base`, or the first of "base-2", "base-3"… not in `taken`; the name returned is added to `taken`."""
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name


def _outline_feeds(outlines: Iterable[ET.Element]) -> list[Feed]:
    feeds: list[Feed] = []
    names: set[str] = set()
    urls: set[str] = set()
    for outline in outlines:
        # Attribute names are camelCase in the spec, but exporters also write xmlurl and XMLURL.
        attrs = {key.lower(): value for key, value in outline.attrib.items()}
        url = _http_url(attrs.get("xmlurl"))
        if url is None or url in urls:  # readers list a feed once per folder it is filed in
            continue
        urls.add(url)
        site = next((v.strip() for v in (attrs.get("title"), attrs.get("text")) if v and v.strip()), None)
        host = urlsplit(url).hostname or ""
        base = slugify(site or "") or slugify(host.removeprefix("www.")) or "feed"
        feeds.append(Feed(name=unique_name(base, names), url=url, site=site, language=None, full_content=False))
    return feeds


def read_opml(data: bytes) -> list[Feed]:
    """Every outline with an http(s) `xmlUrl`, at any depth, as a Feed with a unique slug name.

    Names come from the outline's title (or text), else the URL's host; repeats get "-2", "-3"…; a URL listed
    twice is kept once. Raises ValueError for malformed XML, an unusable declared encoding, a DOCTYPE, or a root
    element other than <opml>.
    """
    root = _parse_xml(data)
    if root.tag.lower() != "opml":
        raise ValueError(f"not an OPML document: the root element is <{root.tag}>, not <opml>")
    return _outline_feeds(el for el in root.iter() if isinstance(el.tag, str) and el.tag.lower() == "outline")


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)


def write_opml(feeds: Sequence[Feed], title: str = "wirehouse feeds") -> bytes:
    """OPML 2.0 with one flat `<outline type="rss">` per feed; `read_opml` reads it back.

    No dateCreated, so the same feeds always give the same bytes (diffable, testable).
    """
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _xml_text(title)
    body = ET.SubElement(root, "body")
    for feed in feeds:
        label = _xml_text(feed.site or feed.name)
        ET.SubElement(body, "outline", type="rss", text=label, title=label, xmlUrl=_xml_text(feed.url))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
