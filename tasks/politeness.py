"""Being a good citizen per host: few connections, spaced requests, pauses a server asks for, robots.txt."""

from __future__ import annotations

import asyncio
import re
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

_RATE_LINE = re.compile(r"\s*(crawl-delay|request-rate)\s*:", re.IGNORECASE)


def robots_agent(user_agent: str) -> str:
    """The product token robots.txt rules name: "wirehouse" for "wirehouse/0.1 (+https://...)"."""
    return user_agent.split("/", 1)[0].split()[0] if user_agent.strip() else "*"


class HostGate:
    """Per host: at most `concurrency` requests in flight, starts at least `delay` seconds apart, no request
    before a pause the server asked for (Retry-After) has passed, and no retries for a host that keeps failing."""

    def __init__(self, concurrency: int, delay: float, failures_to_give_up: int = 5) -> None:
        self.delay = delay
        self.failures_to_give_up = failures_to_give_up
        self._slots: defaultdict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(concurrency))
        self._next_start: dict[str, float] = {}
        self._failures: defaultdict[str, int] = defaultdict(int)

    def record(self, host: str, *, failed: bool) -> None:
        """Count consecutive transient failures of a host; one success resets it."""
        self._failures[host] = self._failures[host] + 1 if failed else 0

    def gave_up(self, host: str) -> bool:
        """A host failing again and again is down: its remaining pages wait for a later run."""
        return self._failures[host] >= self.failures_to_give_up

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        async with self._slots[host]:
            while (wait := self._next_start.get(host, 0.0) - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            self._next_start[host] = time.monotonic() + self.delay
            yield

    def pause(self, host: str, seconds: float) -> None:
        self._next_start[host] = max(self._next_start.get(host, 0.0), time.monotonic() + seconds)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds from now: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # "²".isdigit() is True, and float("²") raises
        return float(value)
    try:
        when = parsedate_to_datetime(value)
        if when is None or when.tzinfo is None:
            return None
        return max(0.0, when.timestamp() - (now if now is not None else time.time()))
    except (TypeError, ValueError, IndexError, OverflowError):  # servers send anything: year 99999999, say
        return None


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


def parse_robots(text: str) -> RobotFileParser:
    """Rules of a robots.txt; lines the standard parser chokes on (Crawl-delay: ², say) are left out."""
    parser = RobotFileParser()
    try:
        parser.parse(text.splitlines())
    except ValueError:
        parser = RobotFileParser()
        parser.parse([line for line in text.splitlines() if not _RATE_LINE.match(line)])
    return parser


def allow_all() -> RobotFileParser:
    """What a missing robots.txt (4xx) means: everything may be fetched."""
    return parse_robots("")
