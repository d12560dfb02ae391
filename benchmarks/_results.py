"""Benchmarks write their own section of RESULTS.md, leaving the others as they are."""

from __future__ import annotations

import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def process_memory_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status, in MB: ``VmRSS`` (resident now)
    or ``VmHWM`` (peak resident). NaN where /proc is not available."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def user_environment(**extra: str) -> dict[str, str]:
    """The environment for a timed subprocess, as a user's Python has it: this machine sets
    PYTHONDONTWRITEBYTECODE=1, which makes every process compile mtcheck's modules from source
    again (about 0.1 s), where an installed package has its bytecode compiled once."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **extra}


def machine() -> str:
    import os

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def commit() -> str:
    """The commit measured; "with changes" when the package differs from it (a figure taken
    before its commit, which then names the commit it was taken on)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=RESULTS.parent).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "mtcheck"],
                                 capture_output=True, text=True, cwd=RESULTS.parent.parent).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head} with changes to mtcheck/" if head and changed else head or "uncommitted"


def write_section(name: str, body: str) -> None:
    """Replace the section ``name`` of RESULTS.md (or append it) with ``body``."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    stamp = f"_{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, commit {commit()}, {machine()}_\n\n"
    block = f"{start}\n{stamp}{body.rstrip()}\n{end}"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")
