"""The engines a deployment can choose (SEARCH_BACKEND), by name."""
from __future__ import annotations

from search.index.engine import Engine

BACKENDS = ("whoosh",)


def engine_for(name: str = "whoosh") -> Engine:
    """The engine called `name`; ValueError naming the choices for another."""
    if name == "whoosh":
        from search.index.whoosh.engine import WhooshEngine

        return WhooshEngine()
    raise ValueError(f"Unknown search backend {name!r}: choose one of {', '.join(BACKENDS)}.")
