"""Reference-free confidence: what the back-translation itself says about the French.

Two signals, both usable where no English original exists:

* the engine's own probability of each back-translated word (``hf``, ``ct2``): a word the
  model was unsure of points at French that it could not make sense of;
* the French → English → French round trip (with an en→fr engine, Apertium by default):
  a French content word whose stem does not come back is one the back-translation lost or
  changed.

Either signal alone is weak evidence, so flags are minor and their confidence says so.
"""

from __future__ import annotations

from typing import ClassVar

import math
import re
from dataclasses import dataclass, field

from ..lang.words import word_spans
from ..engines.subwords import piece_spans
from ..lang import french
from ..types import BackTranslation, Category, Flag, Severity
from .base import BaseDetector, DetectionContext, Need

_FRENCH_WORD = re.compile(r"\w[\w’'-]*")
# Short and grammatical words change in any round trip; they say nothing about meaning.
_FRENCH_FUNCTION_WORDS = frozenset(
    """le la les un une des du de d l au aux ce cet cette ces il elle ils elles on nous vous je j me te se
    lui leur leurs son sa ses mon ma mes ton ta tes notre nos votre vos qui que qu quoi dont où et ou mais
    donc or ni car ne pas plus moins très trop aussi ainsi alors comme si en dans sur sous par pour avec
    sans chez entre vers est sont était étaient été être avoir a ont avait avaient sera seront fait faire
    tout tous toute toutes autre autres même cela ceci ça y""".split()
)


def word_probabilities(bt: BackTranslation) -> list[tuple[int, int, float]]:
    """(start, end, probability) of each back-translated word: the product of its pieces'."""
    if not bt.token_scores:
        return []
    spans = piece_spans(bt.text, [t.token for t in bt.token_scores])
    words = []
    for ws, we in word_spans(bt.text):
        if not any(c.isalnum() for c in bt.text[ws:we]):
            continue
        logprob = sum(t.logprob for (s, e), t in zip(spans, bt.token_scores) if s < we and ws < e)
        words.append((ws, we, math.exp(logprob)))
    return words


@dataclass
class ConfidenceDetector(BaseDetector):
    """Flags French words behind improbable back-translated words or lost in the round trip."""

    min_probability: float = 0.2
    round_trip: bool = False  # opt-in: measured below the base rate (detectors/__init__.py)
    name: str = field(default="confidence", init=False)
    needs: ClassVar[frozenset[Need]] = frozenset({Need.TOKEN_SCORES, Need.ROUND_TRIP, Need.REVERSE_ENGINE})
    default: ClassVar[bool] = False

    def uses(self, need: Need) -> bool:
        # The round trip costs a second engine call per sentence: only when asked for.
        if need in (Need.ROUND_TRIP, Need.REVERSE_ENGINE):
            return self.round_trip
        return super().uses(need)

    def detect(self, context: DetectionContext) -> list[Flag]:
        flags = []
        for bt in context.back_translations:
            flags += self._improbable(context, bt)
            if self.round_trip and bt.segment.index in context.round_trips:
                flags += self._lost_in_round_trip(context, bt)
        return flags

    def _improbable(self, context: DetectionContext, bt: BackTranslation) -> list[Flag]:
        flags = []
        for s, e, probability in word_probabilities(bt):
            if probability >= self.min_probability:
                continue
            for link in bt.links:
                if link.target_start < e and s < link.target_end:
                    fs, fe = link.source_start, link.source_end
                    flags.append(Flag(
                        start=fs, end=fe, text=context.text[fs:fe], category=Category.FLUENCY,
                        severity=Severity.MINOR,
                        message=f"the engine was unsure how to translate this (p={probability:.2f} for "
                                f"'{bt.text[s:e]}')",
                        detector=self.name,
                        evidence={"back_translation": bt.text, "word": bt.text[s:e],
                                  "probability": f"{probability:.3f}"},
                        suggestion="check this wording", confidence=round(0.5 * (1 - probability), 3),
                        segment_index=bt.segment.index,
                    ))
        return flags

    def _lost_in_round_trip(self, context: DetectionContext, bt: BackTranslation) -> list[Flag]:
        round_trip = context.round_trips[bt.segment.index].text
        kept = {french.stem(w) for w in _FRENCH_WORD.findall(round_trip)}
        kept |= {w.lower() for w in _FRENCH_WORD.findall(round_trip)}
        flags = []
        seg = bt.segment
        for match in _FRENCH_WORD.finditer(seg.text):
            word = match.group()
            if (len(word) < 4 or word[0].isupper() or word.lower() in _FRENCH_FUNCTION_WORDS
                    or any(c.isdigit() for c in word)):
                continue
            if word.lower() in kept or french.stem(word) in kept:
                continue
            s, e = seg.start + match.start(), seg.start + match.end()
            flags.append(Flag(
                start=s, end=e, text=word, category=Category.FLUENCY, severity=Severity.MINOR,
                message=f"'{word}' does not survive the French → English → French round trip",
                detector=self.name, evidence={"back_translation": bt.text, "round_trip": round_trip},
                suggestion="check this wording", confidence=0.3, segment_index=seg.index,
            ))
        return flags
