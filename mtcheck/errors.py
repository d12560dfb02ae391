"""The one exception family of mtcheck.

Every error a user can cause or fix is an :class:`MtcheckError`; the CLI prints its
message on one line and exits 2. Subclasses carry the object they are about so that
callers can catch broadly or narrowly.
"""

from __future__ import annotations

from pathlib import Path


class MtcheckError(Exception):
    """Base class of every error mtcheck raises on purpose."""


class InputError(MtcheckError):
    """An input file (article, references, corpus) is missing, unreadable or malformed."""

    def __init__(self, path: str | Path | None, problem: str, line: int | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.problem = problem
        where = self.path or "<input>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {problem}")


class EngineError(MtcheckError):
    """A translation engine could not be loaded or failed while translating."""


class ConfigError(MtcheckError):
    """An option, configuration file or detector setting is invalid."""


class WorkerError(MtcheckError):
    """A worker process (a local one with ``jobs`` > 1, or a Ray actor) could not build its
    checker, or died while checking articles (killed by the system, most often for lack of
    memory)."""
