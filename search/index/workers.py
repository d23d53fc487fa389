"""Worker processes that no file can stall: each task runs in a forked worker under a time and a
memory budget; a worker past its time is killed and replaced, and its task answered by a fallback.

`supervised_map` yields the results in the order of its items, with at most `window` of them
done or in flight ahead of the one the caller waits for, so memory stays bounded when the caller
is the slower side. A task that raises answers with the fallback too; the others go on.
"""
from __future__ import annotations

import multiprocessing
import os
import resource
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import wait

_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Budget:
    """What one task may spend: seconds of wall time and megabytes of memory (0: no limit)."""

    seconds: float = 60.0
    memory_mb: int = 0


class _Worker:
    """One forked worker and the task it runs."""

    def __init__(self, context, run: Callable, memory_mb: int):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, run, memory_mb), daemon=True)
        self.process.start()
        child.close()
        self.task: tuple[int, object, float] | None = None  # (index, item, started)

    def give(self, index: int, item) -> None:
        self.conn.send((index, item))
        self.task = (index, item, time.monotonic())

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


def _serve(conn, run: Callable, memory_mb: int) -> None:
    """A worker's loop: run each task sent, send back (index, True, result) or (index, False, why)."""
    if memory_mb:
        _limit_memory(memory_mb)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        index, item = task
        try:
            answer = (index, True, run(item))
        except MemoryError:
            answer = (index, False, "needed more memory than EXTRACT_MEMORY_LIMIT allows")
        except Exception as exc:  # reported to the parent, which answers with the fallback
            answer = (index, False, f"raised {type(exc).__name__}: {exc}")
        try:
            conn.send(answer)
        except (MemoryError, OSError):
            return


def _limit_memory(memory_mb: int) -> None:
    """Cap this process's address space at what it holds now plus memory_mb (allocations past it
    raise MemoryError instead of taking the machine's memory)."""
    with open("/proc/self/statm", "rb") as handle:
        size = int(handle.read().split()[0]) * _PAGE
    limit = size + memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def supervised_map(run: Callable, items: Iterable, fallback: Callable[[object, str], object], budget: Budget,
                   procs: int = 1, window: int = 64) -> Iterator:
    """run(item) for each item in forked workers, in order; fallback(item, why) for an item whose
    task raised, ran past budget.seconds, or whose worker died (run must be importable state the
    fork inherits: a module function, with its context in module globals)."""
    context = multiprocessing.get_context("fork")
    items = iter(enumerate(items))
    workers = [_Worker(context, run, budget.memory_mb) for _ in range(max(1, procs))]
    done: dict[int, object] = {}
    waiting: deque = deque()  # indexes handed out or done, not yet yielded, in order
    exhausted = False
    try:
        while True:
            for worker in workers:
                if worker.task is None and not exhausted and len(waiting) < window:
                    nxt = next(items, None)
                    if nxt is None:
                        exhausted = True
                        break
                    worker.give(*nxt)
                    waiting.append(nxt[0])
            while waiting and waiting[0] in done:
                yield done.pop(waiting.popleft())
            busy = [w for w in workers if w.task is not None]
            if not busy:
                if exhausted and not waiting:
                    return
                continue
            now = time.monotonic()
            timeout = max(0.0, min(w.task[2] + budget.seconds - now for w in busy))
            wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=timeout)
            for i, worker in enumerate(workers):
                if worker.task is None:
                    continue
                index, item, started = worker.task
                answer = _answer(worker, budget, started)
                if answer is None:
                    continue
                ok, value = answer
                done[index] = value if ok else fallback(item, value)
                worker.task = None
                if not ok:  # killed, dead, or past its memory: a fresh worker takes the next task
                    worker.stop()
                    workers[i] = _Worker(context, run, budget.memory_mb)
    finally:
        for worker in workers:
            worker.stop()


def _answer(worker: _Worker, budget: Budget, started: float) -> tuple[bool, object] | None:
    """(ok, result or why) once the worker's task is over; None while it runs within its time."""
    if worker.conn.poll():
        try:
            _index, ok, value = worker.conn.recv()
            return ok, value
        except (EOFError, OSError):
            pass
    if not worker.process.is_alive():
        code = worker.process.exitcode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        return False, f"stopped its worker process ({how})"
    if time.monotonic() - started > budget.seconds:
        worker.process.kill()
        return False, f"ran past {budget.seconds:g} s (EXTRACT_TIME_LIMIT)"
    return None
