"""Prefect defaults for wirehouse: nothing leaves the machine, and the temporary server may start slowly; and a
local Prefect server with its processes, for the tests and benchmarks that need a real one.

quiet_prefect must run before prefect is imported; explicit environment variables still win.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULTS = {
    "DO_NOT_TRACK": "1",  # client telemetry
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",  # server heartbeat
    "PREFECT_SERVER_UI_ENABLED": "false",
    # a fresh PREFECT_HOME needs 15-18 s of migrations on 2 cores; the default 20 s is too tight
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}


def quiet_prefect() -> None:
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)


def prefect_env(home: Path, api: str | None = None) -> dict[str, str]:
    """The environment for Prefect processes of our own: this process's, minus its Prefect and wirehouse settings,
    with a home of their own, offline and quiet; pointed at `api` when given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "WIREHOUSE_"))}
    env |= DEFAULTS | {"PREFECT_HOME": str(home), "PREFECT_LOGGING_LEVEL": "INFO",
                       # interval schedules get their runs inserted, and runners and workers look for them, often
                       "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5", "PREFECT_RUNNER_POLL_FREQUENCY": "2",
                       "PREFECT_WORKER_QUERY_SECONDS": "2"}
    return env | {"PREFECT_API_URL": api} if api else env


def start_process(args: list[str], env: dict[str, str], log: Path, cwd: Path | None = None) -> subprocess.Popen:
    """A child in its own process group with SIGINT at its default (a background shell may have ignored it), so
    stop_process can send it what a terminal's Ctrl-C sends."""
    return subprocess.Popen(args, env=env, cwd=cwd, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def stop_process(process: subprocess.Popen, sig: int = signal.SIGTERM, wait: float = 30) -> int:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        return process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait()


@contextmanager
def local_prefect_server(home: Path, startup: float = 120) -> Iterator[str]:
    """`prefect server start` on a free loopback port with its own home; yields its API URL."""
    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    api = f"http://127.0.0.1:{port}/api"
    prefect = Path(sys.executable).parent / "prefect"
    process = start_process([str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                            prefect_env(home), home / "server.log")
    deadline = time.monotonic() + startup
    try:
        while True:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"Prefect server did not start: {(home / 'server.log').read_text()[-3000:]}")
            time.sleep(1)
        yield api
    finally:
        stop_process(process)
