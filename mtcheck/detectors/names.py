"""Names from the original that the French inflects like a common noun ("les Patriotes").

French leaves proper names invariable: "les systèmes Patriot", "deux Airbus", "les Dupont".
When machine translation reads a name as a word ("Patriot" as "patriote"), it adds the
French plural ending and the name turns into something else: "les Patriotes" are patriots,
not air-defence systems. A name is a word the references capitalise in the middle of a
sentence; a French word capitalised in the middle of a sentence that is such a name plus "s"
or "es", while the references never write it so, is flagged. A name plus "e" is not: French
spells many names so ("le Pentagone", "la Hollande"). Title-case product headings ("Tent" /
"Tentes autoportantes") are left alone because both words open their line. On the 1,268
WMT20 QE en-fr development documents it flags two words; on the Debian documentation's
human French, none."""

from __future__ import annotations

from typing import ClassVar

from dataclasses import dataclass, field

from ..lang import french
from ..types import Category, Flag, Severity
from .base import BaseDetector, DetectionContext, Need

# The plural endings only: a name plus "e" is as often the name's own French spelling ("le
# Pentagone" for "the Pentagon", "la Hollande"), which the dev data flagged at precision 0.20.
_ENDINGS = ("es", "s")


@dataclass
class NameInflectionDetector(BaseDetector):
    """Flags names of the original given a French plural ending."""

    min_length: int = 3
    name: str = field(default="names", init=False)
    needs: ClassVar[frozenset[Need]] = frozenset({Need.REFERENCES})

    def detect(self, context: DetectionContext) -> list[Flag]:
        names = self._names(reference.text for reference in context.references)
        if not names:
            return []
        flags = []
        for seg in context.segments:
            for word in _mid_sentence_capitalised(seg.text):
                inflected = word.group()
                if inflected in names:
                    continue
                original = next((inflected[: -len(e)] for e in _ENDINGS
                                 if inflected.endswith(e) and inflected[: -len(e)] in names), None)
                if original is None:
                    continue
                start, end = seg.start + word.start(), seg.start + word.end()
                flags.append(Flag(
                    start=start, end=end, text=context.text[start:end], category=Category.MISTRANSLATION,
                    severity=Severity.MAJOR,
                    message=(f"the original's name '{original}' is inflected like a French word ('{inflected}'); "
                             "names stay invariable in French"),
                    detector=self.name, evidence={"name": original}, suggestion=original, confidence=0.7,
                    segment_index=seg.index,
                ))
        return flags

    def _names(self, texts) -> set[str]:
        return {m.group() for text in texts for m in _mid_sentence_capitalised(text) if len(m.group()) >= self.min_length}


def _mid_sentence_capitalised(text: str):
    """Capitalised words that follow a lower-case word across nothing but spaces."""
    previous = None
    for match in french.WORD.finditer(text):
        word = match.group()
        if (previous is not None and word[:1].isupper() and previous.group().islower()
                and not text[previous.end() : match.start()].strip()):
            yield match
        previous = match
