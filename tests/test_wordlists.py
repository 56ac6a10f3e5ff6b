"""The word lists behind names, places and quotes: the shipped files load, broken ones are named errors."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from wirehouse.tasks.names import DEFAULT_WORDS as NAME_WORDS
from wirehouse.tasks.names import load_name_words
from wirehouse.tasks.places import DEFAULT_WORDS as PLACE_WORDS
from wirehouse.tasks.places import load_false_friend_codes
from wirehouse.tasks.quote_rules import DEFAULT_WORDS as QUOTE_WORDS
from wirehouse.tasks.quote_rules import load_quote_words
from wirehouse.tasks.wordlists import WordListError

LOADERS = [(load_quote_words, QUOTE_WORDS), (load_name_words, NAME_WORDS), (load_false_friend_codes, PLACE_WORDS)]


@pytest.mark.parametrize(("load", "path"), LOADERS)
def test_shipped_lists_load(load, path: Path) -> None:
    assert load(path)


def _rewrite(path: Path, tmp_path: Path, change) -> Path:
    data = tomllib.loads(path.read_text())
    text = path.read_text()
    broken = change(text, data)
    out = tmp_path / path.name
    out.write_text(broken)
    return out


@pytest.mark.parametrize(("load", "path"), LOADERS)
def test_an_unknown_key_is_named(load, path: Path, tmp_path: Path) -> None:
    broken = _rewrite(path, tmp_path, lambda text, _: "surprise = [\"x\"]\n" + text)
    with pytest.raises(WordListError, match="unknown 'surprise'"):
        load(broken)


@pytest.mark.parametrize(("load", "path"), LOADERS)
def test_a_missing_list_is_named(load, path: Path, tmp_path: Path) -> None:
    def drop_first_key(text: str, data: dict) -> str:
        first = next(iter(data))
        return "\n".join(line for line in text.splitlines() if not line.startswith(first))

    broken = _rewrite(path, tmp_path, drop_first_key)
    with pytest.raises(WordListError, match=re.escape(path.name)):
        load(broken)


def test_unreadable_toml_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "quotes.toml"
    bad.write_text("speech_verbs = [\n")
    with pytest.raises(WordListError, match=r"quotes\.toml"):
        load_quote_words(bad)
