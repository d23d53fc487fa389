"""Whoosh writer throughput alone: the same extracted documents written single-process and with
Whoosh's multiprocessing writer (procs=2, with and without multisegment), into fresh indexes."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

from whoosh import index as whoosh_index

from search.ingest.documents import content_hash, list_files, relative_source
from search.ingest.extract import ExtractionContext, extract_documents
from search.index.schema import build_schema, document_fields

VARIANTS = {"single process": {}, "procs=2": {"procs": 2}, "procs=2 multisegment": {"procs": 2, "multisegment": True}}


def extracted_fields(corpus: Path) -> list[dict]:
    """The Whoosh fields of every document of the corpus (extraction done once, outside the timing)."""
    paths, _ = list_files(corpus)
    context = ExtractionContext()
    fields = []
    for path in paths:
        data = path.read_bytes()
        try:
            docs = extract_documents(relative_source(path, corpus), path, data, context, content_hash(data))
        except Exception:
            continue
        fields += [document_fields(doc) for doc in docs]
    return fields


def writer_throughput(corpus: Path, work: Path, limitmb: int = 256) -> dict[str, dict]:
    """Documents per second of each writer variant over the corpus's documents."""
    fields = extracted_fields(corpus)
    results = {}
    for label, options in VARIANTS.items():
        target = work / label.replace(" ", "-").replace("=", "")
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        ix = whoosh_index.create_in(target, build_schema())
        started = time.perf_counter()
        writer = ix.writer(limitmb=limitmb, **options)
        for doc in fields:
            writer.add_document(**doc)
        writer.commit()
        seconds = time.perf_counter() - started
        results[label] = {"seconds": seconds, "docs_per_s": len(fields) / seconds, "documents": len(fields),
                          "segments": len(ix.reader().leaf_readers()) if hasattr(ix.reader(), "leaf_readers") else 1}
        ix.close()
        shutil.rmtree(target, ignore_errors=True)
    return results
