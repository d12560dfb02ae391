"""Numbers in a French rendering that its reference does not contain."""

from __future__ import annotations

from typing import ClassVar

import re
from dataclasses import dataclass, field

from ..lang.figures import FRENCH_NUMBER, conversions, converts, english_values, french_value
from ..lang.french import quoted_spans
from ..types import Category, Flag, Severity
from .base import BaseDetector, DetectionContext, Need


def _copied(figure: str, reference: str) -> bool:
    """True when the French figure stands in the reference as it is ("42,49" in a list of models,
    "3.938 inches"): the translation copied it, whichever way its separators read."""
    return re.search(rf"(?<![\d.,]){re.escape(figure)}(?!\d|[.,]\d)", reference) is not None


@dataclass
class NumberDetector(BaseDetector):
    """Flags each number of a rendering whose value appears nowhere in its reference, nor in
    the article's other references: on product descriptions, whose every line holds figures, a
    figure found elsewhere in the original is mostly a passage aligned with the wrong line
    (run alone on the 1,268 WMT20 dev documents: 91 words at precision 0.22, the base rate,
    before; 20 words at 0.45 after).

    A figure that converts one of the original's US measures or afternoon times ("306 km" for
    "190 miles", "18 heures" for "6 p.m.") is the original's too.

    When the reference is a quote (it has a speaker) and the French passage has quotation
    marks, only the numbers inside them are compared: the rest is the article's attribution.
    """

    name: str = field(default="numbers", init=False)
    needs: ClassVar[frozenset[Need]] = frozenset({Need.REFERENCES})

    def detect(self, context: DetectionContext) -> list[Flag]:
        flags = []
        anywhere = set().union(*(english_values(r.text) for r in context.references))
        converted = {value for r in context.references for _, _, value in conversions(r.text)}
        for alignment in context.alignments:
            expected = english_values(alignment.reference.text)
            for rendering in alignment.renderings:
                passage = context.text[rendering.start : rendering.end]
                quoted = quoted_spans(passage) if alignment.reference.speaker else []
                for match in FRENCH_NUMBER.finditer(passage):
                    # ``anywhere`` holds ``expected``: a figure of another reference is the original's
                    # too, in a passage aligned with the wrong line.
                    value = french_value(match.group())
                    if value in anywhere or _copied(match.group(), alignment.reference.text):
                        continue
                    if any(converts(value, c) for c in converted):
                        continue  # "35 degrés" for "95 degrees Fahrenheit", "18 heures" for "6 p.m."
                    if quoted and not any(s <= match.start() < e for s, e in quoted):
                        continue  # the attribution around a quote ("cité le 18 novembre") is the article's own
                    start, end = rendering.start + match.start(), rendering.start + match.end()
                    flags.append(Flag(
                        start=start, end=end, text=match.group(), category=Category.MISTRANSLATION,
                        severity=Severity.MAJOR,
                        message=f"the number {match.group()} is not in the reference",
                        detector=self.name,
                        evidence={"reference_id": alignment.reference.id, "reference": alignment.reference.text,
                                  "reference_numbers": ", ".join(sorted({f"{v:g}" for v in expected})) or "none"},
                        suggestion="check the figure against the original", confidence=0.6,
                        segment_index=rendering.segment_indices[0],
                    ))
        return flags
