"""Run the ``mtcheck`` command line in this process, as the console script runs it, and keep
what it printed: faster than a subprocess, and a test can patch what the command calls.

Tests that need the real entry point (the traceback rule, the installed wheel) run it in a
subprocess instead.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

from mtcheck.cli import main


@dataclass(frozen=True)
class CommandResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Both streams, for a failing assertion's message."""
        return self.stdout + self.stderr


def run_cli(args: Sequence[str]) -> CommandResult:
    """``mtcheck ARGS`` with stdout and stderr captured (neither is a terminal, as in CI)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = main(list(args))
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    return CommandResult(exit_code=code, stdout=stdout.getvalue(), stderr=stderr.getvalue())
