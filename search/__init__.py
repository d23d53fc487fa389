"""Bilingual archive search engine: loading, cleaning, extraction, indexing and querying.

Plain Python, no web framework: usable from a shell.

    >>> from search.index.indexer import build_index
    >>> from search.query.service import SearchService
    >>> build_index("seeds", "index_data")
    >>> SearchService("index_data").search("ICESCO").total
"""
