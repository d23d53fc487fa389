"""Names in the interface's language: an organisation known under French and English names is shown
under the one of the interface (search/data/organisations.toml's `fr` and `en`); values, filters,
keys and the API keep the canonical name."""
from __future__ import annotations

from functools import lru_cache

from search.resources import package_toml

LANGUAGES = ("en", "fr")


@lru_cache(maxsize=1)
def organisation_labels() -> dict[str, dict[str, str]]:
    """Canonical organisation name → {language: name shown in that interface language}."""
    return {canonical: {lang: entry[lang] for lang in LANGUAGES if isinstance(entry.get(lang), str)}
            for canonical, entry in package_toml("organisations.toml").items()
            if any(isinstance(entry.get(lang), str) for lang in LANGUAGES)}


def display_name(kind: str, name: str, lang: str | None) -> str:
    """The name of a value as the interface in `lang` shows it (the canonical name by default)."""
    if kind != "org" or not name:
        return name
    return organisation_labels().get(name, {}).get(str(lang or "")[:2], name)
