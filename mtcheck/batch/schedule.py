"""How a batch run's articles are cut into batches for a pool of workers, as each asks for one.

A worker's engine call is only as large as the batch it holds, and a small call costs more per
sentence: a CTranslate2 call of 8 sentences costs 1.5× per sentence what one of 64 or more
does, 16 sentences 1.2× (opus-mt-sized Marian, beam 2, one thread), since every decoding step
reads the whole model whatever the number of sentences. Cutting the input ahead of time, with
batches that shrink towards the end so that no worker waits long for another's last one
(guided scheduling), ended every run on batches of a few articles: checking the batches two
workers got, one after the other in one process, took 1.10× the CPU seconds of checking the
batches one worker got (the same 120 articles, medians of five runs each).

:class:`BatchPlanner` cuts each batch when a worker asks for it instead, from what the
finished batches took: while much is left, each batch holds half a worker's share of it;
near the end a worker takes its whole share of what is left and of what the others still
have running, so that all finish together on batches that are still full engine calls.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

# The characters of French below which a batch's engine call costs markedly more per sentence
# (about 60 sentences of news or WMT text; see the module docstring).
FULL_CALL_CHARACTERS = 8000
# Rows a batch holds at most. A worker's batch is held in memory at once, and a worker that
# overlaps its engine with its checks (one quarter of its batch translated while it checks the
# one before) drains that pipeline at the end of every batch: with batches of at most 16 rows,
# one such worker took 1.23× the local backend's time on 120 articles, 1.10–1.15× with 64.
MAX_ROWS = 64


@dataclass
class BatchPlanner:
    """Cuts rows of these ``sizes`` (characters; the work each holds) into batches, in input
    order, one at a time as workers ask (:meth:`take`) and finish (:meth:`finished`).

    ``batch_size``: that many rows a batch, whatever the workers. One worker takes up to
    ``max_rows`` rows a batch: nobody waits for it.
    """

    sizes: Sequence[int]
    workers: int
    batch_size: int | None = None
    full_call: int = FULL_CALL_CHARACTERS
    max_rows: int = MAX_ROWS
    _next: int = field(default=0, init=False)
    _left: int = field(default=0, init=False)
    _done_work: int = field(default=0, init=False)
    _done_seconds: float = field(default=0.0, init=False)
    _running: dict[Hashable, tuple[int, float]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        # An empty article still costs its row.
        self.sizes = [max(1, size) for size in self.sizes]
        self._left = sum(self.sizes)

    @property
    def exhausted(self) -> bool:
        """Whether every row has gone into a batch."""
        return self._next >= len(self.sizes)

    def take(self, worker: Hashable, now: float) -> tuple[int, int] | None:
        """The next batch, as (first row, row after the last), for ``worker`` at time ``now``
        (seconds, any clock the caller keeps to); None when every row has gone."""
        if self.exhausted:
            return None
        if worker in self._running:
            raise ValueError(f"worker {worker!r} asks for a batch before finishing its last one")
        start = self._next
        if self.batch_size:
            end = min(len(self.sizes), start + self.batch_size)
        else:
            end = self._cut(start, self._target(worker, now))
        work = sum(self.sizes[start:end])
        self._next, self._left = end, self._left - work
        self._running[worker] = (work, now)
        return start, end

    def finished(self, worker: Hashable, now: float) -> None:
        """``worker`` has finished the batch it took (its time teaches the planner the pace)."""
        work, started = self._running.pop(worker)
        self._done_work += work
        self._done_seconds += max(0.0, now - started)

    def _target(self, worker: Hashable, now: float) -> float:
        """The characters the next batch should hold."""
        if self.workers <= 1:
            return float("inf")  # bounded by max_rows alone
        if not self._done_work or self._done_seconds <= 0:
            # Nothing finished yet, so no pace to plan by: half of each worker's share, as
            # while much is left later.
            return self._left / (2 * self.workers)
        pace = self._done_work / self._done_seconds  # characters a second, one worker
        running = sum(max(0.0, work - (now - started) * pace)
                      for other, (work, started) in self._running.items() if other != worker)
        share = (self._left + running) / self.workers
        # Half a share while much is left (the pace learnt so far may still be off), the whole
        # share once half of one would make a small engine call: the workers then end together.
        return share if share <= 2 * self.full_call else max(self.full_call, share / 2)

    def _cut(self, start: int, target: float) -> int:
        """The end of a batch from ``start`` holding about ``target`` characters: rows while
        the next one's first half still fits, at least one, at most ``max_rows``."""
        end, taken = start, 0
        while end < len(self.sizes) and end - start < self.max_rows and (
                end == start or taken + self.sizes[end] / 2 <= target):
            taken += self.sizes[end]
            end += 1
        return end
