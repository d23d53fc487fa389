"""Extraction on a Dask cluster (DASK_SCHEDULER): files read, extracted and analysed on the
workers, which send back analysed documents a batch of files at a time.

The archive-wide knowledge (common lines, learned entities) goes to every worker once; each task
extracts BATCH_FILES files. The coordinator keeps at most WINDOW tasks in flight and yields the
extractions in the files' order, so its memory stays bounded whatever the archive's size. A worker
that dies takes its tasks with it: the scheduler runs them again on another worker (a task is
given up only after the scheduler's allowed failures, when it raises KilledWorker).
Workers must see DOCS_DIR at the same path (a shared or replicated folder) and run this package.
"""
from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Iterator

from search.index.extraction import Extraction, extract_file
from search.index.scanning import FileState
from search.ingest.extract import ExtractionContext

BATCH_FILES = 16  # files per task: a task costs the scheduler a few milliseconds
WINDOW = 32  # tasks in flight: bounds what waits for the writer in the coordinator's memory
CONNECT_SECONDS = 10


def extract_batch(states: list[FileState], context: ExtractionContext) -> list[Extraction]:
    """Extract a batch of files (on a worker)."""
    return [extract_file(state, context) for state in states]


def extracted_on_cluster(states: list[FileState], context: ExtractionContext, scheduler: str) -> Iterator[Extraction]:
    """Extractions in the files' order, computed by the workers of the Dask scheduler."""
    try:
        from distributed import Client
    except ImportError:
        raise OSError("DASK_SCHEDULER is set but Dask is not installed: pip install -e '.[cluster]'") from None
    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
    except OSError as exc:
        raise OSError(f"the Dask scheduler {scheduler} does not answer ({exc}): start it, or unset DASK_SCHEDULER") from None
    run = uuid.uuid4().hex[:8]
    try:
        shared = client.scatter(context, broadcast=True, hash=False)
        batches = [states[i:i + BATCH_FILES] for i in range(0, len(states), BATCH_FILES)]
        pending: deque = deque()
        submitted = 0
        while submitted < len(batches) or pending:
            while submitted < len(batches) and len(pending) < WINDOW:
                pending.append(client.submit(extract_batch, batches[submitted], shared, pure=False,
                                             key=f"extract-{run}-{submitted}", retries=1))
                submitted += 1
            future = pending.popleft()
            yield from future.result()
            future.release()
    finally:
        client.close()
