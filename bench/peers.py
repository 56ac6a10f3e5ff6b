"""The peers (newspaper4k, news-please) over locally served URLs, each in its own virtualenv.

    from peers import PEERS, run_peer
    done = run_peer("newspaper4k", ["http://127.0.0.1:PORT/page.html", ...], processes=2)

Each peer's dependencies would fight the project's (lxml, requests, tldextract pins), so each gets a venv under
.bench-venvs/<peer>, made from bench/peers/<peer>.txt on first use and remade when that file changes. The work is
done there by bench/peer_worker.py, run isolated (`python -I`: no PYTHONPATH, no script folder on sys.path), which
downloads every URL through the peer itself, times only the processing, and refuses any connection that is not to
loopback (see its docstring for what is timed and how memory is measured).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
import venv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

PEERS: tuple[str, ...] = ("newspaper4k", "news-please")
BENCH = Path(__file__).resolve().parent
DEFAULT_VENV_ROOT = BENCH.parent / ".bench-venvs"
WORKER = BENCH / "peer_worker.py"
STAMP = "requirements.sha256"  # in the venv: the hash of the requirements it was installed from


@dataclass
class PeerRun:
    peer: str
    version: str  # installed version of the peer package
    processes: int
    seconds: float  # wall time of processing all URLs (imports and warm-up excluded)
    texts: dict[str, str | None]  # url -> extracted main text (None: failed)
    errors: dict[str, int]  # exception class name -> count
    peak_rss_mb: float  # peak RSS of the worker process plus its children
    blocked_connections: int  # attempts to connect anywhere but loopback (must be 0)
    note: str = ""  # what of the peer's usual work was left out, and why


def ensure_venv(peer: str, root: Path = DEFAULT_VENV_ROOT) -> Path:
    """The peer venv's python, created and pip-installed from bench/peers/<peer>.txt if missing or if the
    requirements file changed (stamp file with its hash). Prints one line when it installs."""
    requirements = BENCH / "peers" / f"{peer}.txt"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    home = root / peer
    python = home / "bin" / "python"
    stamp = home / STAMP
    if python.exists() and stamp.exists() and stamp.read_text() == digest:
        return python
    print(f"peers: installing {peer} into {home} from {requirements.name} (once, from PyPI)", flush=True)
    shutil.rmtree(home, ignore_errors=True)  # from scratch: nothing left of the previous pins
    venv.create(home, symlinks=True, with_pip=True)  # as `python -m venv` does on Linux
    installed = subprocess.run([python, "-m", "pip", "install", "--quiet", "-r", requirements],
                               capture_output=True, text=True)
    if installed.returncode != 0:
        raise RuntimeError(f"pip install -r {requirements} failed:\n{installed.stderr[-4000:]}")
    stamp.write_text(digest)  # last: an interrupted install is redone next time
    return python


def run_peer(peer: str, urls: list[str], processes: int = 1, root: Path = DEFAULT_VENV_ROOT,
             timeout: float = 3600) -> PeerRun:
    """Every URL through the peer, in `processes` processes (a fork Pool when more than one)."""
    if peer not in PEERS:
        raise ValueError(f"unknown peer {peer!r}: one of {PEERS}")
    python = ensure_venv(peer, root)
    with tempfile.TemporaryDirectory(prefix="wirehouse-peer-") as tmp:
        urls_file, out_file = Path(tmp) / "urls.json", Path(tmp) / "out.json"
        urls_file.write_text(json.dumps(urls))
        done = subprocess.run([python, "-I", WORKER, peer, "--urls", urls_file, "--out", out_file,
                               "--processes", str(processes)], capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{peer} worker exited {done.returncode}:\n{done.stderr[-4000:]}")
        out = json.loads(out_file.read_text())
    results = out["results"]
    return PeerRun(peer=peer, version=out["version"], processes=out["processes"], seconds=out["seconds"],
                   texts={r["url"]: r["text"] for r in results},
                   errors=dict(Counter(r["error"] for r in results if r["error"])),
                   peak_rss_mb=out["peak_rss_mb"], blocked_connections=out["blocked_connections"], note=out["note"])


if __name__ == "__main__":  # make (or check) every peer's venv: `.venv/bin/python bench/peers.py`
    for name in PEERS:
        print(name, ensure_venv(name))
