"""Small helpers for the benchmark: statistics, processes, memory, machine facts.

No Rasa import here: the tests (tests/test_bench_tools.py) and the report
generator use these functions without loading TensorFlow.
"""

from __future__ import annotations

import math
import os
import platform
import resource
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent


# --- statistics ------------------------------------------------------------------------
def percentile(values: Iterable[float], q: float) -> Optional[float]:
    """The q-th percentile (0-100) with linear interpolation between closest ranks.

    Same definition as numpy.percentile's default ("linear"): for n sorted
    values, rank = q/100 * (n - 1). None for no values.
    """
    ordered = sorted(values)
    if not ordered:
        return None
    if not 0 <= q <= 100:
        raise ValueError("q must be between 0 and 100")
    rank = q / 100 * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    if low == high:
        return float(ordered[low])
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize_ms(seconds: Sequence[float]) -> Dict[str, Optional[float]]:
    """Latency summary in milliseconds (rounded to 0.1 ms) of durations given in seconds."""
    ms = [s * 1000.0 for s in seconds]

    def r(v: Optional[float]) -> Optional[float]:
        return None if v is None else round(v, 1)

    return {
        "n": len(ms),
        "mean_ms": r(sum(ms) / len(ms)) if ms else None,
        "p50_ms": r(percentile(ms, 50)),
        "p95_ms": r(percentile(ms, 95)),
        "p99_ms": r(percentile(ms, 99)),
        "max_ms": r(max(ms)) if ms else None,
    }


def ratio(ally: Optional[float], stock: Optional[float]) -> Optional[float]:
    """ally / stock, rounded to 3 digits; None when either is missing or stock is 0."""
    if ally is None or stock is None or stock == 0:
        return None
    return round(ally / stock, 3)


def median(values: Sequence[float]) -> Optional[float]:
    return percentile(values, 50)


# --- ports and processes ---------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http_ok(url: str, process: subprocess.Popen, name: str, timeout: float = 300, interval: float = 0.1) -> float:
    """Poll `url` until it answers 200; returns the monotonic time it did. Raises if the process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode} during start-up")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return time.monotonic()
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(interval)
    raise RuntimeError(f"{name} did not answer {url} within {timeout:.0f} s")


def stop_process(process: subprocess.Popen, timeout: float = 20) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def children_rusage_cpu() -> float:
    """User + system CPU seconds of all waited-for child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- /proc: memory and CPU of a process tree ---------------------------------------------
def _children(pid: int) -> List[int]:
    found: List[int] = []
    task_dir = Path(f"/proc/{pid}/task")
    try:
        tasks = list(task_dir.iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            pass
    return found


def process_tree(pid: int) -> List[int]:
    """pid and all its descendants (Linux /proc)."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += _children(current)
    return tree


def rss_bytes(pid: int) -> int:
    """Resident set size of one process (VmRSS), 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss_bytes(pid: int) -> int:
    return sum(rss_bytes(p) for p in process_tree(pid))


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by a process (its threads included)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def tree_cpu_seconds(pid: int) -> float:
    return sum(cpu_seconds(p) for p in process_tree(pid))


# --- machine ----------------------------------------------------------------------------
def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_total_bytes() -> Optional[int]:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def load_average() -> List[float]:
    return [round(v, 2) for v in os.getloadavg()]


def machine_info() -> Dict[str, object]:
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": cpu_model(),
        "memory_total_gb": round((memory_total_bytes() or 0) / 2**30, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average_at_start": load_average(),
    }


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class LoadSampler:
    """Samples the 1-minute load average in a thread; `mark(phase)` tags the samples that follow."""

    def __init__(self, interval: float = 2.0) -> None:
        self.interval = interval
        self.samples: List[tuple] = []  # (monotonic, phase, load1)
        self._phase = "start"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> LoadSampler:
        self._thread.start()
        return self

    def mark(self, phase: str) -> None:
        self._phase = phase

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), self._phase, os.getloadavg()[0]))
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def summary(self) -> Dict[str, object]:
        return summarize_load(self.samples)


def summarize_load(samples: Sequence[tuple]) -> Dict[str, object]:
    """Mean and max 1-minute load average over all samples and per phase."""

    def stats(values: List[float]) -> Dict[str, float]:
        return {"mean": round(sum(values) / len(values), 2), "max": round(max(values), 2), "samples": len(values)}

    if not samples:
        return {"overall": None, "phases": {}}
    phases: Dict[str, List[float]] = {}
    for _, phase, value in samples:
        phases.setdefault(phase, []).append(value)
    return {"overall": stats([s[2] for s in samples]), "phases": {k: stats(v) for k, v in phases.items()}}
