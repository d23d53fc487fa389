"""The engines a deployment can choose (SEARCH_BACKEND), by name."""
from __future__ import annotations

from search.index.engine import Engine

BACKENDS = ("whoosh", "xapian")


def engine_for(name: str = "whoosh", shards: str | None = None) -> Engine:
    """The engine called `name` (`xapian` needs XAPIAN_SHARDS as `shards`); ValueError saying what
    is expected otherwise."""
    if name == "whoosh":
        from search.index.whoosh.engine import WhooshEngine

        return WhooshEngine()
    if name == "xapian":
        try:
            from search.index.xapian.engine import XapianEngine
        except ImportError:
            raise ValueError("SEARCH_BACKEND=xapian needs the cluster extra: pip install -e '.[cluster]' "
                             "(make setup installs it).") from None
        return XapianEngine(shards or "")
    raise ValueError(f"Unknown search backend {name!r}: choose one of {', '.join(BACKENDS)}.")
