"""Identity of URLs and texts: every warehouse key comes from here. Changing it needs a migration."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from courlan import normalize_url as _courlan_normalize

_WS = re.compile(r"\s+")


def normalize_url(url: str) -> str:
    """Lower-case scheme and host, drop fragments, default ports and tracking parameters."""
    try:
        return _courlan_normalize(url.strip(), strict=True)
    except ValueError:
        return url.strip()


def url_id(url: str) -> str:
    """Stable key of a URL after normalisation (128 bits of SHA-256, hex)."""
    return _digest(normalize_url(url))


def normalize_text(text: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def _digest(data: str) -> str:
    return hashlib.sha256(data.encode()).hexdigest()[:32]


def text_hash(text: str) -> str:
    """Hash of the exact text: character offsets computed on one text are valid on any text with this hash."""
    return _digest(text)


def content_hash(text: str) -> str:
    """Hash of the text up to case, Unicode form and white space: equal texts, equal hashes."""
    return _digest(normalize_text(text))
