"""Documents: the unit we index, the ids derived from paths, and listing files under a folder."""
from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path

# Extensions the loader knows; more formats register their readers in `search.formats`.
TEXT_EXTENSIONS = {".txt"}

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_SLUG = 120  # a longer path (names of 255 bytes, deep folders) keeps its first 80 characters and a digest


@dataclass
class Document:
    """One indexed document (a file, or one article of a listing page)."""

    id: str
    source: str
    title: str | None
    lang: str
    date: str | None
    year: int | None
    text: str
    raw: str = ""
    people: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    content_hash: str = ""
    part: int = 1
    parts: int = 1
    # Every form under which the document's people and organisations may be searched.
    person_terms: list[str] = field(default_factory=list)
    org_terms: list[str] = field(default_factory=list)

    def to_dict(self, with_text: bool = True) -> dict:
        """The document as the API shows it (raw text and internals left out)."""
        data = asdict(self)
        for key in ("raw", "content_hash", "part", "parts", "person_terms", "org_terms"):
            data.pop(key)
        if not with_text:
            data.pop("text")
        return data


@dataclass
class Skipped:
    """A file that could not be indexed, and why."""

    source: str
    reason: str


def document_id(source: str, part: int = 1) -> str:
    """A stable, URL-safe id for a path relative to DOCS_DIR (and a part of it, from 2 on)."""
    slug = _UNSAFE.sub("-", source.replace("/", "__")).strip("-") or "document"
    if slug != source.replace("/", "__") or slug.startswith(".") or len(slug) > MAX_SLUG:
        digest = hashlib.sha1(source.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        slug = f"{slug[:80]}-{digest}"
    return slug if part == 1 else f"{slug}-{part}"


def content_hash(data: bytes) -> str:
    """The hash that tells whether a file changed since it was indexed."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def list_files(docs_dir: str | os.PathLike, extensions: set[str] | None = None,
               seen: list | None = None) -> tuple[list[Path], list[Skipped]]:
    """Every regular file under docs_dir with a known extension, recursively, sorted; and the skipped ones.

    Symlinked folders are followed once (a loop is reported, not followed again); hidden files and
    folders are ignored. Pipes, sockets and devices are skipped (reading a pipe would block), and
    so are names that are not valid UTF-8 (they cannot be stored or shown). With `seen` (a list),
    each file's (source, stat result, path string) goes there instead, in the order of the files,
    and the returned list is empty: the scan need not ask again, and no Path is built per file.
    """
    root = Path(docs_dir)
    prefix = str(root) + os.sep
    extensions = extensions or TEXT_EXTENSIONS
    found: list[Path] = []
    skipped: list[Skipped] = []
    seen_dirs: set[tuple[int, int]] = set()

    def skip(path: Path, reason: str) -> None:
        skipped.append(Skipped(printable_source(relative_source(path, root)), reason))

    def entries_of(folder: Path):
        """The folder's entries in name order, or None (skipped with the reason)."""
        try:
            st = folder.stat()
        except OSError as exc:
            skip(folder, f"cannot open folder: {exc.strerror}")
            return None
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            skip(folder, "symlink loop (folder already visited)")
            return None
        seen_dirs.add(key)
        try:
            return iter(sorted(os.scandir(folder), key=lambda e: e.name))
        except OSError as exc:
            skip(folder, f"cannot list folder: {exc.strerror}")
            return None

    def visit(entry) -> None:
        name = entry.name
        dot = name.rfind(".")
        if dot <= 0 or name[dot:].lower() not in extensions:  # as os.path.splitext: ".txt" has none
            return
        try:
            st = os.stat(entry.path)
        except OSError as exc:
            path = Path(entry.path)
            if exc.errno == errno.ELOOP:
                reason = "symlink loop"
            elif exc.errno == errno.ENOENT and path.is_symlink():
                reason = "broken symlink (its target does not exist)"
            else:
                reason = f"cannot read: {exc.strerror}"
            skip(path, reason)
            return
        if not stat.S_ISREG(st.st_mode):
            skip(Path(entry.path), "not a regular file (a pipe, socket or device)")
            return
        source = entry.path[len(prefix):] if entry.path.startswith(prefix) else relative_source(Path(entry.path), root)
        if os.sep != "/":
            source = source.replace(os.sep, "/")
        if not source.isascii() and not _utf8_name(source):
            skip(Path(entry.path), "file name is not valid UTF-8; rename the file")
            return
        if seen is not None:
            seen.append((source, st, entry.path))
        else:
            found.append(Path(entry.path))

    # Depth first, in name order, with a stack of folders' entries: no depth of folders is too deep.
    stack = [entries] if root.is_dir() and (entries := entries_of(root)) is not None else []
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            inner = entries_of(Path(entry.path))
            if inner is not None:
                stack.append(inner)
        else:
            visit(entry)
    return found, skipped


def _utf8_name(source: str) -> bool:
    try:
        source.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable_source(source: str) -> str:
    """A source safe to show on one line: undecodable bytes and control characters escaped."""
    text = source.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def relative_source(path: Path, root: Path) -> str:
    """The path relative to DOCS_DIR with forward slashes: a document's `source`."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        rel = Path(os.path.relpath(path, root))
    return rel.as_posix()
