"""Words of a text as character spans: the one tokenisation every stage links and compares by."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator

# French elisions (l’, qu’, jusqu’…) are words of their own, so "l’administration" gives
# two words that can be linked separately.
_WORD = re.compile(
    r"(?:[A-Z]\.){2,}|\d+(?:[.,]\d+)+|(?i:\b(?:jusqu|lorsqu|puisqu|quoiqu|qu|[cdjlmnst])[’'](?=\w))|\w+(?:[’'\-.]\w+)*|[^\w\s]"
)


def word_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the words and punctuation marks of ``text``."""
    return [m.span() for m in _WORD.finditer(text)]


_WHITESPACE_WORD = re.compile(r"\S+")


def adjacent_words(text: str, word: re.Pattern[str] = _WHITESPACE_WORD) -> Iterator[tuple[re.Match[str], re.Match[str]]]:
    """Pairs of words of ``text`` (``word`` matches one; whitespace words by default) separated by exactly one space."""
    words = list(word.finditer(text))
    for first, second in zip(words, words[1:]):
        if text[first.end() : second.start()] == " ":
            yield first, second


class SpanIndex:
    """Non-overlapping spans, asked which offsets they hold in logarithmic time.

    Scanning an article's spans for each of its words costs words × spans, which grows with
    the square of the article's length (it made a 5 MB article 30% slower than linear).
    """

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [s for s, _ in ordered]
        self._ends = [e for _, e in ordered]

    def holds(self, offset: int) -> bool:
        """Whether ``offset`` lies in one of the spans (``start <= offset < end``)."""
        i = bisect_right(self._starts, offset) - 1
        return i >= 0 and offset < self._ends[i]
