"""Network faults on the wire and the address guard, through the fetch path a run uses.

A raw-socket server on 127.0.0.1 writes exactly the bytes each fault needs (resets, truncations, garbage, silence,
one byte a second). Every fault must come back as a result with an error class, never as an exception, and within
the URL's deadline. The SSRF tests run with the guard on and a tripwire under httpx that records and refuses every
connection to anything but the literal 127.0.0.1, so a guard that lets an address through fails the test without
anything being dialled; a canary listener on 127.0.0.1 shows that nothing reached loopback either.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpcore
import pytest
from hostile import article, request_path

from wirehouse.models import Feed, FeedEntry, FetchRequest, Outcome, PollStatus
from wirehouse.settings import Settings
from wirehouse.tasks.feeds import feed_access_status, poll_feeds
from wirehouse.tasks.fetch import TRANSIENT_ERRORS, fetch_all, is_transient
from wirehouse.tasks.pages import process_entries
from wirehouse.tasks.sniff import AccessStatus

TIMEOUT, DEADLINE = 2.0, 3.5  # request_timeout and request_deadline of the fault tests
MARGIN = 6.0  # seconds over the deadline a loaded CI machine may add; a hang would take far longer
PUBLIC = "93.184.215.14"  # a global address, only ever answered by the fake resolver (the tripwire refuses to dial)

# --- a server that writes raw bytes -------------------------------------------------------------------------------

Behaviour = Callable[[socket.socket, "RawServer"], None]


class RawServer:
    """Threads on 127.0.0.1: each connection's request path picks the behaviour that writes the reply.

    A connection that opens with a TLS record (a ClientHello sent to a plain port) gets routes["<tls>"].
    With `tls`, the socket is wrapped in that server context first; a failed handshake ends the connection.
    """

    def __init__(self, routes: dict[str, Behaviour], tls: ssl.SSLContext | None = None) -> None:
        self.routes = routes
        self.tls = tls
        self.paths: list[str] = []  # requests seen, in order
        self.connections = 0
        self.stopped = threading.Event()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.base = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"

    def __enter__(self) -> RawServer:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(15)
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            elif conn.recv(1, socket.MSG_PEEK) == b"\x16":
                self.routes["<tls>"](conn, self)
                return
            path = request_path(conn)
            with self._lock:
                self.paths.append(path)
            self.routes.get(path, not_found)(conn, self)
        except (OSError, ssl.SSLError):
            pass  # the client gave up, or the fault itself broke the connection
        finally:
            conn.close()


def reset(conn: socket.socket) -> None:
    """Close with a TCP RST instead of a FIN (SO_LINGER with a zero timeout)."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def wait_for_close(conn: socket.socket, server: RawServer) -> None:
    """Hold the connection open, answering nothing, until the client or the server gives up."""
    conn.settimeout(0.2)
    while not server.stopped.is_set():
        try:
            if not conn.recv(4096):
                return
        except TimeoutError:
            continue


def send(data: bytes, then: Callable[[socket.socket], None] | None = None) -> Behaviour:
    def behaviour(conn: socket.socket, _: RawServer) -> None:
        conn.sendall(data)
        if then is not None:
            time.sleep(0.1)  # let the bytes leave before the reset overtakes them
            then(conn)

    return behaviour


def drip(data: bytes, every: float = 1.0) -> Behaviour:
    """One byte a second: each byte arrives well within the read timeout, so only the deadline can stop it."""

    def behaviour(conn: socket.socket, server: RawServer) -> None:
        for byte in data:
            if server.stopped.wait(every):
                return
            conn.sendall(bytes([byte]))

    return behaviour


def endless(first: bytes, repeated: bytes) -> Behaviour:
    def behaviour(conn: socket.socket, server: RawServer) -> None:
        conn.sendall(first)
        while not server.stopped.is_set():
            conn.sendall(repeated)
            time.sleep(0.001)

    return behaviour


def not_found(conn: socket.socket, _: RawServer) -> None:
    conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


def ok(body: bytes) -> Behaviour:
    return send(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n"
                b"Connection: close\r\n\r\n%s" % (len(body), body))


def redirect(location: str) -> Behaviour:
    return send(f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                .encode())


HEAD_10K = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 10000\r\n\r\n"
CHUNKED = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"

