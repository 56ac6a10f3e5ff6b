"""Retry-After parsing and the robots.txt product token."""

import pytest

from wirehouse.tasks.politeness import parse_retry_after, parse_robots, robots_agent, robots_url


@pytest.mark.parametrize(
    ("value", "expected"),
    [("120", 120.0), ("0", 0.0), ("Wed, 25 Nov 2026 12:01:00 GMT", 60.0), ("Wed, 25 Nov 2026 11:00:00 GMT", 0.0),
     ("soon", None), ("", None), (None, None), ("²", None), ("Mon, 01 Jan 99999999999999999999 00:00:00 GMT", None)],
)
def test_retry_after(value, expected) -> None:
    now = 1795608000.0  # 2026-11-25 12:00:00 UTC
    assert parse_retry_after(value, now=now) == expected


@pytest.mark.parametrize(
    ("user_agent", "token"),
    [("wirehouse/0.1.0 (+https://x)", "wirehouse"), ("NewsBot/2.0", "NewsBot"), ("Plain Agent", "Plain"), ("", "*")],
)
def test_robots_agent(user_agent: str, token: str) -> None:
    assert robots_agent(user_agent) == token


def test_robots_txt_with_lines_the_standard_parser_rejects() -> None:
    rules = parse_robots("User-agent: *\nCrawl-delay: ²\nRequest-rate: ¹/²\nDisallow: /private/\n")
    assert not rules.can_fetch("wirehouse", "https://x.example/private/a")
    assert rules.can_fetch("wirehouse", "https://x.example/public/a")


def test_robots_url() -> None:
    assert robots_url("https://news.example:8443/a/b?c#d") == "https://news.example:8443/robots.txt"
