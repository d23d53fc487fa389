"""A generation's related documents (search/index/relations.py), computed in a forked process
while the reindex commits the index and builds its facet tables."""
from __future__ import annotations

import gc
import multiprocessing
import os
from pathlib import Path

from search.index.relations import update_relations
from search.index.spool import SpooledRecords


class RelationsError(RuntimeError):
    """Finding related documents failed; the reindex fails with it."""


class RelationsJob:
    """A generation's related documents, computed in a forked process while this one commits the
    index and builds its facet tables: on two cores the two overlap, and after the extraction of
    a few changed files they are most of what a reindex has left to do.

    The process is forked when the job is made, before the reindex reads a file, and waits there
    for the signatures: a forked process starts with its parent's pages as its own, and by the
    time the signatures are in, the parent holds the writer's postings and the files' records.
    """

    def __init__(self, signatures: SpooledRecords):
        self.signatures = signatures
        self._target: tuple | None = None
        context = multiprocessing.get_context("fork")
        self._outcome, sender = context.Pipe(duplex=False)
        receiver, self._control = context.Pipe(duplex=False)
        self._process = context.Process(target=_relations_in_child,
                                        args=(receiver, self._control, sender, signatures, os.getpid()))
        self._process.start()
        sender.close()
        receiver.close()
        self._sent = False

    def aim(self, generation: Path, base: Path | None, removed: list[str]) -> None:
        """Where the relations go, from which generation's signatures, less which sources."""
        self._target = (generation, base, removed)

    def start(self) -> None:
        """Let the process start, once every changed file's signatures are spooled."""
        if self._sent:
            return
        self._sent = True
        generation, base, removed = self._target
        self._control.send((generation, base, removed, self.signatures.state()))
        self._control.close()

    def wait(self) -> None:
        """Wait for the relations to be written; raises what computing them raised."""
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
        """Stop the process if it still runs (the reindex failed)."""
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._process = None
        self._control.close()


def _relations_in_child(control, parent_end, outcome, signatures: SpooledRecords, parent: int) -> None:
    parent_end.close()  # this process's copy of the parent's end: the pipe ends when the parent's does
    while not control.poll(1.0):
        if os.getppid() != parent:
            return  # the reindex is gone
    try:
        generation, base, removed, state = control.recv()
    except (EOFError, OSError):
        return  # the reindex ended before its signatures were in
    signatures.attach(state)
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
