"""Readings of a text remembered while one file is extracted.

Extracting a file reads some things about each of its texts more than once: the capitalised name
sequences and the organisations, for the facets and again for the entity record. Within
`one_file()` each such reading is computed once per text; outside it nothing is remembered (the
archive-wide passes change the knowledge between two readings of the same text).
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
_memo: dict | None = None


@contextmanager
def one_file():
    """Remember readings until the block ends."""
    global _memo
    _memo = {}
    try:
        yield
    finally:
        _memo = None


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    """compute(), or what it gave for the same key earlier in this file (callers never modify it)."""
    memo = _memo
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
