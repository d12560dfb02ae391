"""Numbers in a French rendering that its reference does not contain."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..lang.french import quoted_spans
from ..types import Category, Flag, Severity
from .base import DetectionContext

_FRENCH_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?:,\d+)?(?![\w])|(?<![\w.,])\d+(?:,\d+)?(?![\w])")
_ENGLISH_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])\d+(?:\.\d+)?")


def french_value(token: str) -> float:
    cleaned = re.sub(r"[ \u00a0\u202f]", "", token)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", cleaned):
        cleaned = cleaned.replace(".", "")
    return float(cleaned.replace(",", "."))


def english_value(token: str) -> float:
    return float(token.replace(",", ""))


@dataclass
class NumberDetector:
    """Flags each number of a rendering whose value appears nowhere in its reference.

    When the reference is a quote (it has a speaker) and the French passage has quotation
    marks, only the numbers inside them are compared: the rest is the article's attribution.
    """

    name: str = field(default="numbers", init=False)

    def detect(self, context: DetectionContext) -> list[Flag]:
        flags = []
        for alignment in context.alignments:
            expected = {english_value(m.group()) for m in _ENGLISH_NUMBER.finditer(alignment.reference.text)}
            for rendering in alignment.renderings:
                passage = context.text[rendering.start : rendering.end]
                quoted = quoted_spans(passage) if alignment.reference.speaker else []
                for match in _FRENCH_NUMBER.finditer(passage):
                    if french_value(match.group()) in expected:
                        continue
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
