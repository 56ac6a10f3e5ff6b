"""Fetching against a real HTTP server on 127.0.0.1: errors are recorded, never raised."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from hostile import PAGE, HostileSite, Reply, fetch_routes, serve

from wirehouse.models import FetchRequest
from wirehouse.settings import Settings
from wirehouse.tasks.fetch import fetch_all, is_transient


@pytest.fixture(scope="module")
def site() -> Iterator[HostileSite]:
    with serve(fetch_routes()) as site:
        yield site


@pytest.fixture(scope="module")
def base_url(site: HostileSite) -> str:
    return site.base_url


def settings(**overrides: object) -> Settings:
    quick = {"allow_private_addresses": True, "request_timeout": 2, "request_deadline": 3, "per_host_delay": 0,
             "fetch_retries": 0, "respect_robots": False}
    return Settings(**quick | overrides)


def fetch_one(url: str, **overrides: object):
    return fetch_all([FetchRequest(url)], settings(**overrides))[0]


def test_ok_and_conditional_get(base_url: str) -> None:
    result = fetch_one(f"{base_url}/ok")
    assert result.ok and result.body == PAGE and result.etag
    again = fetch_all([FetchRequest(f"{base_url}/ok", etag=result.etag)], settings())[0]
    assert again.not_modified and not again.body


def test_redirect_is_followed_and_recorded(base_url: str) -> None:
    result = fetch_one(f"{base_url}/hop")
    assert result.ok and result.final_url == f"{base_url}/ok"


@pytest.mark.parametrize(
    ("path", "error", "transient"),
    [("/missing", "http_404", False), ("/broken", "http_5xx", True), ("/loop", "redirect_loop", False)],
)
def test_http_failures_are_classified(base_url: str, path: str, error: str, transient: bool) -> None:
    result = fetch_one(base_url + path)
    assert result.error == error
    assert is_transient(result.error) is transient


def test_response_size_is_capped(base_url: str) -> None:
    assert fetch_one(f"{base_url}/big", max_response_bytes=10_000).error == "too_large"


def test_slow_drip_hits_the_deadline(base_url: str) -> None:
    started = time.monotonic()
    result = fetch_one(f"{base_url}/drip")
    assert result.error in ("deadline", "timeout")
    assert time.monotonic() - started < 10


def test_queueing_does_not_count_against_the_deadline(base_url: str) -> None:
    # one slot for the host, ten pages of 0.4 s: 4 s in the queue, each within its own deadline once sent
    urls = [f"{base_url}/slow?{i}" for i in range(10)]
    results = fetch_all([FetchRequest(u) for u in urls], settings(per_host_concurrency=1, request_deadline=1.5))
    assert all(r.ok for r in results), [r.error for r in results]


def test_unresolvable_host_is_a_transient_dns_error() -> None:
    result = fetch_all([FetchRequest("http://no-such-host.invalid/")], Settings(request_timeout=2))[0]
    assert result.error == "dns_error" and is_transient(result.error)


def test_transient_errors_are_retried_within_the_run(base_url: str) -> None:
    flaky = fetch_one(f"{base_url}/flaky?a", fetch_retries=2, retry_backoff=0.01)
    assert flaky.ok and flaky.tries == 2
    assert fetch_one(f"{base_url}/flaky?b", fetch_retries=0).error == "http_5xx"
    assert fetch_one(f"{base_url}/missing?c", fetch_retries=2).tries == 1  # a 404 is not retried


def test_retry_after_is_honoured(base_url: str) -> None:
    started = time.monotonic()
    result = fetch_one(f"{base_url}/limited", fetch_retries=2, retry_backoff=0.01)
    assert result.ok and result.tries == 2
    assert time.monotonic() - started >= 1.0  # waited as asked
    later = fetch_one(f"{base_url}/limited-long", fetch_retries=2, max_retry_after=5)
    assert later.error == "http_429" and later.retry_after == 3600 and later.tries == 1  # for a later run


def test_robots_txt_is_obeyed_for_pages_only(base_url: str) -> None:
    assert fetch_one(f"{base_url}/private/page", respect_robots=True).error == "robots_disallowed"
    assert fetch_one(f"{base_url}/ok?robots", respect_robots=True).ok
    feed = fetch_all([FetchRequest(f"{base_url}/private/page", kind="feed")], settings(respect_robots=True))[0]
    assert feed.ok  # a feed the user subscribed to is not crawling


def test_requests_to_one_host_are_spaced(site: HostileSite) -> None:
    site.starts.clear()
    fetch_all([FetchRequest(f"{site.base_url}/ok?space{i}") for i in range(4)], settings(per_host_delay=0.3))
    gaps = [b - a for a, b in zip(site.starts, site.starts[1:], strict=False)]
    assert len(gaps) == 3 and min(gaps) >= 0.25


def test_fifty_megabytes_are_cut_off_while_streaming(base_url: str) -> None:
    result = fetch_one(f"{base_url}/huge", max_response_bytes=2_000_000)
    assert result.error == "too_large" and "body over" in result.detail


def test_gzip_bomb_is_cut_off(base_url: str) -> None:
    assert fetch_one(f"{base_url}/bomb", max_response_bytes=5_000_000).error == "too_large"


def test_connection_refused_is_recorded() -> None:
    assert fetch_one("http://127.0.0.1:9/").error == "connect_error"


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/", "http://localhost/", "http://10.1.2.3/", "http://169.254.169.254/latest/meta-data",
     "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[fd00::1]/", "http://192.168.0.1/",
     "http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::]/", "http://0.0.0.0/", "http://100.64.0.1/"],
)
def test_private_addresses_are_refused_by_default(url: str) -> None:
    result = fetch_all([FetchRequest(url)], Settings(request_timeout=2))[0]
    assert result.error == "blocked_address", result


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/file", "file:///etc/passwd", "http:///nohost", "http://example.com:99999/a",
     "http://[::1", "http://" + "a" * 70 + ".example/"],
)
def test_non_http_urls_are_refused(url: str) -> None:
    assert fetch_all([FetchRequest(url)], settings())[0].error == "bad_url"


def test_results_keep_request_order(base_url: str) -> None:
    urls = [f"{base_url}/ok", f"{base_url}/missing", f"{base_url}/hop"]
    results = fetch_all([FetchRequest(u) for u in urls], settings())
    assert [r.url for r in results] == urls


def test_robots_rules_follow_the_configured_user_agent(site: HostileSite) -> None:
    site.routes["/robots.txt"] = lambda h, n: Reply(
        200, b"User-agent: newsbot\nDisallow: /\n\nUser-agent: *\nAllow: /\n", {"Content-Type": "text/plain"}
    )
    try:
        ours = fetch_one(f"{site.base_url}/article?ua1", respect_robots=True)
        as_newsbot = fetch_one(f"{site.base_url}/article?ua2", respect_robots=True, user_agent="NewsBot/2.0 (+x)")
    finally:
        site.routes["/robots.txt"] = fetch_routes()["/robots.txt"]
    assert ours.ok and as_newsbot.error == "robots_disallowed"
