"""Apertium's installed language data, and running its pipelines as processes.

Both the rule-based engine (:mod:`mtcheck.engines.apertium`) and the taggers
(:mod:`mtcheck.lang.tagging`) read Apertium; what they share lives here, below both.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from ..errors import EngineError

# French → Spanish → English: Apertium has no French–English pair of its own.
PIVOT_MODES = ("fr-es", "spa-eng")
_SEPARATOR = "\n\n"
_MODE_DIRS = (Path("/usr/share/apertium/modes"), Path("/usr/local/share/apertium/modes"))


def by_paragraph(run: Callable[[str], str], texts: Sequence[str]) -> list[str]:
    """``run`` over all the texts at once, one paragraph each; text by text if the run merges them.

    A blank line between texts keeps each one's result (nearly) independent of its
    neighbours: with a plain line break Apertium carries capitalisation and lexical choices
    over from the line before, and 27 of 400 WMT20 sentences came out differently in a batch
    than alone; with a blank line, 3.
    """
    out = run(_SEPARATOR.join(texts)).split(_SEPARATOR)
    if len(out) >= len(texts) and all(not o.strip() for o in out[len(texts):]):
        return out[: len(texts)]
    return [run(text) for text in texts]


def run_stages(stages: Sequence[tuple[str, list[str]]], text: str, timeout_s: float) -> str:
    """Pipe ``text`` through each (label, command) in turn; an EngineError names the stage that failed."""
    for label, command in stages:
        try:
            proc = subprocess.run(command, input=text, capture_output=True, text=True, timeout=timeout_s,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise EngineError(f"{label} failed: {exc}") from exc
        if proc.returncode != 0:
            raise EngineError(f"{label} exited {proc.returncode}: {proc.stderr.strip()[:200]}")
        text = proc.stdout.rstrip("\n")
    return text


def apertium_problem(modes: Sequence[str] = PIVOT_MODES) -> str | None:
    """Why Apertium cannot run the given modes here, or None when it can."""
    if shutil.which("apertium") is None:
        return "apertium is not installed (Debian: apt-get install apertium apertium-fr-es apertium-eng-spa)"
    for mode in modes:
        try:
            mode_file(mode)
        except EngineError as exc:
            return str(exc)
    return None


def mode_file(mode: str) -> Path:
    """The installed file that defines an Apertium mode's pipeline."""
    for folder in _MODE_DIRS:
        if (folder / f"{mode}.mode").exists():
            return folder / f"{mode}.mode"
    raise EngineError(f"apertium mode {mode} is missing (Debian: apt-get install apertium-fr-es apertium-eng-spa)")


def package_version(package: str) -> str:
    """The installed Debian version of an Apertium package, or "unknown"."""
    try:
        proc = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True, check=False
        )
        return proc.stdout.strip() or "unknown"
    except OSError:
        return "unknown"
