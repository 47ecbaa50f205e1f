"""Which process used how much CPU during a window: the load run's answer to "where did the cores go".

``CpuShare.snapshot()`` reads every process's user+system time from /proc and groups it by part of the
stack (gunicorn, each Celery queue's worker, PostgreSQL, Redis, locust, the rest); ``cores(a, b)``
gives each group's average number of busy cores between two snapshots, and the machine's own figure
from /proc/stat. Linux only; used by ``bench/load.py``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _group(cmdline: list[str], comm: str) -> str:
    text = " ".join(cmdline)
    if "gunicorn" in text:
        return "gunicorn"
    if "celery" in text and " worker" in text:
        if "-Q" in cmdline:
            return "worker:" + cmdline[cmdline.index("-Q") + 1]
        return "worker"
    if comm.startswith("postgres") or text.startswith("postgres"):
        return "postgresql"
    if comm.startswith("redis-server"):
        return "redis"
    if "locust" in text:
        return "locust"
    return "other"


def snapshot() -> dict:
    groups: dict[str, float] = {}
    for pid_dir in Path("/proc").iterdir():
        if not pid_dir.name.isdigit():
            continue
        try:
            stat = (pid_dir / "stat").read_text()
            cmdline = (pid_dir / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / TICK  # utime + stime
        name = _group([c for c in cmdline if c], comm)
        groups[name] = groups.get(name, 0.0) + seconds
    cpu = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = [int(v) for v in cpu]
    idle = values[3] + values[4]
    return {"at": time.monotonic(), "groups": groups, "busy": (sum(values) - idle) / TICK}


def cores(a: dict, b: dict) -> dict:
    """Average busy cores per group between snapshots a and b (processes that ended in between are lost)."""
    span = b["at"] - a["at"]
    out = {
        name: round((b["groups"].get(name, 0.0) - a["groups"].get(name, 0.0)) / span, 2)
        for name in sorted(set(a["groups"]) | set(b["groups"]))
    }
    out = {k: v for k, v in out.items() if v > 0.005}
    out["machine"] = round((b["busy"] - a["busy"]) / span, 2)
    out["seconds"] = round(span, 1)
    return out
