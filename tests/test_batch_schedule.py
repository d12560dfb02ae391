"""The batches a pool of workers gets: every article once, full engine calls, workers that end together."""

from __future__ import annotations

import heapq
import random

import pytest

from mtcheck.batch.schedule import BatchPlanner


def _run_pool(planner: BatchPlanner, workers: int, seconds_per_row: list[float]) -> list[tuple[int, int, int, float]]:
    """Workers that ask for a batch whenever they are free, each batch taking the sum of its
    rows' seconds: (worker, first row, row after the last, when it ended) for every batch."""
    batches, running = [], []
    free = list(range(workers))
    now = 0.0
    while True:
        while free and (bounds := planner.take(free[0], now)) is not None:
            worker = free.pop(0)
            ends = now + sum(seconds_per_row[bounds[0]:bounds[1]])
            heapq.heappush(running, (ends, worker, bounds))
        if not running:
            return batches
        now, worker, (start, end) = heapq.heappop(running)
        planner.finished(worker, now)
        free.append(worker)
        batches.append((worker, start, end, now))


def _articles(seed: int, rows: int = 120) -> tuple[list[int], list[float]]:
    """Article lengths that vary as real ones do, and what each takes: about a second per
    thousand characters, give or take a fifth (the pace varies with the text)."""
    rng = random.Random(seed)
    sizes = [rng.randint(300, 4000) for _ in range(rows)]
    return sizes, [size / 1000 * rng.uniform(0.8, 1.2) for size in sizes]


@pytest.mark.parametrize("seed", range(5))
def test_two_workers_end_together_on_full_batches(seed):
    """Every article in exactly one batch, each a run of rows in input order; the two workers
    end within about one article's time of each other; only the last batches are small."""
    sizes, seconds = _articles(seed)
    batches = _run_pool(BatchPlanner(sizes, workers=2), 2, seconds)
    assert [row for _, start, end, _ in sorted(batches, key=lambda b: b[1]) for row in range(start, end)] \
        == list(range(len(sizes)))
    last_end = {worker: ended for worker, _, _, ended in batches}
    assert abs(last_end[0] - last_end[1]) <= 1.5 * max(seconds)
    small = [b for b in batches if sum(sizes[b[1]:b[2]]) < BatchPlanner(sizes, 2).full_call]
    assert len(small) <= 2
    assert len(batches) <= 12  # cut ahead into shrinking batches, the same input made 18


def test_the_next_batch_counts_what_the_other_workers_still_have_running():
    """A worker that asks for a batch gets half its share of what is left and of what the
    others are still doing, at the pace the finished batches set: more when the other worker
    took its batch later, so has more of it left."""
    def third_batch(other_started: float) -> int:
        planner = BatchPlanner([1000] * 200, workers=2)
        assert planner.take("a", 0.0) == (0, 50)  # half of a worker's share at first
        assert planner.take("b", other_started) == (50, 88)
        planner.finished("a", 50.0)  # a thousand characters a second
        start, end = planner.take("a", 50.0)
        return end - start

    # b done by now at that pace: half of a's share of the 112 rows left.
    assert third_batch(other_started=0.0) == 28
    # b with 28 of its 38 rows to go: half of a's share of 112 + 28.
    assert third_batch(other_started=40.0) == 35


def test_one_worker_a_fixed_size_and_few_rows():
    assert BatchPlanner([1] * 100, workers=1).take("w", 0.0) == (0, 64)
    planner = BatchPlanner([1] * 10, workers=2, batch_size=4)
    assert planner.take("a", 0.0) == (0, 4) and planner.take("b", 0.0) == (4, 8)
    planner.finished("a", 1.0)
    assert planner.take("a", 1.0) == (8, 10) and planner.exhausted and planner.take("b", 2.0) is None
    # Five short rows for four workers: each worker gets a batch of one row, the least a batch holds.
    few = BatchPlanner([500] * 5, workers=4)
    assert [few.take(w, 0.0) for w in range(4)] == [(0, 1), (1, 2), (2, 3), (3, 4)]


def test_a_worker_must_finish_its_batch_before_taking_another():
    planner = BatchPlanner([100] * 10, workers=2)
    planner.take("a", 0.0)
    with pytest.raises(ValueError, match="before finishing"):
        planner.take("a", 1.0)
