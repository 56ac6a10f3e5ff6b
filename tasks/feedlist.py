"""The feed list a person edits (seeds/feeds.yaml): read it, check it, append to it without losing comments."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from wirehouse.models import Feed
from wirehouse.tasks.http_types import is_http_url

_EMPTY_LIST = re.compile(r"^feeds:[ \t]*\[[ \t]*\][ \t]*$", re.MULTILINE)


class FeedListError(ValueError):
    pass


def load_feed_list(path: Path) -> list[Feed]:
    """Read the YAML feed list; every problem is reported with the entry it is in."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FeedListError(f"cannot read feed list {path}: {exc}") from exc
    return _validate(text, path)


def _validate(text: str, path: Path) -> list[Feed]:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise FeedListError(f"cannot read feed list {path}: {exc}") from exc
    rows = data.get("feeds") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise FeedListError(f"{path}: expected a top-level 'feeds:' list")
    feeds, names = [], set()
    for i, row in enumerate(rows, 1):
        if not isinstance(row, dict) or not row.get("url") or not row.get("name"):
            raise FeedListError(f"{path}: feed #{i} needs at least 'name' and 'url'")
        if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", str(row["name"])):
            raise FeedListError(f"{path}: feed name {row['name']!r} is not lower-case [a-z0-9_.-]")
        if not is_http_url(str(row["url"])):
            raise FeedListError(f"{path}: feed {row['name']!r} has a URL that is not http(s): {row['url']!r}")
        unknown = set(row) - {"name", "url", "site", "language", "full_content"}
        if unknown:
            raise FeedListError(f"{path}: feed {row['name']!r} has unknown keys {sorted(unknown)}")
        if row["name"] in names:
            raise FeedListError(f"{path}: feed name {row['name']!r} is used twice")
        names.add(row["name"])
        feeds.append(
            Feed(
                name=str(row["name"]),
                url=str(row["url"]),
                site=row.get("site"),
                language=row.get("language"),
                full_content=bool(row.get("full_content", False)),
            )
        )
    return feeds


def append_to_feed_list(path: Path, feed: Feed) -> None:
    """Append one feed as text, so the comments a person wrote in the file survive."""
    existing = load_feed_list(path) if path.exists() else []
    if any(f.name == feed.name or f.url == feed.url for f in existing):
        raise FeedListError(f"{path}: a feed named {feed.name!r} or with URL {feed.url} is already listed")
    entry = {"name": feed.name, "url": feed.url}
    entry |= {k: v for k, v in (("site", feed.site), ("language", feed.language)) if v}
    if feed.full_content:
        entry["full_content"] = True
    block = yaml.safe_dump([entry], sort_keys=False, allow_unicode=True)
    text = path.read_text(encoding="utf-8") if path.exists() else "feeds:\n"
    if not text.endswith("\n"):
        text += "\n"
    text = _EMPTY_LIST.sub("feeds:", text)  # "feeds: []" takes no appended item
    # Indent like the items already there: "- name" and "  - name" are both common.
    existing_item = re.search(r"^( *)- ", text, re.MULTILINE)
    indent = existing_item.group(1) if existing_item else "  "
    new_text = text + "".join(f"{indent}{line}\n" for line in block.splitlines())
    _validate(new_text, path)  # never write a list that would not load
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new_text, encoding="utf-8")