# path → (what the server does, the error classes the fetch may record). Timeouts may end as "timeout" (the read
# timeout fired) or "deadline" (the URL's total budget ran out first, during a retry); both are transient.
FAULTS: dict[str, tuple[Behaviour, set[str]]] = {
    "/reset-before-response": (lambda c, s: reset(c), {"network_error"}),
    "/reset-mid-headers": (send(b"HTTP/1.1 200 OK\r\nContent-Ty", reset), {"network_error"}),
    "/reset-mid-body": (send(HEAD_10K + b"<p>" * 200, reset), {"network_error"}),
    "/closed-before-response": (lambda c, s: None, {"network_error"}),
    "/truncated-body": (send(HEAD_10K + b"<p>" * 200), {"network_error"}),
    "/chunked-cut-off": (send(CHUNKED + b"100\r\n" + b"x" * 256 + b"\r\n100\r\nxxxx"), {"network_error"}),
    "/bad-chunk-size": (send(CHUNKED + b"zz\r\nhello\r\n0\r\n\r\n"), {"network_error"}),
    "/http09-no-status-line": (send(b"<html><body><p>no status line at all</p></body></html>"), {"network_error"}),
    "/garbage-status-line": (send(b"HTTP/1.1 abc Nope\r\n\r\n"), {"network_error"}),
    "/binary-garbage": (send(bytes(range(256)) * 4), {"network_error"}),
    "/bad-content-length": (send(b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nhello"), {"network_error"}),
    "/endless-headers": (endless(b"HTTP/1.1 200 OK\r\n", b"X-Junk: " + b"a" * 1000 + b"\r\n"), {"network_error"}),
    "/endless-100-continue": (endless(b"", b"HTTP/1.1 100 Continue\r\n\r\n"), {"deadline"}),
    "/accepts-never-answers": (wait_for_close, {"timeout", "deadline"}),
    "/drip-headers": (drip(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello"),
                      {"deadline"}),
    "/drip-body": (lambda c, s: (c.sendall(HEAD_10K), drip(b"x" * 10_000)(c, s)), {"deadline"}),
}
GOOD = article("The ferry runs through the winter")


def fault_settings(**overrides: object) -> Settings:
    quick = {"allowed_networks": ["127.0.0.1/32"], "request_timeout": TIMEOUT, "request_deadline": DEADLINE,
             "per_host_delay": 0, "fetch_retries": 1, "retry_backoff": 0.05, "respect_robots": False}
    return Settings(**quick | overrides)


@pytest.fixture(scope="module")
def server() -> Iterator[RawServer]:
    routes = {path: behaviour for path, (behaviour, _) in FAULTS.items()} | {"/good": ok(GOOD)}
    routes["<tls>"] = send(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    with RawServer(routes) as srv:
        yield srv


# --- faults on the wire ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", list(FAULTS))
def test_fault_is_recorded_with_its_class(server: RawServer, path: str) -> None:
    started = time.monotonic()
    [result] = fetch_all([FetchRequest(server.base + path)], fault_settings())
    took = time.monotonic() - started
    assert result.error in FAULTS[path][1], result
    assert is_transient(result.error), "a flaky network is worth another try in a later run"
    assert result.body is None and result.detail
    assert took < DEADLINE + MARGIN, f"{path} took {took:.1f} s with a {DEADLINE} s deadline"


def test_a_batch_of_faults_ends_within_the_deadline_and_records_every_page(server: RawServer) -> None:
    """Every fault at once, beside one good page, through the page stage as a run calls it (robots.txt included)."""
    urls = [server.base + path for path in FAULTS] + [f"https://127.0.0.1:{server.port}/plain-port",
                                                     server.base + "/good"]
    entries = [FeedEntry(feed="faults", url=url) for url in urls]
    # All at once (no per-host queue): the batch then takes one deadline, not the sum of them.
    settings = fault_settings(respect_robots=True, fetch_retries=0, per_host_concurrency=len(urls),
                              fetch_concurrency=len(urls))
    started = time.monotonic()
    results = process_entries(entries, settings)
    took = time.monotonic() - started
    assert [r.url for r in results] == urls
    *faults, good = results
    assert good.outcome == Outcome.ARTICLE, good
    for result, expected in zip(faults, [*(classes for _, classes in FAULTS.values()), {"robots_unavailable"}],
                                strict=True):
        error = result.fetch.error
        # Five transient failures in a row and the host is given up for the batch: pages still queued then are
        # recorded as host_unavailable (transient too) instead of being tried.
        assert error in expected | {"host_unavailable"}, (result.url, result.reason)
        assert result.outcome == Outcome.FAILED and result.transient
        assert result.reason.startswith(error)
    assert took < DEADLINE + MARGIN, f"the batch took {took:.1f} s with a {DEADLINE} s deadline"


def test_faulty_feeds_are_failed_polls_with_the_error_class(server: RawServer) -> None:
    paths = ["/reset-mid-body", "/truncated-body", "/garbage-status-line", "/drip-body"]
    feeds = [Feed(name=path, url=server.base + path) for path in paths]
    polls = poll_feeds(feeds, {}, fault_settings(per_host_concurrency=4))
    for path, poll in zip(paths, polls, strict=True):
        assert poll.status == PollStatus.FAILED
        assert poll.error in FAULTS[path][1] | {"timeout"}, (path, poll.error)


# --- TLS ------------------------------------------------------------------------------------------------------------


def self_signed(tmp_path: Path) -> ssl.SSLContext:
    """A server context with a certificate for 127.0.0.1 made on the fly, signed by nobody the client trusts."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return context


def test_tls_faults_are_recorded_as_connect_errors(server: RawServer, tmp_path: Path) -> None:
    stall = {"<tls>": wait_for_close}
    hang_up = {"<tls>": lambda c, s: (c.recv(1024), reset(c))}
    with RawServer({"/": ok(GOOD)}, tls=self_signed(tmp_path)) as signed, RawServer(stall) as stalled, \
            RawServer(hang_up) as hung_up:
        cases = {
            f"https://127.0.0.1:{server.port}/plain-port": {"connect_error"},  # plain HTTP answers the ClientHello
            f"{signed.base}/": {"connect_error"},  # certificate verify failed
            f"https://127.0.0.1:{hung_up.port}/": {"connect_error"},  # reset during the handshake
            f"https://127.0.0.1:{stalled.port}/": {"timeout", "deadline"},  # no ServerHello ever
        }
        entries = [FeedEntry(feed="tls", url=url) for url in cases]
        started = time.monotonic()
        # No retries: three quick failures retried would give the host up, and the retries record host_unavailable.
        results = process_entries(entries, fault_settings(per_host_concurrency=4, fetch_retries=0))
        took = time.monotonic() - started
        assert signed.connections >= 1 and not signed.paths  # it was reached, and no request got through
    for (url, expected), result in zip(cases.items(), results, strict=True):
        assert result.outcome == Outcome.FAILED and result.transient, result
        assert result.fetch.error in expected, (url, result.reason)
    verify = results[1].reason.lower()
    assert "certificate" in verify or "verify" in verify, verify
    assert took < DEADLINE + MARGIN


# --- DNS ------------------------------------------------------------------------------------------------------------


def test_unresolvable_name_is_a_transient_failure_through_the_page_stage() -> None:
    entries = [FeedEntry(feed="dns", url="http://nonexistent.invalid/story")]
    [guarded] = process_entries(entries, Settings(request_timeout=2, request_deadline=4, per_host_delay=0))
    assert guarded.outcome == Outcome.FAILED and guarded.transient
    assert guarded.fetch.error == "dns_error" and guarded.reason.startswith("dns_error")
    # Without the guard nothing resolves the name before httpx does, which reports it as a failed connect.
    [unguarded] = process_entries(entries, fault_settings(allow_private_addresses=True, allowed_networks=[]))
    assert unguarded.outcome == Outcome.FAILED and unguarded.transient
    assert unguarded.fetch.error in {"dns_error", "connect_error"}


# --- SSRF: the address guard ----------------------------------------------------------------------------------------


@pytest.fixture
def dials(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every connection httpx tries to anything but the literal 127.0.0.1: recorded, and refused undialled."""
    attempts: list[tuple[str, int]] = []
    real = httpcore.AnyIOBackend.connect_tcp

    async def tripwire(self: httpcore.AnyIOBackend, host: str, port: int, *args: object, **kwargs: object):
        if host != "127.0.0.1":
            attempts.append((host, port))
            raise httpcore.ConnectError(f"tripwire: the test refuses to dial {host}:{port}")
        return await real(self, host, port, *args, **kwargs)

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", tripwire)
    return attempts


@pytest.fixture
def canary() -> Iterator[RawServer]:
    """A listener on 127.0.0.1 that must never be reached."""
    with RawServer({}) as srv:
        yield srv


def _hosts_file_loopback_names() -> list[str]:
    """Names besides localhost that /etc/hosts maps to a loopback address (runsc, vm, ... in some sandboxes)."""
    names = []
    try:
        lines = Path("/etc/hosts").read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) < 2:
            continue
        try:
            loopback = ipaddress.ip_address(fields[0]).is_loopback
        except ValueError:
            continue
        names += [n for n in fields[1:] if loopback and "localhost" not in n.lower()]
    return names


def ssrf_urls(port: int) -> list[str]:
    return [
        f"http://localhost:{port}/",
        f"http://LocalHost:{port}/",
        f"http://127.0.0.1:{port}/",
        f"http://127.1:{port}/",  # short form
        f"http://0x7f000001:{port}/",  # hexadecimal
        f"http://2130706433:{port}/",  # decimal
        f"http://0177.0.0.1:{port}/",  # octal (httpx itself would refuse it; the guard must too)
        f"http://0x7f.1:{port}/",
        f"http://[::1]:{port}/",
        f"http://[::ffff:127.0.0.1]:{port}/",  # IPv4-mapped
        f"http://[::ffff:7f00:1]:{port}/",  # IPv4-mapped, hex
        f"http://[0:0:0:0:0:ffff:7f00:1]:{port}/",
        f"http://[64:ff9b::7f00:1]:{port}/",  # NAT64
        f"http://[2002:7f00:1::]:{port}/",  # 6to4
        "http://[fc00::1]/",
        "http://[fd12:3456::1]/",
        "http://[fe80::1]/",
        "http://[::]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "http://10.0.0.1/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",  # CGNAT
        f"http://0.0.0.0:{port}/",  # Linux routes 0.0.0.0 to this host
        f"http://0:{port}/",
        "http://224.0.0.1/",
        "http://255.255.255.255/",
        *(f"http://{name}:{port}/" for name in _hosts_file_loopback_names()),
    ]


def test_private_and_loopback_addresses_are_refused_with_the_guard_on(
    canary: RawServer, dials: list[tuple[str, int]]
) -> None:
    urls = ssrf_urls(canary.port)
    results = process_entries([FeedEntry(feed="ssrf", url=url) for url in urls], Settings(request_timeout=2))
    refused = {r.url: r.fetch.error for r in results}
    assert refused == dict.fromkeys(urls, "blocked_address")
    for result in results:
        assert result.outcome == Outcome.FAILED and not result.transient
        assert result.access_status == AccessStatus.BLOCKED_ADDRESS
    assert dials == [] and canary.connections == 0


@pytest.mark.parametrize(
    "address",
    ["::7f00:1",  # IPv4-compatible (deprecated): carries 127.0.0.1
     "::ffff:0:7f00:1",  # IPv4-translated (SIIT): carries 127.0.0.1
     "::a9fe:a9fe",  # IPv4-compatible 169.254.169.254
     "64:ff9b:1::a00:1",  # local-use NAT64 prefix (RFC 8215): translates into a private network
     "fec0::1"],  # site-local (deprecated, still routed inside some networks)
)
def test_ipv6_forms_that_reach_private_networks_are_refused(
    canary: RawServer, dials: list[tuple[str, int]], address: str
) -> None:
    [result] = fetch_all([FetchRequest(f"http://[{address}]:{canary.port}/")], Settings(request_timeout=2))
    assert result.error == "blocked_address", result
    assert dials == [] and canary.connections == 0


def test_names_that_do_not_resolve_publicly_are_refused(canary: RawServer, dials: list[tuple[str, int]]) -> None:
    """A trailing dot or a scope id may not resolve at all: refused either way, and nothing is dialled."""
    urls = [f"http://localhost.:{canary.port}/", f"http://[fe80::1%25lo]:{canary.port}/",
            f"http://localhost.localdomain:{canary.port}/"]
    results = fetch_all([FetchRequest(url) for url in urls], Settings(request_timeout=2))
    assert {r.error for r in results} <= {"blocked_address", "dns_error"}, results
    assert dials == [] and canary.connections == 0


def redirect_targets(port: int) -> list[str]:
    return [
        f"http://[::1]:{port}/",
        f"http://[::ffff:127.0.0.1]:{port}/",  # the mapped form of the allowed address is not in 127.0.0.1/32
        f"http://127.0.0.2:{port}/",  # loopback, but outside the allowed network
        f"http://0.0.0.0:{port}/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",
        "http://[fc00::1]/",
        "http://[fe80::1]/",
    ]


def test_redirects_into_private_networks_are_refused(
    canary: RawServer, dials: list[tuple[str, int]]
) -> None:
    """The first hop is allowed (127.0.0.1/32 is); each redirect target must pass the guard on its own."""
    targets = redirect_targets(canary.port)
    routes = {f"/to/{i}": redirect(target) for i, target in enumerate(targets)}
    routes["/feed"] = redirect("http://192.168.1.1/feed.xml")
    routes["/to/file"] = redirect("file:///etc/passwd")
    routes["/to/gopher"] = redirect(f"gopher://127.0.0.1:{canary.port}/_GET")
    with RawServer(routes) as srv:
        pages = [f"{srv.base}/to/{i}" for i in range(len(targets))]
        settings = Settings(allowed_networks=["127.0.0.1/32"], request_timeout=2, per_host_delay=0,
                            per_host_concurrency=4)
        results = process_entries([FeedEntry(feed="ssrf", url=url) for url in pages], settings)
        assert {r.url: r.fetch.error for r in results} == dict.fromkeys(pages, "blocked_address")
        assert all(r.outcome == Outcome.FAILED and not r.transient for r in results)

        [poll] = poll_feeds([Feed(name="redirected", url=f"{srv.base}/feed")], {}, settings)
        assert poll.status == PollStatus.FAILED and poll.error == "blocked_address"
        assert feed_access_status(poll) == AccessStatus.BLOCKED_ADDRESS

        schemes = fetch_all([FetchRequest(f"{srv.base}/to/file"), FetchRequest(f"{srv.base}/to/gopher")], settings)
        assert [r.error for r in schemes] == ["bad_url", "bad_url"]
        assert set(srv.paths) >= {f"/to/{i}" for i in range(len(targets))} | {"/feed"}  # the first hops were made
    assert dials == [] and canary.connections == 0


def fake_resolver(monkeypatch: pytest.MonkeyPatch, answers: Callable[[int], list[str]], name: str) -> list[int]:
    """Resolve `name` to answers(n) on the n-th lookup (from 0); other names as usual. Returns the lookup count."""
    real = socket.getaddrinfo
    calls = [0]

    def getaddrinfo(host: object, port: object, *args: object, **kwargs: object) -> list:
        if host != name:
            return real(host, port, *args, **kwargs)
        addresses = answers(calls[0])
        calls[0] += 1
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, int(port or 0), 0, 0)) if ":" in a
                else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, int(port or 0))) for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return calls


