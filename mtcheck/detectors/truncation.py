"""Sentences cut off mid-quote: a translation of a truncated embed, ending in an ellipsis."""

from __future__ import annotations

from typing import ClassVar

import re
from dataclasses import dataclass, field

from ..lang.words import word_spans
from ..lang import french
from ..types import Category, Flag, Severity
from .base import BaseDetector, DetectionContext, Need

# Words that open a clause ("il est crucial que | les partenaires ne quittent pas…").
_CLAUSE_WORDS = frozenset({"que", "qu’", "qu'", "qui", "mais", "car", "lorsque", "lorsqu’", "lorsqu'", "quand", "si",
                           "parce", "puisque", "puisqu’", "puisqu'"})
_DOT_RUN = re.compile(r"\.{2,}|…")
# The ellipsis that ends a truncated embed, with the embed's link after it.
_EMBED_CUT = re.compile(r"(?:\.{3}|…)\s*(?:pic\.twitter\.com/\S+|https?://\S+)")
_TRAILING_ELLIPSIS = re.compile(r"(?<![(\[])(?:\.{3}|…)(?=\s*(?:$|pic\.twitter\.com|https?://|»|”|\"))")


@dataclass
class TruncationDetector(BaseDetector):
    """Flags the last words of a sentence that stops on an ellipsis with nothing after it but residue.

    An ellipsis that ends the sentence where the aligned original ends on one too is the
    original's, not a cut: product copy and quotes trail off that way.
    """

    # The flag covers the clause that was cut (from the last comma, semicolon, colon or
    # conjunction before it), since that is what has to be translated again; at least
    # ``words_before`` words, and when the clause is longer than ``max_clause_words``, only those.
    words_before: int = 3
    max_clause_words: int = 20
    name: str = field(default="truncation", init=False)
    needs: ClassVar[frozenset[Need]] = frozenset({Need.REFERENCES})

    def detect(self, context: DetectionContext) -> list[Flag]:
        flags = []
        trailing = {seg.index: m for seg in context.segments if (m := _TRAILING_ELLIPSIS.search(seg.text))}
        for seg in context.segments:
            match = trailing.get(seg.index)
            if not match:
                continue
            rest = seg.text[match.end():].strip()
            if rest and not french.EMBED_RESIDUE.fullmatch(rest.strip("»”\" ")):
                continue
            if not rest and (_original_ends_so(context, seg.index) or _original_writes_dot_runs(context)):
                continue  # the original stops on an ellipsis too, or trails off so elsewhere: its style
            if not rest and (seg.index - 1 in trailing or seg.index + 1 in trailing):
                continue  # a list whose items end on dots ("Pince à épiler... Porte-clés..."), not a cut
            words = [w for w in word_spans(seg.text[: match.start()]) if seg.text[w[0]].isalnum()]
            if not words:
                continue
            start = seg.start + words[self._clause_start(seg.text, words)][0]
            end = seg.start + match.end()
            flags.append(Flag(
                start=start, end=end, text=context.text[start:end], category=Category.OMISSION,
                severity=Severity.MAJOR, message="the sentence is cut off mid-quote (truncated embed)",
                detector=self.name, suggestion="translate the complete original sentence", confidence=0.7,
                segment_index=seg.index,
            ))
        return flags

    def _clause_start(self, text: str, words: list[tuple[int, int]]) -> int:
        """Index of the first word of the cut clause (see ``words_before`` and ``max_clause_words``)."""
        last = len(words) - 1
        first = last
        while first > 0 and last - first < self.max_clause_words and not _clause_boundary(
                text, words[first - 1], words[first]):
            first -= 1
        if text[words[first][0]: words[first][1]].lower() in _CLAUSE_WORDS:
            first += 1  # the conjunction itself is not part of what was cut
        if last - first >= self.max_clause_words:
            first = len(words) - self.words_before
        return max(0, min(first, len(words) - self.words_before))


def _clause_boundary(text: str, before: tuple[int, int], word: tuple[int, int]) -> bool:
    """True when ``word`` starts a clause: punctuation before it, or it is a conjunction."""
    return bool(re.search(r"[,;:«“(]", text[before[1]: word[0]])) or text[word[0]: word[1]].lower() in _CLAUSE_WORDS


def _original_ends_so(context: DetectionContext, segment_index: int) -> bool:
    """True when a reference rendered by this segment has an ellipsis or a run of dots itself.

    Product copy separates items with them ("Tweezers..Length: 3.5"..Width: 1".."), and the
    segmenter splits the translation there, so each piece seems to end on a cut.
    """
    return any(
        segment_index in rendering.segment_indices and _DOT_RUN.search(alignment.reference.text)
        for alignment in context.alignments for rendering in alignment.renderings
    )


def _original_writes_dot_runs(context: DetectionContext) -> bool:
    """True when the article's originals trail off on dots themselves somewhere ("Plus...",
    "Don't delay... be quick"), though not in a passage aligned with the segment. A truncated
    embed is still told apart: its ellipsis is followed by the embed's residue."""
    return context.shared("truncation:dot-runs", lambda: any(
        _DOT_RUN.search(_EMBED_CUT.sub("", reference.text)) for reference in context.references))
