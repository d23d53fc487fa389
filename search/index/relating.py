"""A generation's related documents (search/index/relations.py), computed in a forked process
while the reindex commits the index and builds its facet tables."""
from __future__ import annotations

import gc
import multiprocessing
from pathlib import Path

from search.index.relations import update_relations


class RelationsError(RuntimeError):
    """Finding related documents failed; the reindex fails with it."""


class RelationsJob:
    """A generation's related documents, computed in a forked process while this one commits the
    index and builds its facet tables: on two cores the two overlap, and after the extraction of
    a few changed files they are most of what a reindex has left to do."""

    def __init__(self, generation: Path, base: Path | None, signatures: dict, removed: list[str]):
        self.generation, self.base = generation, base
        self.signatures, self.removed = signatures, removed
        self._process = None
        self._outcome = None

    def start(self) -> None:
        """Start once every changed file's signatures are in the plan (the child sees them as they are)."""
        context = multiprocessing.get_context("fork")
        self._outcome, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_relations_in_child, args=(sender, self.generation, self.base,
                                                                           self.signatures, self.removed))
        self._process.start()
        sender.close()

    def wait(self) -> None:
        """Wait for the relations to be written; raises what computing them raised."""
        if self._process is None:
            self.start()
        try:
            failure = self._outcome.recv()
        except EOFError:
            failure = RelationsError(f"Finding related documents stopped (exit code {self._process.exitcode}).")
        self._process.join()
        self._process = None
        if failure is not None:
            raise failure

    def stop(self) -> None:
        """Stop the child if it still runs (the reindex failed)."""
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._process = None


def _relations_in_child(outcome, generation: Path, base: Path | None, signatures: dict, removed: list[str]) -> None:
    # A short-lived process building and dropping many small containers: without the cycle
    # collector walking them again and again, loading the signatures and finding the relations
    # take about a third less (its memory goes back when it exits).
    gc.disable()
    failure = None
    try:
        update_relations(generation, base, signatures, removed)
    except BaseException as exc:  # reported to the parent, which raises it
        failure = exc
    try:
        outcome.send(failure)
    except Exception:  # an exception that does not pickle: its text
        outcome.send(RelationsError(f"Finding related documents failed ({type(failure).__name__}: {failure})"))
    outcome.close()


