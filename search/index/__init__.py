"""Index: documents → a generation on disk, published atomically.

What enters: the documents of search/ingest, analysed by the analysers both indexing and querying
use (analysis.py, schema.py). What leaves: a generation folder holding the engine's index, the
facet tables, the related documents and the learned entity knowledge, made live by store.py. The
indexer (indexer.py) orchestrates the scan, the extraction pool, the archive-wide passes and the
writer; engine.py is the one interface to the storage engine, and whoosh/ the engine we ship.
Knows nothing of queries.
"""
