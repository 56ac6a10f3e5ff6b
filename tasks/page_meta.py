"""Structured metadata a page declares for machines: JSON-LD objects and <meta> tags.

Dates, authors and the quality gate all read it; parsing it once per page keeps them consistent.
Never raises: malformed JSON-LD is common and simply skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml.html import HtmlElement

MAX_JSONLD_CHARS = 500_000  # one script block; larger ones are data dumps, not article metadata


@dataclass(frozen=True, slots=True)
class PageMeta:
    jsonld: tuple[dict, ...] = ()  # every JSON-LD object, @graph members and top-level lists flattened
    meta: dict[str, tuple[str, ...]] = field(default_factory=dict)  # lower-cased name/property/itemprop → contents

    def first_meta(self, *names: str) -> str | None:
        for name in names:
            for value in self.meta.get(name, ()):
                if value.strip():
                    return value.strip()
        return None

    def types(self) -> set[str]:
        """The schema.org @type of every JSON-LD object: {"NewsArticle", "BreadcrumbList", ...}."""
        return set().union(*map(_types_of, self.jsonld))

    def objects_of(self, *types: str) -> Iterator[dict]:
        """JSON-LD objects whose @type is one of types."""
        wanted = set(types)
        for obj in self.jsonld:
            if wanted & _types_of(obj):
                yield obj


def _types_of(obj: dict) -> set[str]:
    """An object's @type names: a string, a list, or (in broken markup) anything else, which names nothing."""
    kind = obj.get("@type")
    return {t for t in (kind if isinstance(kind, list) else [kind]) if isinstance(t, str)}


def _flatten(node: object, out: list[dict], depth: int = 0) -> None:
    if depth > 4:
        return
    if isinstance(node, list):
        for item in node:
            _flatten(item, out, depth + 1)
    elif isinstance(node, dict):
        out.append(node)
        if "@graph" in node:
            _flatten(node["@graph"], out, depth + 1)
        main = node.get("mainEntity") or node.get("mainEntityOfPage")
        if isinstance(main, dict) and "@type" in main:
            _flatten(main, out, depth + 1)


def read_page_meta(tree: HtmlElement | None) -> PageMeta:
    if tree is None:
        return PageMeta()
    objects: list[dict] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        if not raw or len(raw) > MAX_JSONLD_CHARS:
            continue
        try:
            _flatten(json.loads(raw), objects)
        except (ValueError, RecursionError):
            continue
    meta: dict[str, list[str]] = {}
    for tag in tree.iter("meta"):
        content = tag.get("content")
        if content is None:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            name = tag.get(attribute)
            if name:
                meta.setdefault(name.strip().lower(), []).append(content)
    return PageMeta(tuple(objects), {k: tuple(v) for k, v in meta.items()})
