"""The Whoosh engine, and the one place that knows whoosh3's private format.

`postings.py` reads a term's postings straight from whoosh3's pickled blocks and length columns,
`positions.py` decodes its position values in numpy, `longlists.py` keeps long posting lists as
arrays beside each segment, `merging.py` merges segments reading whole regions, `engine.py`
implements search/index/engine.py's interface over Whoosh's writer and searchers. They rely on
the block layout of exactly WHOOSH3_VERSION; `check_format()` (run by the tests) fails loudly when
an upgrade changes what they rely on.
"""
from __future__ import annotations

from importlib import metadata

WHOOSH3_VERSION = "3.54.0"  # pinned exactly in pyproject.toml


def check_format() -> None:
    """Raise RuntimeError when the installed whoosh3 is not the version this engine reads."""
    installed = metadata.version("whoosh3")
    if installed != WHOOSH3_VERSION:
        raise RuntimeError(
            f"whoosh3 {installed} is installed, but search/index/whoosh reads the private format of "
            f"{WHOOSH3_VERSION}: check postings.py, positions.py and merging.py against the new codec, "
            "then update WHOOSH3_VERSION and the pin in pyproject.toml."
        )


def field_length_table():
    """Whoosh's one-byte field lengths: code → length (256 values, ascending). BM25F scores with
    these, so an engine that scores as Whoosh does (search/index/xapian/) rounds lengths alike."""
    import numpy as np
    from whoosh.util.numeric import byte_to_length

    return np.array([byte_to_length(code) for code in range(256)], dtype=np.float64)
