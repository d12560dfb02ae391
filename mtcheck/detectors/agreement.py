"""Gender agreement between a determiner or adjective and the noun right after it.

English has no gender to carry over, so machine translation picks one for a determiner or
adjective without looking at the noun it goes with: "de tels attaques", "un source", "meilleur
qualité". Grammalecte's dictionary gives each word's readings with their gender; a pair is
flagged only when every modifier reading of the first word has one gender, every reading of
the noun the other, and neither can be read otherwise (a pronoun before a verb, "la
transmettre"; "est", a noun and a verb). On the WMT20 QE en-fr development data, 83% of the
pairs it flags touch an annotated error (documents 1–600) and 57% of the words it flags are
inside one (documents 1–300, base rate 22.5%); on the Debian documentation's human French it
flags one pair in 5,800 words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..lang import tags
from ..lang.gender import NAMES, OTHER, gender, inflect
from ..lang.spelling import require_word_classes
from ..types import Category, Flag, Severity
from .base import DetectionContext, adjacent_words

_TRAILING = ".,;:!?»)”"


@dataclass
class AgreementDetector:
    """Flags a determiner or adjective whose gender contradicts the noun that follows it."""

    name: str = field(default="agreement", init=False)

    def __post_init__(self) -> None:
        self._classes = require_word_classes(self.name)

    def detect(self, context: DetectionContext) -> list[Flag]:
        flags = []
        for seg in context.segments:
            pairs = list(adjacent_words(seg.text))
            for n, (first, second) in enumerate(pairs):
                modifier, noun = first.group(), second.group().rstrip(_TRAILING)
                if not (modifier.isalpha() and noun.isalpha()):
                    continue
                if not (modifier.islower() and noun.islower()):
                    continue
                wanted = self._clash(modifier, noun)
                if wanted is None:
                    continue
                lead = pairs[n - 1][0] if n and pairs[n - 1][1].start() == first.start() else None
                if lead is not None and not self._epicene_determiner(lead.group()):
                    lead = None
                start = seg.start + (lead or first).start()
                end = seg.start + second.start() + len(noun)
                fixed = inflect(modifier, wanted, self._classes)
                if fixed and lead is not None:
                    fixed = f"{lead.group()} {fixed}"
                flags.append(Flag(
                    start=start, end=end, text=context.text[start:end], category=Category.GRAMMAR,
                    severity=Severity.MINOR,
                    message=f"'{modifier}' is {NAMES[OTHER[wanted]]} but '{noun}' is {NAMES[wanted]}",
                    detector=self.name, evidence={"modifier": modifier, "noun": noun},
                    suggestion=f"{fixed} {noun}" if fixed else f"make '{modifier}' {NAMES[wanted]}",
                    confidence=0.7, segment_index=seg.index,
                ))
        return flags

    def _clash(self, modifier: str, noun: str) -> str | None:
        """The noun's gender when the modifier can only have the other one, else None."""
        modifier_tags = self._classes(modifier)
        if any(":Oo" in t or ":Ov" in t for t in modifier_tags):
            return None  # an object pronoun before a verb
        genders = {gender(t) for t in modifier_tags if tags.determiner(t) or ":A" in t}
        noun_tags = self._classes(noun)
        if not noun_tags or any(t.startswith(":G") or ":A" in t or _finite_third_person(t) for t in noun_tags):
            return None
        noun_genders = {gender(t) for t in noun_tags if tags.noun(t)}
        if len(genders) == 1 and len(noun_genders) == 1 and genders != noun_genders and genders | noun_genders <= {"m", "f"}:
            return next(iter(noun_genders))
        return None

    def _epicene_determiner(self, word: str) -> bool:
        """A determiner of either gender ("de", "les", "leurs"), which the fix keeps as it is.

        It belongs to the noun phrase a reviewer rewrites ("de tels attaques"), so the flag
        covers it; a gendered one ("le meilleur qualité") would need its own fix, so it is left out.
        """
        determiner = [t for t in self._classes(word) if tags.determiner(t)]
        return bool(determiner) and all(gender(t) in ("e", None) for t in determiner)


def _finite_third_person(tag: str) -> bool:
    """être/avoir, or a verb form in the third person ("mesure", "montre"): the word may be the verb."""
    return tag.startswith(":V0") or (tag.startswith(":V") and (":3s" in tag or ":3p" in tag))
