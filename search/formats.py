"""Readers that turn a file into raw text (plus hints such as a declared title, date or language)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .decoding import UndecodableError, decode_bytes


class UnreadableFile(Exception):
    """A file that cannot become text; the message is the reason shown in the reindex summary."""


@dataclass
class RawText:
    """What a reader got out of a file."""

    text: str
    hints: dict = field(default_factory=dict)  # optional: title, date, lang declared by the file


def read_txt(data: bytes, path: Path) -> RawText:
    """Plain text in any common encoding."""
    try:
        return RawText(decode_bytes(data))
    except UndecodableError as exc:
        raise UnreadableFile(str(exc)) from exc


READERS = {".txt": read_txt}


def supported_extensions() -> set[str]:
    """The file extensions that have a reader."""
    return set(READERS)


def read_raw(data: bytes, path: Path) -> RawText:
    """Dispatch to the reader for the file's extension."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UnreadableFile(f"unsupported file type {path.suffix!r}")
    return reader(data, path)
