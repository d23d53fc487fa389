"""The shards of XAPIAN_SHARDS: which shard a document goes to, and connections to them.

`XAPIAN_SHARDS` lists one `host:port` of a `xapian-tcpsrv` per shard, comma-separated; a shard
may list replicas after its primary, `host:port|host:port` (kept in step with xapian-replicate).
Writes go to each shard's primary only; reads go to the first of its servers that answers. A
shard none of whose servers answers is left out for a few seconds (`DOWN_SECONDS`) rather than
waited for by every request.
"""
from __future__ import annotations

import threading
import time
import zlib
from dataclasses import dataclass

import xapian

CONNECT_MS = 500  # a server that does not accept a connection within this is taken as down
READ_MS = 800  # nor one that does not answer a message: a hung server costs a request this, once
WRITE_MS = 600_000  # a commit of a large batch may take minutes
DOWN_SECONDS = 5.0  # a shard that did not answer is not asked again for this long

# What a remote database raises when its server is gone, hung or restarted under it.
NETWORK_ERRORS = (xapian.NetworkError, xapian.NetworkTimeoutError, xapian.DatabaseModifiedError,
                  xapian.DatabaseOpeningError, xapian.DatabaseClosedError)


@dataclass(frozen=True)
class Server:
    """One xapian-tcpsrv."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Shard:
    """A shard: its primary (written) and replicas (read when the primary does not answer)."""

    number: int
    servers: tuple[Server, ...]

    @property
    def name(self) -> str:
        """The shard as XAPIAN_SHARDS names it (its primary)."""
        return str(self.servers[0])


def parse_shards(spec: str) -> tuple[Shard, ...]:
    """The shards of an XAPIAN_SHARDS value; ValueError saying what is expected otherwise."""
    shards = []
    for number, part in enumerate(p.strip() for p in (spec or "").split(",")):
        if not part:
            continue
        servers = []
        for address in part.split("|"):
            host, sep, port = address.strip().rpartition(":")
            if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"XAPIAN_SHARDS: {address.strip()!r} is not host:port "
                                 "(shards are comma-separated, a shard's replicas |-separated).")
            servers.append(Server(host.strip("[]"), int(port)))
        shards.append(Shard(len(shards), tuple(servers)))
    if not shards:
        raise ValueError("XAPIAN_SHARDS is empty: list the xapian-tcpsrv servers as host:port,host:port.")
    return tuple(shards)


def shard_of(doc_id: str, count: int) -> int:
    """The shard a document lives on: a stable hash of its id (the same in every process and run)."""
    return zlib.crc32(doc_id.encode("utf-8")) % count


def global_docid(local: int, shard: int, count: int) -> int:
    """Xapian's own numbering of a document over several shards (as Database.add_database does)."""
    return (local - 1) * count + shard + 1


def open_writable(shard: Shard):
    """A writable connection to the shard's primary; OSError naming it when it does not answer."""
    server = shard.servers[0]
    try:
        return xapian.remote_open_writable(server.host, server.port, WRITE_MS, CONNECT_MS * 4)
    except NETWORK_ERRORS as exc:
        raise OSError(f"shard {shard.name} does not answer ({exc.get_msg()}): "
                      "start its xapian-tcpsrv --writable, then reindex again") from None


class ShardHealth:
    """Which servers did not answer lately, shared by a generation's views (all threads): a server
    that failed is not asked again for DOWN_SECONDS, a shard is down when all its servers are."""

    def __init__(self):
        self._down_until: dict[Server, float] = {}
        self._lock = threading.Lock()

    def server_down(self, server: Server) -> bool:
        with self._lock:
            return self._down_until.get(server, 0.0) > time.monotonic()

    def is_down(self, shard: Shard) -> bool:
        """Whether none of the shard's servers answers."""
        return all(self.server_down(server) for server in shard.servers)

    def mark_down(self, server: Server) -> None:
        with self._lock:
            self._down_until[server] = time.monotonic() + DOWN_SECONDS

    def mark_up(self, server: Server) -> None:
        with self._lock:
            self._down_until.pop(server, None)


def open_reader(shard: Shard, health: ShardHealth):
    """(server, read connection) to the first of the shard's servers that answers, or None."""
    for server in shard.servers:
        if health.server_down(server):
            continue
        try:
            db = xapian.remote_open(server.host, server.port, READ_MS, CONNECT_MS)
        except NETWORK_ERRORS:
            health.mark_down(server)
            continue
        health.mark_up(server)
        return server, db
    return None


def shard_status(shard: Shard) -> dict:
    """A shard's health for /healthz: which of its servers answer, and its document count."""
    servers = []
    documents = None
    for server in shard.servers:
        try:
            db = xapian.remote_open(server.host, server.port, READ_MS, CONNECT_MS)
            count = db.get_doccount()
            db.close()
        except NETWORK_ERRORS:
            servers.append({"server": str(server), "status": "down"})
            continue
        servers.append({"server": str(server), "status": "ok"})
        documents = count if documents is None else documents
    status = "ok" if servers[0]["status"] == "ok" else ("replica" if documents is not None else "down")
    return {"shard": shard.name, "status": status, "documents": documents, "servers": servers}
