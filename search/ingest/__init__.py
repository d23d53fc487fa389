"""Ingest: a file's bytes → clean `Document`s (search/ingest/documents.py).

What enters: a path and its bytes, and what the archive-wide passes learned (common lines, entity
knowledge: `ExtractionContext`). What leaves: documents with id, source, title, language, date,
people, organisations and cleaned text, plus each document's relation signature. Decoding and
formats, cleaning, language, titles, dates, names and entities, extraction, signatures. Knows
nothing of the index or of queries.
"""
