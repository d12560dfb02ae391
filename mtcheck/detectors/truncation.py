"""Sentences cut off mid-quote: a translation of a truncated embed, ending in an ellipsis."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..engines.base import word_spans
from ..lang import french
from ..types import Category, Flag, Severity
from .base import DetectionContext

_TRAILING_ELLIPSIS = re.compile(r"(?<![(\[])(?:\.{3}|…)(?=\s*(?:$|pic\.twitter\.com|https?://|»|”|\"))")


@dataclass
class TruncationDetector:
    """Flags the last words of a sentence that stops on an ellipsis with nothing after it but residue.

    An ellipsis that ends the sentence where the aligned original ends on one too is the
    original's, not a cut: product copy and quotes trail off that way.
    """

    words_before: int = 3
    name: str = field(default="truncation", init=False)

    def detect(self, context: DetectionContext) -> list[Flag]:
        flags = []
        for seg in context.segments:
            match = _TRAILING_ELLIPSIS.search(seg.text)
            if not match:
                continue
            rest = seg.text[match.end():].strip()
            if rest and not french.EMBED_RESIDUE.fullmatch(rest.strip("»”\" ")):
                continue
            if not rest and _original_ends_so(context, seg.index):
                continue  # the original stops on an ellipsis too: the translation is faithful
            words = [w for w in word_spans(seg.text[: match.start()]) if seg.text[w[0]].isalnum()]
            if not words:
                continue
            start = seg.start + words[max(0, len(words) - self.words_before)][0]
            end = seg.start + match.end()
            flags.append(Flag(
                start=start, end=end, text=context.text[start:end], category=Category.OMISSION,
                severity=Severity.MAJOR, message="the sentence is cut off mid-quote (truncated embed)",
                detector=self.name, suggestion="translate the complete original sentence", confidence=0.7,
                segment_index=seg.index,
            ))
        return flags


def _original_ends_so(context: DetectionContext, segment_index: int) -> bool:
    """True when a reference rendered by this segment itself ends on an ellipsis."""
    return any(
        segment_index in rendering.segment_indices and _TRAILING_ELLIPSIS.search(alignment.reference.text.rstrip())
        for alignment in context.alignments for rendering in alignment.renderings
    )
