"""Invisible format characters inside words, and the text as a reader sees it.

A soft hyphen (U+00AD) or a word joiner (U+2060) inside "nou\u00advelle" shows nothing on the
page, but splits the word for every tool that reads characters: Grammalecte then sees
"nou" and "velle" and raises grammar and spelling alarms, an engine sees two unknown
pieces. mtcheck checks the text with these characters removed and maps every offset back,
so a flag still indexes the article as written.

Zero-width joiners and non-joiners (U+200C, U+200D) are kept: they shape emoji and
scripts, and a French word never contains one by accident.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

# Soft hyphen, zero-width space, word joiner, zero-width no-break space (a BOM mid-text).
INVISIBLE = "\u00ad\u200b\u2060\ufeff"
_INVISIBLE_RUN = re.compile(f"[{INVISIBLE}]+")


@dataclass(frozen=True)
class VisibleText:
    """``original`` without its invisible format characters, and the way back to its offsets.

    ``removed_before[k]`` is how many characters were removed before the ``k``-th kept
    run starts at ``run_starts[k]`` (offsets in ``text``): a few runs per article, so the
    mapping costs a binary search, not an array the size of the article.
    """

    original: str
    text: str
    run_starts: tuple[int, ...] = ()
    removed_before: tuple[int, ...] = ()

    @classmethod
    def of(cls, original: str) -> VisibleText:
        if not any(ch in original for ch in INVISIBLE):
            return cls(original, original)
        pieces, starts, removed = [], [0], [0]
        kept = last = 0
        for match in _INVISIBLE_RUN.finditer(original):
            pieces.append(original[last : match.start()])
            kept += match.start() - last
            last = match.end()
            starts.append(kept)
            removed.append(removed[-1] + match.end() - match.start())
        pieces.append(original[last:])
        return cls(original, "".join(pieces), tuple(starts), tuple(removed))

    @property
    def unchanged(self) -> bool:
        return self.text is self.original or not self.run_starts

    def start(self, offset: int) -> int:
        """The original offset of the character at ``offset`` in :attr:`text` (a span's start)."""
        if self.unchanged:
            return offset
        return offset + self.removed_before[bisect_right(self.run_starts, offset) - 1]

    def end(self, offset: int) -> int:
        """The original offset just after the character before ``offset`` (a span's end).

        Invisible characters right after a span stay outside it; those inside it are kept.
        """
        if self.unchanged or offset == 0:
            return offset
        return self.start(offset - 1) + 1

    def span(self, start: int, end: int) -> tuple[int, int]:
        """An original span for the span ``[start, end)`` of :attr:`text`; empty spans stay empty."""
        if end <= start:
            return self.start(start), self.start(start)
        return self.start(start), self.end(end)
