"""Bilingual archive search engine, plain Python with no web framework, in three stages:

    search/ingest/  a file's bytes      → clean documents (text, title, date, language, entities)
    search/index/   documents           → a generation on disk, through one engine interface
    search/query/   a search request    → results (hits, facets, snippets, suggestions)

Each stage imports only those before it; `resources.py` (the package's data files) serves all,
and `evaluate.py` with `evaluation/` measures the whole. Usable from a shell:

    >>> from search.index.indexer import build_index
    >>> from search.query.service import SearchService
    >>> build_index("seeds", "index_data")
    >>> SearchService("index_data").search("ICESCO").total
"""
