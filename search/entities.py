"""People and organisations named in a document, normalised to one canonical value each."""
from __future__ import annotations

import re
from functools import lru_cache

from .resources import package_toml


@lru_cache(maxsize=1)
def _organisation_patterns() -> list[tuple[str, re.Pattern]]:
    data = package_toml("organisations.toml")
    patterns = []
    for canonical, entry in data.items():
        names = [canonical, *entry.get("acronyms", []), *entry.get("names", [])]
        alternatives = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))
        patterns.append((canonical, re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")))
    return patterns


def extract_organisations(text: str) -> list[str]:
    """Canonical names of the gazetteer's organisations mentioned in the text."""
    return sorted(canonical for canonical, pattern in _organisation_patterns() if pattern.search(text))


def extract_entities(text: str, lang: str) -> tuple[list[str], list[str]]:
    """(people, organisations) named in a cleaned text."""
    return [], extract_organisations(text)
