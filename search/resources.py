"""Package data files (and a researcher's own files beside their documents), loaded once."""
from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path


def read_package_toml(name: str) -> dict:
    """Parse a TOML file shipped in search/data."""
    with resources.files("search").joinpath("data", name).open("rb") as handle:
        return tomllib.load(handle)


@lru_cache(maxsize=None)
def package_toml(name: str) -> dict:
    """A cached parse of a TOML file shipped in search/data (treat as read-only)."""
    return read_package_toml(name)


def read_user_toml(path: Path) -> dict:
    """Parse a researcher's TOML file; raise ValueError with the file name and the problem."""
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML ({exc})") from exc


def data_files_fingerprint() -> str:
    """A hash of every package data file: extraction changes when one of them changes."""
    import hashlib

    digest = hashlib.blake2b(digest_size=8)
    folder = resources.files("search").joinpath("data")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_file():
            digest.update(entry.name.encode())
            digest.update(entry.read_bytes())
    return digest.hexdigest()
