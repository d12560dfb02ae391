"""Progress of the stages of a run that can take long: a bar on a terminal, one line each in a log.

A bar redrawn with carriage returns is unreadable in a CI log or a file, and silence there
looks like a hang; so where stderr is not a terminal each stage says once that it starts,
with its size.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import TextIO



class ProgressMode(StrEnum):
    BAR = "bar"  # a tqdm bar per stage, removed when the stage ends
    LINES = "lines"  # one line per stage as it starts
    OFF = "off"

    @classmethod
    def for_stream(cls, stream: TextIO, quiet: bool = False) -> ProgressMode:
        """A bar on a terminal, lines elsewhere, nothing when ``quiet``."""
        if quiet:
            return cls.OFF
        return cls.BAR if stream.isatty() else cls.LINES


@dataclass(frozen=True)
class Progress:
    """Reports stages on ``stream`` (stderr when None) in ``mode``."""

    mode: ProgressMode = ProgressMode.OFF
    stream: TextIO | None = None

    @classmethod
    def of(cls, value: Progress | ProgressMode | str | bool | None) -> Progress:
        """A Progress from the forms the API takes: True (a bar), False or None (off), a mode name."""
        if isinstance(value, Progress):
            return value
        if isinstance(value, bool) or value is None:
            return cls(ProgressMode.BAR if value else ProgressMode.OFF)
        return cls(ProgressMode(value))

    @contextmanager
    def stage(self, description: str, total: int | None, unit: str) -> Iterator[Callable[[int], object]]:
        """A stage of ``total`` ``unit``s (None: not known in advance); the context gives ``advance(n)``."""
        stream = self.stream or sys.stderr
        if self.mode is ProgressMode.OFF or total == 0:
            yield _nothing
        elif self.mode is ProgressMode.LINES:
            size = "" if total is None else f": {total:,} {unit}{'' if total == 1 else 's'}"
            print(f"mtcheck: {description}{size}", file=stream, flush=True)
            yield _nothing
        else:
            from tqdm.auto import tqdm  # only where a bar is drawn: it costs every command 0.1 s

            with tqdm(total=total, desc=description, unit=unit, leave=False, file=stream, dynamic_ncols=True,
                      mininterval=0.5) as bar:
                yield bar.update


def _nothing(n: int = 1) -> None:
    return None
