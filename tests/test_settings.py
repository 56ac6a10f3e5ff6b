"""One settings object: defaults < config file < environment < explicit values."""

import os
from pathlib import Path

import pytest

from wirehouse.settings import Settings


def test_layers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "wirehouse.toml"
    config.write_text('db = "from-file.duckdb"\nbatch_size = 7\nspacy_model = "from_file_model"\n')
    monkeypatch.setenv("WIREHOUSE_CONFIG", str(config))
    monkeypatch.setenv("WIREHOUSE_BATCH_SIZE", "9")
    settings = Settings(spacy_model="explicit")
    assert settings.db == Path("from-file.duckdb")  # file over default
    assert settings.batch_size == 9  # environment over file
    assert settings.spacy_model == "explicit"  # explicit over everything


def test_defaults_are_safe(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WIREHOUSE_ALLOW_PRIVATE_ADDRESSES", raising=False)
    settings = Settings()
    assert settings.allow_private_addresses is False
    assert settings.cpu_workers == len(os.sched_getaffinity(0))
    assert Settings(workers=1).cpu_workers == 1


def test_missing_named_config_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WIREHOUSE_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(FileNotFoundError, match=r"nope\.toml"):
        Settings()


def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIREHOUSE_BATCH_SIZE", "0")
    with pytest.raises(ValueError, match="batch_size"):
        Settings()
