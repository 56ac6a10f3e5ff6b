"""Fetch stage: the only module that opens sockets.

Every URL is fetched with timeouts, a size cap and a total deadline; redirects are followed by hand so each
hop passes the address guard (and robots.txt, for pages); transient errors are retried with backoff;
failures come back as FetchResult.error, never as exceptions.
"""

from __future__ import annotations

import asyncio
import ipaddress
import random
import socket
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpcore
import httpx

from wirehouse.models import FetchRequest, FetchResult
from wirehouse.settings import Settings
from wirehouse.tasks.politeness import HostGate, allow_all, parse_retry_after, parse_robots, robots_agent, robots_url

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
# Worth another try in a later run; anything else (4xx, blocked, too large) is final.
TRANSIENT_ERRORS = frozenset(
    {"timeout", "connect_error", "network_error", "dns_error", "http_429", "http_5xx", "deadline",
     "robots_unavailable", "host_unavailable"}
)
# Transient, so a later run tries again, but not again in this run: the time is spent, or the answer is cached.
NOT_RETRIED_IN_RUN = frozenset({"deadline", "robots_unavailable", "host_unavailable"})
ROBOTS_REDIRECTS = 5


class FetchError(Exception):
    """A failure with a short class name (stored) and a detail (for people)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


def is_transient(error: str | None) -> bool:
    return error in TRANSIENT_ERRORS


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Also carrying an IPv4 address in the last 32 bits: IPv4-compatible (::a.b.c.d) and IPv4-translated (SIIT).
# Python 3.11's ipaddress calls both global, so ::7f00:1 passed the guard.
_EMBEDS_IPV4 = (ipaddress.ip_network("::/96"), ipaddress.ip_network("::ffff:0:0:0/96"))
# Private though Python 3.11 calls them global: local-use NAT64 (RFC 8215), which translates into the local
# network, and site-local (deprecated, still routed inside some networks).
_NOT_GLOBAL_V6 = (ipaddress.ip_network("64:ff9b:1::/48"), ipaddress.ip_network("fec0::/10"))


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv6 forms that carry an IPv4 address reach that address: judge the IPv4 one.
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None:
            ip = ip.sixtofour
        elif ip in _NAT64 or any(ip in net for net in _EMBEDS_IPV4):
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        elif any(ip in net for net in _NOT_GLOBAL_V6):
            return False
    return ip.is_global and not ip.is_multicast


async def check_address(url: str, *, allow_private: bool, allowed: Sequence[IPNetwork] = ()) -> None:
    """Refuse non-HTTP schemes, and hosts that resolve to loopback, private or link-local addresses
    (unless they fall in one of the allowed networks)."""
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
        if host:
            host.encode("idna")
    except (ValueError, UnicodeError) as exc:
        raise FetchError("bad_url", f"{url!r}: {exc}") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise FetchError("bad_url", f"not an http(s) URL: {url!r}")
    if allow_private:
        return
    await _checked_addresses(host, port or (443 if parts.scheme == "https" else 80), allowed)


async def _checked_addresses(host: str, port: int, allowed: Sequence[IPNetwork]) -> list[str]:
    """The addresses host resolves to, in the resolver's order; FetchError if any of them is refused."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("dns_error", str(exc)) from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    blocked = sorted({a for a in addresses if not _is_public(a) and not _in(a, allowed)})
    if blocked:
        raise FetchError("blocked_address", f"{host} resolves to {', '.join(blocked)}")
    return addresses


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to addresses checked at connect time.

    check_address alone left a DNS-rebinding gap: httpx resolved the name again to connect, so a name answering
    a public address to the check and a private one to the connection (TTL 0) reached the private one. Here the
    one lookup that is checked is the one connected to; TLS still verifies and sends SNI for the name.
    """

    def __init__(self, allowed: Sequence[IPNetwork]) -> None:
        self._allowed = allowed
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None, socket_options: Iterable | None = None
                          ) -> httpcore.AsyncNetworkStream:
        addresses = await _checked_addresses(host, port, self._allowed)
        for i, address in enumerate(addresses):  # in turn, as the resolver ordered them
            try:
                return await self._inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                     socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout):
                if i == len(addresses) - 1:
                    raise
        raise httpcore.ConnectError(f"{host} resolves to no address")

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable | None = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("no unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _in(address: str, networks: Sequence[IPNetwork]) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return any(ip.version == net.version and ip in net for net in networks)


@dataclass
class _Clock:
    """One URL's time budget across its tries: the deadline is set when its first request is sent."""

    created: float = field(default_factory=time.monotonic)
    end: float | None = None  # event-loop time


