"""An infinitive straight after a noun or adjective, where French needs a verb or a preposition.

English lets a verb follow its subject or an adjective directly ("Russian troops gain
ground", "easy to use", "tools to fix"); machine translation sometimes keeps the bare verb and
drops what French needs: "les troupes russes tirer profit", "facile travailler", "outils
mettre". In correct French an infinitive follows a verb, a preposition or a pronoun, starts a
sentence or title, or follows "ne pas"; after a word that can only be a noun or adjective
(optionally with an adverb between, "similaires simplement bloquer"), or a past participle
that a determiner makes a noun ("des alliés renforcer leur soutien"), it is almost always an
error. The exception is the object of laisser, faire or a verb of perception, which French
follows with an infinitive ("ne pas laisser les systèmes Patriot et similaires simplement
bloquer", "on a vu les prix grimper"): an infinitive within a few words of one of those verbs
is left alone. The flag covers the clause a reviewer rewrites: the noun phrase before the infinitive
and a bare object after it ("les troupes russes tirer profit"). On the WMT20 QE en-fr development data (documents 1–600) 88% of the pairs it finds
touch an annotated error (base rate 22.5%); on the Debian documentation's human French it
finds two in 5,800 words.
"""

from __future__ import annotations

from typing import ClassVar

import re
from dataclasses import dataclass, field

from ..lang import french, tags
from ..lang.grammalecte import every_reading, require_lemmas, require_word_classes
from ..types import Category, Flag, Severity
from .base import BaseDetector, DetectionContext, Need

# How far back a causative verb may stand from the infinitive: its object, possibly two noun
# phrases joined by "et" ("laisser les systèmes Patriot et similaires simplement bloquer").
_OBJECT_WORDS = 8


@dataclass
class BareInfinitiveDetector(BaseDetector):
    """Flags a noun or adjective (and adverb) followed directly by an infinitive."""

    name: str = field(default="bare-infinitive", init=False)
    needs: ClassVar[frozenset[Need]] = frozenset({Need.GRAMMALECTE})

    def __post_init__(self) -> None:
        self._classes = require_word_classes(self.name)
        self._lemmas = require_lemmas(self.name)

    def detect(self, context: DetectionContext) -> list[Flag]:
        flags = []
        for seg in context.segments:
            tokens = list(french.WORD_OR_MARK.finditer(seg.text))
            for i, verb in enumerate(tokens[1:], 1):
                if not (verb.group().islower() and self._only(verb.group(), tags.infinitive)):
                    continue
                j = i - 1
                if j > 0 and self._only(tokens[j].group(), tags.adverb):
                    j -= 1
                head = tokens[j].group()
                if not (head.islower() and self._noun_here(tokens, j)):
                    continue
                first, last = self._clause(tokens, j, i)
                if self._object_of_causative(tokens, first):
                    continue
                start, end = seg.start + tokens[first].start(), seg.start + tokens[last].end()
                flags.append(Flag(
                    start=start, end=end, text=context.text[start:end], category=Category.GRAMMAR,
                    severity=Severity.MAJOR,
                    message=(f"the infinitive '{verb.group()}' follows '{head}' directly, as an English verb "
                             "would; French needs a conjugated verb or a preposition here"),
                    detector=self.name, evidence={"infinitive": verb.group(), "after": head},
                    suggestion=f"conjugate '{verb.group()}', or link it with à / de / pour",
                    confidence=0.7, segment_index=seg.index,
                ))
        return flags

    def _noun_here(self, tokens: list[re.Match[str]], j: int) -> bool:
        """Whether the word at ``j`` can only be a noun or an adjective where it stands: every
        reading of it, or, right after a determiner, every reading but a past participle's
        ("des alliés renforcer", "les blessés"; a participle alone may be a verb's, and "a
        laissé passer" is correct French)."""
        word = tokens[j].group()
        if self._only(word, tags.nominal):
            return True
        return j > 0 and self._any(tokens[j - 1].group(), tags.determiner) and self._only(
            word, tags.nominal_or_participle)

    def _clause(self, tokens: list[re.Match[str]], head: int, verb: int) -> tuple[int, int]:
        """Token indices of the noun phrase ending at ``head`` and of the infinitive's bare object."""
        first = head
        while first > 0 and self._only(tokens[first - 1].group(), tags.nominal):
            first -= 1
        if first > 0 and self._any(tokens[first - 1].group(), tags.determiner):
            first -= 1
        last = verb
        following = tokens[verb + 1 : verb + 3]
        if following and self._only(following[0].group(), tags.noun):
            last = verb + 1
        elif len(following) == 2 and self._any(following[0].group(), tags.determiner) and self._any(
                following[1].group(), tags.noun):
            last = verb + 2
        return first, last

    def _object_of_causative(self, tokens: list[re.Match[str]], first: int) -> bool:
        """True when a causative or perception verb shortly before ``first``, in the same
        clause, takes the noun phrase as its object and the infinitive after it."""
        for token in reversed(tokens[max(0, first - _OBJECT_WORDS) : first]):
            word = token.group()
            if not french.WORD.fullmatch(word):
                return False  # punctuation ends the clause
            if self._lemmas(word) & french.CAUSATIVE_VERBS and any(tag.startswith(":V") for tag in self._classes(word)):
                return True
        return False

    def _any(self, word: str, test) -> bool:
        return any(test(tag) for tag in self._classes(word))

    def _only(self, word: str, test) -> bool:
        return every_reading(self._classes, word, test)
