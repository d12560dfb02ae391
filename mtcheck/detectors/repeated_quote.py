"""The same quote rendered twice, differently: agreement that changes between renderings.

When one English reference is rendered at two places of the article, the speaker is the
same, so a word that is masculine in one rendering and feminine in the other
("reconnaissant" / "reconnaissante") is an inconsistency whatever the speaker's gender.
"""

from __future__ import annotations

from typing import ClassVar

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from ..lang.words import word_spans
from ..lang.gender import other_gender_spelling
from ..types import Category, Flag, Severity
from .base import BaseDetector, DetectionContext, Need

_INFLECTIONS = ("e", "s", "es", "x")


def differs_by_inflection(a: str, b: str) -> bool:
    """True when two French words differ only by a gender or number ending."""
    a, b = a.lower(), b.lower()
    if a == b:
        return False
    short, long = sorted((a, b), key=len)
    if len(short) < 3:
        return False  # "de" / "des", "le" / "les": another determiner, not the speaker's agreement
    return any(long == short + ending for ending in _INFLECTIONS) or (
        len(a) == len(b) and a[:-1] == b[:-1] and {a[-1], b[-1]} <= {"e", "s"}
    ) or other_gender_spelling(a, b)


@dataclass
class RepeatedQuoteDetector(BaseDetector):
    """Flags words whose gender or number changes between two renderings of one reference."""

    name: str = field(default="repeated-quote", init=False)
    needs: ClassVar[frozenset[Need]] = frozenset({Need.REFERENCES})

    def detect(self, context: DetectionContext) -> list[Flag]:
        flags = []
        for alignment in context.alignments:
            if len(alignment.renderings) < 2:
                continue
            first = alignment.renderings[0]
            first_words = [(s + first.start, e + first.start) for s, e in word_spans(context.text[first.start : first.end])]
            for other in alignment.renderings[1:]:
                other_words = [(s + other.start, e + other.start)
                               for s, e in word_spans(context.text[other.start : other.end])]
                a = [context.text[s:e].lower() for s, e in first_words]
                b = [context.text[s:e].lower() for s, e in other_words]
                for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
                    if op != "replace":
                        continue
                    for i, j in zip(range(i1, i2), range(j1, j2)):
                        if differs_by_inflection(a[i], b[j]):
                            s, e = other_words[j]
                            kept = context.text[first_words[i][0] : first_words[i][1]]
                            flags.append(Flag(
                                start=s, end=e, text=context.text[s:e], category=Category.INCONSISTENCY,
                                severity=Severity.MAJOR,
                                message=f"'{context.text[s:e]}' here but '{kept}' where the same quote "
                                        f"({alignment.reference.id}) is rendered earlier",
                                detector=self.name,
                                evidence={"reference_id": alignment.reference.id, "other_rendering": kept,
                                          "reference": alignment.reference.text},
                                suggestion=kept, confidence=0.8, segment_index=other.segment_indices[0],
                            ))
        return flags
