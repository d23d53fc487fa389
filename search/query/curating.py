"""The curation list as the query side follows it: DOCS_DIR/curation.toml read again when it changes
(a hand edit or another server process), and the editors' actions written to it."""
from __future__ import annotations

import fcntl
import logging
import os
import threading
from contextlib import contextmanager
from pathlib import Path

from search.index.curation import CURATION_FILE, Action, CurationError, now, read_curation, write_curation

log = logging.getLogger(__name__)


class CurationFile:
    """DOCS_DIR/curation.toml: its actions, read again when its size or time changes; a broken
    file is reported in one line and the last good list keeps applying."""

    def __init__(self, docs_dir: str | Path | None):
        self.path = Path(docs_dir) / CURATION_FILE if docs_dir else None
        self._stamp = None
        self._actions: list[Action] = []
        self.error: str | None = None
        self._lock = threading.Lock()

    def _stat(self):
        try:
            st = os.stat(self.path)
            return (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            return None

    def current(self) -> tuple[object, list[Action]]:
        """(version, actions): the version changes whenever the applied list does."""
        if self.path is None:
            return None, []
        stamp = self._stat()
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._reload(stamp)
        return self._stamp, self._actions

    def _reload(self, stamp) -> None:
        try:
            self._actions = read_curation(self.path)
            self.error = None
        except CurationError as exc:
            if self.error != str(exc):
                log.warning("%s The last good curation list still applies.", exc)
            self.error = str(exc)
        self._stamp = stamp

    @contextmanager
    def _editing(self):
        """The actions on file, read under an exclusive lock held until they are written back."""
        if self.path is None:
            raise CurationError("No DOCS_DIR is set: curation cannot be kept.")
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield read_curation(self.path)
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def add(self, kind: str, action: str, name: str, aliases: list[str]) -> Action:
        """Append an action (with the time it is taken) and write the file."""
        with self._editing() as actions:
            entry = Action(max((a.id for a in actions), default=0) + 1, action, kind, name, aliases, now())
            write_curation(self.path, actions + [entry])
        log.info("curation %s at %s: %s %s %r %s", entry.id, entry.at, action, kind, name, aliases)
        return entry

    def remove(self, ident: int) -> Action | None:
        """Undo an action (remove it from the file); None when there is no such action."""
        with self._editing() as actions:
            found = next((a for a in actions if a.id == ident), None)
            if found is not None:
                write_curation(self.path, [a for a in actions if a.id != ident])
        if found is not None:
            log.info("curation %s undone at %s: %s %s %r", ident, now(), found.action, found.kind, found.name)
        return found
