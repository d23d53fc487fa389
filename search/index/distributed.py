"""Extraction on a Dask cluster (DASK_SCHEDULER): files read, extracted and analysed on the
workers, which send back analysed documents a batch of files at a time; and the archive-wide
passes before it (common lines, entity learning) summed from the workers' partial results.

The workers read the files themselves: no text travels to the coordinator. For common lines each
task returns how many of its files hold each short line; for each learning pass, what its files
teach (the evidence `learn_from_corpus` merges).

The archive-wide knowledge (common lines, learned entities) goes to every worker once; each task
extracts BATCH_FILES files. The coordinator keeps at most WINDOW tasks in flight and yields the
extractions in the files' order, so its memory stays bounded whatever the archive's size. A worker
that dies takes its tasks with it: the scheduler runs them again on another worker (a task is
given up only after the scheduler's allowed failures, when it raises KilledWorker). What is sent
to every worker (the knowledge) first reaches one of them, which copies it to the others: a worker
that dies before the copies are made loses it, and the scheduler cancels the tasks that needed it.
Those are sent again with the data scattered anew, up to SCATTER_ATTEMPTS times.
Workers must see DOCS_DIR at the same path (a shared or replicated folder) and run this package.
"""
from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from search.index.extraction import Extraction, text_of, extract_file
from search.index.learning import learn_chunk, learn_entities
from search.index.scanning import FileState
from search.ingest.extract import ExtractionContext, LineCounts, common_from_counts, count_lines

BATCH_FILES = 16  # files per task: a task costs the scheduler a few milliseconds
WINDOW = 32  # tasks in flight: bounds what waits for the writer in the coordinator's memory
CONNECT_SECONDS = 10
SCATTER_ATTEMPTS = 3  # times the data every task needs is sent out, when a dying worker lost it


LEARN_FILES = 256  # files per task of the archive-wide passes


def _client(scheduler: str):
    try:
        from distributed import Client
    except ImportError:
        raise OSError("DASK_SCHEDULER is set but Dask is not installed: pip install -e '.[cluster]'") from None
    try:
        return Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
    except OSError as exc:
        raise OSError(f"the Dask scheduler {scheduler} does not answer ({exc}): start it, or unset DASK_SCHEDULER") from None


def _cancelled():
    from distributed.client import FutureCancelledError

    return FutureCancelledError


def _scattered(client, value):
    """One future of the value on every worker (a set or list given alone would be scattered as
    one future per element)."""
    return client.scatter([value], broadcast=True, hash=False)[0]


def _lost(what: str) -> OSError:
    return OSError(f"the Dask workers lost {what} {SCATTER_ATTEMPTS} times: check that they stay up, then reindex "
                   "again")


def _gathered(client, function, items: list, constants: tuple, what: str) -> list:
    """function(item, *constants) for every item, on the workers, in the items' order; the
    constants go to every worker once, and again if a dying worker lost them."""
    scattered = 0
    while True:
        scattered += 1
        shared = [_scattered(client, value) for value in constants]
        try:
            return client.gather([client.submit(function, item, *shared, pure=False) for item in items])
        except _cancelled():
            if scattered == SCATTER_ATTEMPTS:
                raise _lost(what) from None


def _texts(paths: list[Path]) -> list[str]:
    return [text for text in map(text_of, paths) if text is not None]


def count_file_lines(paths: list[Path]) -> LineCounts:
    """On how many of these files each short line appears (on a worker)."""
    return count_lines(_texts(paths))


def learn_files(function, paths: list[Path], common: frozenset[str], knowledge):
    """One learning pass over these files (on a worker)."""
    return learn_chunk(function, _texts(paths), common, knowledge)


def passes_on_cluster(scheduler: str, docs_dir: Path, states: list[FileState], full: bool,
                      common: frozenset[str], base_generation: Path | None):
    """(common lines, entity knowledge) of the changed files, computed by the workers: a full
    reindex counts common lines anew, an incremental one keeps the live generation's."""
    paths = [state.path for state in states]
    chunks = [paths[i:i + LEARN_FILES] for i in range(0, len(paths), LEARN_FILES)]
    with _client(scheduler) as client:
        if full:
            counts = LineCounts()
            for counted in client.gather(client.map(count_file_lines, chunks, pure=False)):
                counts.update(counted)
            common = common_from_counts(counts, len(states))

        def map_chunks(function, knowledge):
            return _gathered(client, partial(learn_files, function), chunks, (common, knowledge),
                             "the learned knowledge")

        knowledge = learn_entities(docs_dir, [], common, base_generation, map_chunks=map_chunks)
    return common, knowledge


def extract_batch(states: list[FileState], context: ExtractionContext) -> list[Extraction]:
    """Extract a batch of files (on a worker)."""
    return [extract_file(state, context) for state in states]


def extracted_on_cluster(states: list[FileState], context: ExtractionContext, scheduler: str) -> Iterator[Extraction]:
    """Extractions in the files' order, computed by the workers of the Dask scheduler."""
    client = _client(scheduler)
    run = uuid.uuid4().hex[:8]
    try:
        batches = [states[i:i + BATCH_FILES] for i in range(0, len(states), BATCH_FILES)]
        scattered = 1
        shared = _scattered(client, context)

        def submit(number: int):
            return number, client.submit(extract_batch, batches[number], shared, pure=False, retries=1,
                                         key=f"extract-{run}-{scattered}-{number}")

        pending: deque = deque()
        submitted = 0
        while submitted < len(batches) or pending:
            while submitted < len(batches) and len(pending) < WINDOW:
                pending.append(submit(submitted))
                submitted += 1
            try:
                extractions = pending[0][1].result()
            except _cancelled():  # the context was lost with a worker: every pending task needs it
                if scattered == SCATTER_ATTEMPTS:
                    raise _lost("the extraction context") from None
                scattered += 1
                shared = _scattered(client, context)
                pending = deque(submit(number) for number, _future in pending)
                continue
            pending.popleft()[1].release()
            yield from extractions
    finally:
        client.close()
