"""The forms of "nouveau", "vieux", "beau", "fou", "mou" and "ce" made for a following vowel,
used before a consonant: "un nouvel colis", "cet président".

French writes "nouvel", "vieil", "bel", "fol", "mol" and "cet" only before a word that starts
with a vowel or a mute h ("un nouvel accord", "cet homme"); before a consonant or an aspirated
h it writes "nouveau", "vieux", "beau", "fou", "mou", "ce". Grammalecte catches the reverse
("un nouveau accord") but not this one, which machine translation makes when it picks the form
of the English word's position rather than of the French word that follows. Whether an h is
mute comes from Grammalecte's dictionary (``;É`` in a reading: elision, mute; ``;é``: aspirated).
On the WMT20 QE en-fr development data (1,268 documents) it fires once, on an annotated error
("cet pratique"); on the human French of ``data/corpora``, ``tests/data/professional`` and the
sample, never.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..lang import french
from ..lang.words import adjacent_words
from ..types import Category, Flag, Severity
from .base import DetectionContext, WordClassDetector

_BEFORE_A_CONSONANT = {"nouvel": "nouveau", "vieil": "vieux", "bel": "beau", "fol": "fou", "mol": "mou",
                       "cet": "ce"}
_VOWELS = "aeiouyàâäéèêëîïôöùûüœæ"


@dataclass
class EuphonyDetector(WordClassDetector):
    """Flags "nouvel", "vieil", "bel", "fol", "mol" or "cet" before a consonant or an aspirated h."""

    name: str = field(default="euphony", init=False)

    def detect(self, context: DetectionContext) -> list[Flag]:
        flags = []
        for seg in context.segments:
            for form, after in adjacent_words(seg.text, french.WORD):
                given, word = form.group(), after.group()
                plain = _BEFORE_A_CONSONANT.get(given.lower())
                if plain is None or given not in (given.lower(), given.capitalize()) or not self._consonant(word):
                    continue
                start, end = seg.start + form.start(), seg.start + after.end()
                right = plain if given.islower() else plain.capitalize()
                flags.append(Flag(
                    start=start, end=end, text=context.text[start:end], category=Category.GRAMMAR,
                    severity=Severity.MINOR,
                    message=f"'{given}' is the form before a vowel; before '{word}' French writes '{plain}'",
                    detector=self.name, evidence={"form": given, "next_word": word},
                    suggestion=f"{right} {word}", confidence=0.85, segment_index=seg.index,
                ))
        return flags

    def _consonant(self, word: str) -> bool:
        """True when ``word`` is a word of the dictionary that starts with a consonant sound."""
        first = word[:1].lower()
        if not first.isalpha() or first in _VOWELS or not word[:1].islower():
            return False
        readings = self._classes(word)
        if not readings:
            return False
        if first == "h":  # aspirated in every reading: "un bel hangar" is wrong, "un bel homme" right
            return all(";é" in r for r in readings)
        return True
