"""`make loadtest` / `python -m bench.loadtest`: the production server under load while a full reindex
runs and switches. Prints requests/s, the error count (must be 0) and latency percentiles.

Starts gunicorn (2 workers) on a free 127.0.0.1 port over a copy of a corpus (../shared/corpus if
present, else seeds/), drives it with a bounded number of client threads for --duration seconds,
and starts `flask reindex --full` after a third of the run. Talks to 127.0.0.1 only.
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"
HOST = "127.0.0.1"
QUERIES = ["ICESCO", "AICTO", "ALECSO", "coopération", "education", "AlMalik", "directeur général", "Rabat",
           "numérique", "culture", "", "org:ICESCO", "year:2024", "intelligence artificielle", "ministre"]
PATHS = ["/api/search?q={q}", "/?q={q}", "/api/search?q={q}&sort=-date&page=2", "/api/search?q={q}&lang=fr"]


def free_port() -> int:
    """A port on 127.0.0.1 that nobody listens on."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/api/search?q=")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server on {HOST}:{port} did not answer within {timeout:.0f}s")


class Client(threading.Thread):
    """One user: a request after another on a kept-alive connection until stop is set."""

    def __init__(self, port: int, stop: threading.Event, seed: int):
        super().__init__(daemon=True)
        self.port, self.stop, self.rng = port, stop, random.Random(seed)
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def run(self) -> None:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=15)
        while not self.stop.is_set():
            q = urllib.parse.quote(self.rng.choice(QUERIES))
            path = self.rng.choice(PATHS).format(q=q)
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                if response.status != 200:
                    self.errors.append(f"{response.status} {path}")
                elif path.startswith("/api/search?q=&") or path == "/api/search?q=":
                    if b'"total":0' in body.replace(b" ", b""):
                        self.errors.append(f"empty results {path}")
            except (OSError, http.client.HTTPException) as exc:
                self.errors.append(f"{type(exc).__name__} {path}")
                conn.close()
                conn = http.client.HTTPConnection(HOST, self.port, timeout=15)
                continue
            self.latencies.append(time.perf_counter() - started)
        conn.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


def main(argv: list[str] | None = None) -> int:
    """Run the load test; exit 1 when any request failed or no switch happened."""
    parser = argparse.ArgumentParser(prog="python -m bench.loadtest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads (1-64, default 8)")
    parser.add_argument("--corpus", type=Path, default=None, help="folder to copy (default ../shared/corpus or seeds/)")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 64 or not 1 <= args.duration <= 3600:
        parser.error("--clients must be 1-64 and --duration 1-3600 seconds")
    source = args.corpus or (SHARED_CORPUS if SHARED_CORPUS.is_dir() else PROJECT_ROOT / "seeds")

    work = Path(tempfile.mkdtemp(prefix="loadtest-"))
    docs, index = work / "docs", work / "index"
    shutil.copytree(source, docs)
    env = {**os.environ, "FLASK_DOCS_DIR": str(docs), "FLASK_INDEX_DIR": str(index)}
    env.pop("FLASK_DEBUG", None)
    flask = [sys.executable, "-m", "flask"]
    subprocess.run([*flask, "reindex"], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"{HOST}:{port}", "webui:create_app()"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    reindexer = None
    try:
        wait_until_up(port)
        print(f"Serving {source} ({sum(1 for _ in docs.rglob('*.txt'))} files) on {HOST}:{port}; "
              f"{args.clients} clients for {args.duration:.0f}s, full reindex after {args.duration / 3:.0f}s")
        stop = threading.Event()
        clients = [Client(port, stop, seed) for seed in range(args.clients)]
        started = time.monotonic()
        for client in clients:
            client.start()
        time.sleep(args.duration / 3)
        before = (index / "CURRENT").read_text().strip()
        reindexer = subprocess.Popen([*flask, "reindex", "--full"], cwd=PROJECT_ROOT, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(max(0.0, started + args.duration - time.monotonic()))
        stop.set()
        for client in clients:
            client.join(timeout=20)
        elapsed = time.monotonic() - started
        out, err = reindexer.communicate(timeout=600)
        after = (index / "CURRENT").read_text().strip()
    finally:
        if reindexer is not None and reindexer.poll() is None:
            reindexer.kill()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)

    latencies = [value for client in clients for value in client.latencies]
    errors = [error for client in clients for error in client.errors]
    print(f"reindex --full: exit {reindexer.returncode}, {before} -> {after}; {out.strip() or err.strip()}")
    print(f"requests: {len(latencies) + len(errors)} in {elapsed:.1f}s = {len(latencies) / elapsed:.1f} requests/s")
    print(f"errors: {len(errors)}" + (f" (first: {errors[:3]})" if errors else ""))
    print("latency ms: " + ", ".join(f"p{p} {percentile(latencies, p) * 1000:.1f}" for p in (50, 95, 99))
          + f", max {max(latencies, default=0) * 1000:.1f}")
    switched = reindexer.returncode == 0 and after != before
    if not switched:
        print("the reindex did not switch the index: the test is not valid", file=sys.stderr)
    return 0 if not errors and switched else 1


if __name__ == "__main__":
    sys.exit(main())