def _redirect_target(url: str, status: int, headers: httpx.Headers) -> str:
    location = headers.get("location")
    if not location:
        raise FetchError("bad_redirect", f"HTTP {status} without a Location header")
    try:
        return urljoin(url, location)
    except ValueError as exc:
        raise FetchError("bad_redirect", f"unusable Location {location!r}") from exc


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def _header_value(headers: httpx.Headers, name: str) -> str | None:
    """A validator to send back later; one that is not ASCII could not be sent, so it is not kept."""
    value = headers.get(name)
    return value if value and value.isascii() else None


def _error_for_status(status: int) -> str | None:
    if status < 400:
        return None
    if status >= 500:
        return "http_5xx"
    return f"http_{status}"


class Fetcher:
    """An httpx client with a global limit, per-host politeness, retries and robots.txt; an async context manager."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._allowed = [ipaddress.ip_network(cidr, strict=False) for cidr in settings.allowed_networks]
        self._global = asyncio.Semaphore(settings.fetch_concurrency)
        self._hosts = HostGate(settings.per_host_concurrency, settings.per_host_delay)
        self._robots: dict[str, RobotFileParser | FetchError] = {}
        self._robots_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=settings.fetch_concurrency),
                                             trust_env=False)
        if not settings.allow_private_addresses:
            # httpx takes no network backend: set the pool's (created before any connection, which copies it),
            # and fail loudly rather than fetch unguarded should a new httpx keep it elsewhere.
            pool = transport._pool
            if not hasattr(pool, "_network_backend"):
                raise RuntimeError("cannot pin connections to checked addresses with this httpx version")
            pool._network_backend = _GuardedBackend(self._allowed)
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(settings.request_timeout),
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            transport=transport,
            trust_env=False,  # a proxy from the environment would route around the address guard
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """Fetch with retries of transient errors (backoff with jitter, or the server's Retry-After), all within
        one deadline per URL that starts when the first request leaves the queue."""
        clock, tries = _Clock(), 0
        loop = asyncio.get_running_loop()
        while True:
            tries += 1
            result = await self._attempt(request, clock)
            host = _host(result.final_url)
            if result.error != "host_unavailable":
                self._hosts.record(host, failed=is_transient(result.error))
            if (not is_transient(result.error) or result.error in NOT_RETRIED_IN_RUN
                    or tries > self.settings.fetch_retries or self._hosts.gave_up(host)):
                break
            if result.retry_after is not None:
                if result.retry_after > self.settings.max_retry_after:
                    break  # a long pause belongs to a later run, not to this one
                wait = result.retry_after
            else:
                wait = self.settings.retry_backoff * 2 ** (tries - 1) * random.uniform(0.5, 1.5)
            if clock.end is not None and loop.time() + wait >= clock.end:
                break  # no time left for another try
            await asyncio.sleep(wait)
        elapsed = int((loop.time() - clock.created) * 1000)
        return replace(result, tries=tries, elapsed_ms=elapsed)

    async def _attempt(self, request: FetchRequest, clock: _Clock) -> FetchResult:
        started = datetime.now(UTC)
        try:
            async with asyncio.timeout_at(clock.end) as budget:  # None until the first request is sent
                return await self._follow(request, started, budget, clock)
        except FetchError as exc:
            return FetchResult(request.url, request.url, started, error=exc.kind, detail=exc.detail)
        except TimeoutError:
            return FetchResult(request.url, request.url, started, error="deadline",
                               detail=f"over {self.settings.request_deadline:.0f}s in all")
        except (UnicodeError, httpx.InvalidURL) as exc:  # URLs that httpx cannot even send
            return FetchResult(request.url, request.url, started, error="bad_url", detail=str(exc))
        except Exception as exc:  # a last guard: one URL must never stop the batch
            return FetchResult(request.url, request.url, started, error="internal",
                               detail=f"{type(exc).__name__}: {exc}"[:500])

    async def _follow(
        self, request: FetchRequest, started: datetime, budget: asyncio.Timeout, clock: _Clock
    ) -> FetchResult:
        url, seen = request.url, set()
        for _ in range(self.settings.max_redirects + 1):
            if url in seen:
                raise FetchError("redirect_loop", url)
            seen.add(url)
            await self._check_address(url)
            if self._hosts.gave_up(urlsplit(url).hostname or ""):
                raise FetchError("host_unavailable", "the host failed again and again in this batch")
            if request.kind == "page" and self.settings.respect_robots:
                await self._check_robots(url, budget, clock)
            status, headers, body = await self._get(url, request, budget, clock)
            if status in REDIRECT_CODES:
                url = _redirect_target(url, status, headers)
                continue
            retry_after = parse_retry_after(headers.get("retry-after")) if status in (429, 503) else None
            if retry_after is not None:
                self._hosts.pause(urlsplit(url).hostname or "", min(retry_after, self.settings.max_retry_after))
            return FetchResult(
                url=request.url,
                final_url=url,
                fetched_at=started,
                status_code=status,
                content_type=headers.get("content-type"),
                body=body,
                etag=_header_value(headers, "etag"),
                last_modified=_header_value(headers, "last-modified"),
                error=_error_for_status(status),
                retry_after=retry_after,
            )
        raise FetchError("too_many_redirects", f"more than {self.settings.max_redirects}")

    async def _check_address(self, url: str) -> None:
        await check_address(url, allow_private=self.settings.allow_private_addresses, allowed=self._allowed)

    async def _check_robots(self, url: str, budget: asyncio.Timeout, clock: _Clock) -> None:
        """robots.txt, fetched once per origin and fetcher: 4xx allows all, 5xx or no answer retries later."""
        where = robots_url(url)
        async with self._robots_locks[where]:
            if where not in self._robots:
                self._robots[where] = await self._load_robots(where, budget, clock)
        rules = self._robots[where]
        if isinstance(rules, FetchError):
            raise rules
        agent = robots_agent(self.settings.user_agent)
        if not rules.can_fetch(agent, url):
            raise FetchError("robots_disallowed", f"{where} disallows it for {agent}")

    async def _load_robots(self, where: str, budget: asyncio.Timeout, clock: _Clock) -> RobotFileParser | FetchError:
        url = where
        try:
            for _ in range(ROBOTS_REDIRECTS + 1):  # RFC 9309: follow at least five (http → https is common)
                await self._check_address(url)
                status, headers, body = await self._get(url, FetchRequest(url, kind="robots"), budget, clock)
                if status not in REDIRECT_CODES:
                    break
                url = _redirect_target(url, status, headers)
            else:
                return allow_all()  # a redirect chain that never ends: as if there were none
        except FetchError as exc:
            return FetchError("robots_unavailable", f"{where}: {exc}")
        if 200 <= status < 300:
            return parse_robots(body[:500_000].decode("utf-8", "replace"))
        if 400 <= status < 500:
            return allow_all()
        return FetchError("robots_unavailable", f"{where}: HTTP {status}")

    async def _get(
        self, url: str, request: FetchRequest, budget: asyncio.Timeout, clock: _Clock
    ) -> tuple[int, httpx.Headers, bytes]:
        # Validators on every hop: a redirected feed's 304 comes from where it lives now.
        headers = {}
        if request.etag:
            headers["If-None-Match"] = request.etag
        elif request.last_modified:
            headers["If-Modified-Since"] = request.last_modified
        host = urlsplit(url).hostname or ""
        # Host slot first: a request queued behind a busy host must not hold a global slot meanwhile.
        async with self._hosts.slot(host), self._global:
            if clock.end is None:
                clock.end = asyncio.get_running_loop().time() + self.settings.request_deadline
                budget.reschedule(clock.end)
            try:
                async with self._client.stream("GET", url, headers=headers) as response:
                    body = await self._read_capped(response)
                    return response.status_code, response.headers, body
            except httpx.TimeoutException as exc:
                raise FetchError("timeout", str(exc) or type(exc).__name__) from exc
            except httpx.ConnectError as exc:
                raise FetchError("connect_error", str(exc)) from exc
            except (httpx.DecodingError, httpx.RemoteProtocolError, httpx.NetworkError) as exc:
                raise FetchError("network_error", str(exc) or type(exc).__name__) from exc
            except httpx.HTTPError as exc:
                raise FetchError("http_error", str(exc) or type(exc).__name__) from exc

    async def _read_capped(self, response: httpx.Response) -> bytes:
        limit = self.settings.max_response_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError("too_large", f"Content-Length {declared} > {limit}")
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError("too_large", f"body over {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


async def fetch_all_async(requests: Iterable[FetchRequest], settings: Settings) -> list[FetchResult]:
    async with Fetcher(settings) as fetcher:
        return list(await asyncio.gather(*(fetcher.fetch(r) for r in requests)))


def fetch_all(requests: Iterable[FetchRequest], settings: Settings) -> list[FetchResult]:
    """Fetch concurrently; results in the order of the requests."""
    return asyncio.run(fetch_all_async(list(requests), settings))
