"""Package data files (and a researcher's own files beside their documents), loaded once."""
from __future__ import annotations

import os
import re
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


# A configuration file is written by hand: past this size it is a mistake (a document saved
# under the wrong name), and parsing it would cost every reindex time and memory.
MAX_CONFIG_BYTES = 2 * 2**20
_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$|\s*\(at end of document\)$")


class ConfigError(ValueError):
    """A researcher's configuration file is wrong; the message is one line naming file, line and fix."""


def read_user_toml(path: Path) -> dict:
    """Parse a researcher's TOML file; raise ConfigError naming the file, the line and what to fix."""
    try:
        size = os.stat(path).st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}, line 1: {size / 2**20:.1f} MB is too long for a configuration file "
                              f"(at most {MAX_CONFIG_BYTES // 2**20} MB); remove what is not configuration.")
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
        return tomllib.loads(text)
    except UnicodeDecodeError as exc:
        line = exc.object[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}, line {line}: not UTF-8 text; save the file as UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_WHERE.search(str(exc))
        problem = _TOML_WHERE.sub("", str(exc))
        # An error found at the end of the file (an unclosed bracket) is on its last written line.
        last = max((i for i, line in enumerate(text.split("\n"), 1) if line.strip()), default=1)
        line = min(int(found.group(1)), last) if found and found.group(1) else last
        raise ConfigError(f"{path}, line {line}: not valid TOML ({problem}); correct that line.") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc}); check its permissions.") from None


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
