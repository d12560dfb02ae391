"""Length-sorted batching under a token budget, shared by the neural engines."""

from __future__ import annotations

from collections.abc import Iterator, Sequence


def length_sorted_batches(lengths: Sequence[int], batch_tokens: int) -> Iterator[list[int]]:
    """Yield lists of input indices, sorted by length, each padded batch within ``batch_tokens``.

    Sorting keeps padding small; the budget counts the padded size (longest × count), so a
    single input longer than the budget still gets a batch of its own.
    """
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    batch: list[int] = []
    for i in order:
        if batch and lengths[i] * (len(batch) + 1) > batch_tokens:
            yield batch
            batch = []
        batch.append(i)
    if batch:
        yield batch
