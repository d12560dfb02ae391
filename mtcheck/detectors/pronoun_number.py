"""An object pronoun whose number contradicts the original's ("de la transmettre" for "provide them").

English object pronouns carry number ("it" / "them"); French clitics do too ("la" / "les").
Machine translation picks the clitic from the nearest noun, or from a source language whose
pronouns have no number, and "provide them to those who need them" becomes "la transmettre
à ceux qui en ont besoin". Apertium's English and French taggers find the object pronouns
of a reference and of the French that renders it; where every English one has one number
and every French clitic the other, the clitics are flagged, with the verb they belong to.
A rendering whose pronouns are mixed, or whose reference has none, says nothing. Clitics
before "être" ("nous le sommes") stand for an attribute, not an object, and are left alone.
On the Debian documentation's human French it finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..lang.tagging import TaggedWord
from ..types import Category, Flag, Severity
from .base import DetectionContext
from .tagged_pairs import TaggedPair, TaggedPairsDetector

# The clitic of the other number: singular → plural, and plural → the singulars.
_OTHER_NUMBER = {"le": "les", "la": "les", "l’": "les", "l'": "les", "lui": "leur", "les": "le / la", "leur": "lui"}
_ELIDING = frozenset("aeéèêiîoôuh")


@dataclass
class PronounNumberDetector(TaggedPairsDetector):
    """Flags French object clitics whose number contradicts the aligned reference's object pronouns."""

    name: ClassVar[str] = "pronoun-number"

    def detect(self, context: DetectionContext) -> list[Flag]:
        flags = []
        for pair in self.pairs(context):
            pronouns = [w for w in pair.english if w.has("prn", "obj", "p3")]
            wanted = {_number(w) for w in pronouns} - {None}
            if len(wanted) != 1:
                continue
            words = pair.french
            clitics = [i for i, w in enumerate(words) if _object_clitic(words, i)]
            if clitics and all(_number(words[i]) not in wanted for i in clitics):
                flags += [self._flag(context, pair, i, pronouns) for i in clitics]
        return flags

    def _flag(self, context: DetectionContext, pair: TaggedPair, i: int, pronouns: list[TaggedWord]) -> Flag:
        words, rendering, alignment = pair.french, pair.rendering, pair.alignment
        clitic = words[i]
        verb = words[i + 1] if i + 1 < len(words) and words[i + 1].is_verb else None
        start = rendering.start + clitic.start
        end = rendering.start + (verb.end if verb else clitic.end)
        other = _OTHER_NUMBER.get(clitic.surface.lower(), "")
        rest = context.text[rendering.start + clitic.end : end]
        if other == "le / la" and verb and verb.surface[:1].lower() in _ELIDING:
            other, rest = "l’", rest.lstrip()  # "les a lus" → "l’a lus"
        english = [w.surface for w in pronouns]
        number = "singular" if _number(clitic) == "sg" else "plural"
        return Flag(
            start=start, end=end, text=context.text[start:end], category=Category.GRAMMAR, severity=Severity.MINOR,
            message=(f"'{clitic.surface}' is {number}, but the original's object pronoun is not "
                     f"('{', '.join(english)}')"),
            detector=self.name,
            evidence={"reference_id": alignment.reference.id, "original_pronouns": ", ".join(english),
                      "reference": alignment.rendered_text(rendering)},
            suggestion=other + rest if other else "",
            confidence=0.6, segment_index=rendering.segment_indices[0],
        )


def _number(word: TaggedWord) -> str | None:
    return "pl" if "pl" in word.tags else "sg" if "sg" in word.tags else None


def _object_clitic(words: list[TaggedWord], i: int) -> bool:
    word = words[i]
    if not word.has("prn", "pro", "p3") or word.surface.lower() not in _OTHER_NUMBER or _number(word) is None:
        return False
    following = words[i + 1] if i + 1 < len(words) else None
    return not (following and following.lemma == "être")
