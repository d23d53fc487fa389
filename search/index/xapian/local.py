"""A cluster on this machine's loopback: xapian-tcpsrv shards (with replicas kept in step by
xapian-replicate), a Dask scheduler and workers. The cluster tests and `make bench-cluster` start
one; on several machines the same commands run under systemd (README, "Operating a cluster")."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
# Server-side settings of a shard's primary: no automatic commit inside a reindex's batch, and
# changesets kept for the replicas to follow.
PRIMARY_ENV = {"XAPIAN_FLUSH_THRESHOLD": "100000000", "XAPIAN_MAX_CHANGESETS": "20"}
WRITER_IDLE_MS = 3_600_000  # a primary keeps an idle connection an hour (xapian-tcpsrv: a minute)


def tools_missing() -> str | None:
    """Why a local cluster cannot start here, or None."""
    for tool in ("xapian-tcpsrv", "xapian-replicate", "xapian-replicate-server"):
        if shutil.which(tool) is None:
            return (f"{tool} is not installed: run `make test` as root (it installs Debian's xapian-tools), "
                    "or `apt-get install xapian-tools`")
    try:
        import distributed  # noqa: F401
        import xapian  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed: run `make setup` (it installs the cluster extra)"
    return None


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 20.0) -> None:
    """Wait until something listens on the port; RuntimeError after `seconds`."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {HOST}:{port} after {seconds:.0f}s")


@dataclass
class Process:
    """A server started in its own process group (a xapian-tcpsrv forks one child per connection)."""

    name: str
    argv: list[str]
    env: dict = field(default_factory=dict)
    port: int | None = None
    popen: subprocess.Popen | None = None

    def start(self, log_dir: Path) -> "Process":
        log = open(log_dir / f"{self.name}.log", "ab")
        self.popen = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                      env={**os.environ, **self.env})
        log.close()
        if self.port is not None:
            wait_for_port(self.port)
        return self

    def signal(self, sig: int) -> None:
        """Send a signal to the whole group (the server and its connections' children)."""
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, sig)

    def kill(self) -> None:
        """Kill the group and reap the server."""
        if self.popen is None:
            return
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.popen.wait(timeout=10)


def tcpsrv(name: str, database: Path, writable: bool, port: int | None = None) -> Process:
    """A xapian-tcpsrv serving one database on a loopback port (a free one unless given)."""
    port = port or free_port()
    argv = ["xapian-tcpsrv", "--quiet", "--interface", HOST, "--port", str(port)]
    if writable:  # a reindex's writer may wait on its workers longer than the default minute
        argv += ["--writable", "--idle-timeout", str(WRITER_IDLE_MS)]
    return Process(name, argv + [str(database)], PRIMARY_ENV if writable else {}, port)


def dask_scheduler(name: str = "scheduler") -> Process:
    """A Dask scheduler on a free loopback port."""
    port = free_port()
    argv = [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", HOST, "--port", str(port),
            "--no-dashboard"]
    return Process(name, argv, {}, port)


def dask_worker(name: str, scheduler: str) -> Process:
    """A Dask worker of one thread (no nanny: a killed worker stays dead, as a lost machine)."""
    argv = [sys.executable, "-m", "distributed.cli.dask_worker", scheduler, "--nthreads", "1", "--no-nanny",
            "--host", HOST, "--no-dashboard", "--name", name, "--memory-limit", "0"]
    return Process(name, argv, {})


def wait_for_workers(address: str, count: int, seconds: float = 60.0) -> None:
    """Wait until the scheduler has `count` workers."""
    from distributed import Client

    with Client(address, timeout=seconds, set_as_default=False) as client:
        client.wait_for_workers(count, timeout=seconds)


def wait_for_replica(port: int, primary_port: int, seconds: float = 30.0) -> None:
    """Wait until the replica served on the port has caught up with its primary (same document
    count and last document id)."""
    import xapian

    def state(p):
        db = xapian.remote_open(HOST, p, 1000, 500)
        return db.get_doccount(), db.get_lastdocid()

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if state(port) == state(primary_port):
                return
        except (xapian.NetworkError, xapian.DatabaseError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the replica on port {port} did not catch up with its primary in {seconds:.0f}s")
