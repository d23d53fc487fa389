"""Small measuring helpers: percentiles, peak memory of processes, sizes on disk."""
from __future__ import annotations

import os
import resource
import statistics
from pathlib import Path


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share from 0 to 1) of the values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary(values: list[float]) -> dict[str, float]:
    """Median, 95th percentile and count of a list of measurements."""
    return {"p50": statistics.median(values) if values else float("nan"),
            "p95": percentile(values, 0.95), "n": len(values)}


def peak_rss_mb(pid: int) -> float:
    """A live process's peak resident memory (VmHWM) in MB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb(pid: int) -> float:
    """A live process's current resident memory (VmRSS) in MB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def own_peak_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child, in MB."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def folder_mb(path: Path) -> float:
    """Bytes of the files under path (hard links counted once), in MB."""
    seen, total = set(), 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            st = os.stat(os.path.join(root, name))
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    return total / 2**20