@pytest.mark.parametrize("private", ["127.0.0.1", "::1", "10.1.2.3", "::ffff:169.254.169.254"])
def test_a_name_with_any_private_address_is_refused(
    monkeypatch: pytest.MonkeyPatch, canary: RawServer, dials: list[tuple[str, int]], private: str
) -> None:
    """Every address a name resolves to is checked, not just the first."""
    fake_resolver(monkeypatch, lambda n: [PUBLIC, private], "mixed.example")
    [result] = fetch_all([FetchRequest(f"http://mixed.example:{canary.port}/")], Settings(request_timeout=2))
    assert result.error == "blocked_address" and private in result.detail
    assert dials == [] and canary.connections == 0


def test_dns_rebinding_between_the_check_and_the_connection_is_refused(
    monkeypatch: pytest.MonkeyPatch, canary: RawServer, dials: list[tuple[str, int]]
) -> None:
    """A name answering a public address to the guard's lookup and loopback to the next (TTL 0) must not reach
    loopback: the connection may only go to an address that was checked."""
    calls = fake_resolver(monkeypatch, lambda n: [PUBLIC] if n == 0 else ["127.0.0.1"], "rebind.example")
    [result] = fetch_all([FetchRequest(f"http://rebind.example:{canary.port}/", kind="feed")],
                         Settings(request_timeout=2, fetch_retries=0))
    assert calls[0] >= 1
    assert dials == [] and canary.connections == 0, "the connection went to an address the guard never checked"
    assert result.error == "blocked_address", result


def test_error_classes_used_here_are_the_fetch_stage_s() -> None:
    used = set().union(*(classes for _, classes in FAULTS.values())) | {"connect_error", "dns_error"}
    assert used <= TRANSIENT_ERRORS
    assert not is_transient("blocked_address") and not is_transient("bad_url")
