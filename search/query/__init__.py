"""Query: a request → results.

What enters: a SearchRequest (results.py) and the live generation, read through the engine's
view (search/index/engine.py). What leaves: SearchResults, DocumentViews and export rows, plain
dataclasses for pages, the API and the CLI. Parsing and expansion (parse.py, expansion.py),
scoring on arrays (scoring.py, phrases.py), suggestions, highlighting, the service.
"""
