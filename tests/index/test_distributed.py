"""A reindex on a real Dask cluster (scheduler and three workers on loopback) whose workers die
just after the data every task needs was sent to them, before it was copied to the others: the
scheduler cancels the tasks that needed it, the indexer sends it again, and the index comes out as
a reindex without Dask builds it.

Skipped, saying how to run it, without the `cluster` extra.
"""
from __future__ import annotations

import shutil
import time

import pytest

from conftest import SHARED
from search.index import store
from search.index.indexer import reindex
from search.index.whoosh.digest import differences, digest
from search.ingest.extract import ExtractionContext

distributed = pytest.importorskip("distributed", reason="the Dask tests need the cluster extra: "
                                                        "pip install -e '.[cluster]'")
from search.index.xapian.local import HOST, Process, dask_scheduler, dask_worker, wait_for_workers  # noqa: E402

CORPUS = SHARED / "corpus"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")]


def _lose_first_scatters(monkeypatch, victims: dict[str, Process]) -> dict[str, int]:
    """Make the first scatter of the common lines (which the learning passes need) and the first of
    the extraction context land on one worker only, and kill that worker before the call returns:
    the data is lost."""
    original = distributed.Client.scatter
    lost: dict[str, int] = {}

    def scatter(self, data, *args, **kwargs):
        value = data[0] if isinstance(data, list) and len(data) == 1 else data
        kind = "context" if isinstance(value, ExtractionContext) else "common" if isinstance(value, frozenset) else "other"
        victim = victims.pop(kind, None)
        if victim is None:
            return original(self, data, *args, **kwargs)
        info = self.scheduler_info()["workers"]
        address = next(a for a, w in info.items() if w["name"] == victim.name)
        future = original(self, data, workers=[address], broadcast=False, hash=False)
        victim.kill()
        victim.popen.wait()
        end = time.monotonic() + 30
        while address in self.scheduler_info()["workers"] and time.monotonic() < end:
            time.sleep(0.05)
        lost[kind] = lost.get(kind, 0) + 1
        return future

    monkeypatch.setattr(distributed.Client, "scatter", scatter)
    return lost


def test_data_lost_with_a_worker_is_sent_again(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    docs.mkdir()
    for path in sorted(CORPUS.glob("*.txt"))[:30]:
        shutil.copy(path, docs / path.name)
    logs = tmp_path / "logs"
    logs.mkdir()
    started: list[Process] = []
    try:
        scheduler = dask_scheduler().start(logs)
        started.append(scheduler)
        address = f"tcp://{HOST}:{scheduler.port}"
        workers = [dask_worker(f"worker{i}", address).start(logs) for i in (1, 2, 3)]
        started += workers
        wait_for_workers(address, 3)
        lost = _lose_first_scatters(monkeypatch, {"common": workers[1], "context": workers[2]})
        summary = reindex(docs, tmp_path / "dask", scheduler=address)
        assert lost == {"common": 1, "context": 1}
        assert all(w.popen.poll() is not None for w in workers[1:]) and workers[0].popen.poll() is None
        assert summary.skipped == [] and summary.added == 30
        monkeypatch.undo()
        reindex(docs, tmp_path / "local")
        built = [digest(store.current_generation(tmp_path / name)) for name in ("local", "dask")]
        assert differences(*built) == []
    finally:
        for process in reversed(started):
            process.kill()
