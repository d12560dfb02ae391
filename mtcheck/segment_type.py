"""The :class:`Segment` value, in a module of its own so that ``mtcheck segment`` loads it without
the pipeline's other types (:mod:`mtcheck.types` holds it with them, and is what code imports)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    """One French sentence with its place in the article."""

    index: int
    text: str
    start: int
    end: int
    paragraph: int
    quote: str | None = None
    # 1, 2, … for the pieces of a sentence too long to check whole (see FrenchSegmenter.max_chars).
    window: int = 0
