"""The Xapian engine (SEARCH_BACKEND=xapian): generations whose documents live on xapian-tcpsrv
shards (XAPIAN_SHARDS), searched through the same array scorer as the Whoosh engine.

What enters: analysed documents (search/index/schema.py) through engine.py's writer; what leaves:
search/index/engine.py's IndexView (view.py) over every shard that answers. `shards.py` parses
XAPIAN_SHARDS and connects (replicas, shards that do not answer), `documents.py` turns a document
into Xapian terms, data and values, `matching.py` answers the query classes the scorer leaves to
the engine. Needs the `cluster` extra (xapian-bindings-binary).
"""
