"""A conjugated verb after laisser, faire or a verb of perception and its object.

French puts the infinitive there: "laisser les systèmes rester dans les entrepôts", "voir
les prix baisser". Machine translation of English "leave X sitting idle" or "let X do"
sometimes conjugates the verb instead, so it reads as a second clause with no link: "ne pas
laisser les Patriotes se mettent au chômage", "laisser d'autres systèmes se décharge dans
les entrepôts". Grammalecte's rules do not cover it. The flag covers the last noun phrase of
the object and the verb ("les Patriotes se mettent"); the suggestion is the infinitive.

Left alone, because French allows a conjugated verb there: an infinitive that is itself the
subject ("Faire les courses prend du temps"), a verb inside a relative clause ("Ceux qui font
la loi décident"), and être or avoir, which follow an infinitive subject ("Voir les enfants
est un plaisir"). On the WMT20 QE en-fr development data it finds one pair (annotated); on
the Debian documentation's human French, none.
"""

from __future__ import annotations

from typing import ClassVar

import re
from dataclasses import dataclass, field

from ..lang import french, tags
from ..lang.grammalecte import every_reading, require_lemmas, require_word_classes
from ..types import Category, Flag, Severity
from .base import BaseDetector, DetectionContext, Need

# Words that join two parts of one noun phrase ("des systèmes comme Patriot et d'autres").
_JOINERS = frozenset({"et", "ou", "comme"})
_CLITICS = frozenset({"se", "ne"})
_REFLEXIVE = frozenset({"se"})
# "s’" and "n’" are glued to the verb they precede ("s’enfuient").
_ELIDED_CLITIC = re.compile(r"(?i)^[sn]['’](?=\w)")
# Words before the causative verb that make it part of a relative clause, whose own verb
# may legitimately follow the object.
_RELATIVES = frozenset({"qui", "que", "qu", "où", "dont", "lequel", "laquelle", "lesquels", "lesquelles"})
_PRONOUNS = frozenset({"ne", "n", "se", "s", "me", "m", "te", "t", "nous", "vous", "le", "la", "les", "l", "lui",
                       "leur", "y", "en"})
# Copulas and auxiliaries follow an infinitive used as subject ("Voir les enfants est…").
_AUXILIARIES = frozenset({"être", "avoir"})
_MAX_OBJECT_WORDS = 10


@dataclass
class CausativeInfinitiveDetector(BaseDetector):
    """Flags "laisser / faire / voir … + object + conjugated verb", where French needs an infinitive."""

    name: str = field(default="causative-infinitive", init=False)
    needs: ClassVar[frozenset[Need]] = frozenset({Need.GRAMMALECTE})

    def __post_init__(self) -> None:
        self._classes = require_word_classes(self.name)
        self._lemmas = require_lemmas(self.name)

    def detect(self, context: DetectionContext) -> list[Flag]:
        flags = []
        for seg in context.segments:
            tokens = list(french.WORD_OR_MARK.finditer(seg.text))
            words = [t.group() for t in tokens]
            for i, word in enumerate(words):
                if not self._causative(words, i):
                    continue
                found = self._object_and_verb(words, i + 1)
                if found is None:
                    continue
                phrase, verb, elided = found
                conjugated = words[verb][elided:]
                start, end = seg.start + tokens[phrase].start(), seg.start + tokens[verb].end()
                verb_start = seg.start + tokens[verb].start() + elided
                infinitive = self._infinitive_of(conjugated)
                flags.append(Flag(
                    start=start, end=end, text=context.text[start:end], category=Category.GRAMMAR,
                    severity=Severity.MAJOR,
                    message=(f"after '{word}' and its object French needs the infinitive"
                             f"{f' {infinitive!r}' if infinitive else ''}, not the conjugated '{conjugated}'"),
                    detector=self.name, evidence={"verb": word, "conjugated": conjugated},
                    suggestion=context.text[start:verb_start] + infinitive if infinitive else "use the infinitive",
                    confidence=0.7, segment_index=seg.index,
                ))
        return flags

    def _causative(self, words: list[str], i: int) -> bool:
        word = words[i]
        if not word.islower() or not (self._lemmas(word) & french.CAUSATIVE_VERBS):
            return False
        if not any(tag.startswith(":V") for tag in self._classes(word)):
            return False
        if i > 0 and self._any(words[i - 1], tags.determiner) and self._any(word, tags.noun):
            return False  # "la vue de", "le fait que": a noun
        before = i - 1
        while before >= 0 and french.without_elision(words[before]).lower() in _PRONOUNS:
            before -= 1
        if before < 0 or not french.WORD.fullmatch(words[before]):
            # An infinitive opening the sentence or a clause may be the subject
            # ("Faire les courses prend du temps").
            return not self._any(word, tags.infinitive)
        previous = words[before]
        relative = french.without_elision(previous).lower() in _RELATIVES
        return not (relative or previous.lower().startswith(("qu’", "qu'")))

    def _object_and_verb(self, words: list[str], j: int) -> tuple[int, int, int] | None:
        """Token indices of the object's last noun phrase and of the conjugated verb, and how many
        characters of an elided clitic ("s’", "n’") the verb's token starts with; None if there is none."""
        if j >= len(words) or not self._starts_phrase(words[j]):
            return None
        last_phrase, nouns = j, 0
        if not _elided(words[j]):
            j += 1
        while j < len(words) and j - last_phrase < _MAX_OBJECT_WORDS:
            word = words[j]
            if word in _JOINERS and j + 1 < len(words) and (
                    self._starts_phrase(words[j + 1]) or _name(words[j + 1])):
                j += 1
                last_phrase = j
                if self._starts_phrase(words[j]) and not _elided(words[j]):
                    j += 1
                continue
            stem = french.without_elision(word)
            if self._only(stem, tags.nominal) or _name(stem):
                nouns += 1
                j += 1
                continue
            break
        if not nouns or j >= len(words):
            return None
        reflexive = False
        if words[j] in _CLITICS:
            reflexive = words[j] in _REFLEXIVE
            j += 1
        if j >= len(words):
            return None
        clitic = _ELIDED_CLITIC.match(words[j])
        elided = clitic.end() if clitic else 0
        reflexive = reflexive or bool(clitic and clitic.group()[0].lower() == "s")
        verb = words[j][elided:]
        if not verb.islower() or self._lemmas(verb) & _AUXILIARIES:
            return None
        if reflexive:
            # After "se" a noun reading is impossible ("se décharge"), so a finite reading is enough.
            finite = self._any(verb, tags.finite) and not self._any(verb, tags.non_finite)
        else:
            finite = self._only(verb, tags.finite)
        return (last_phrase, j, elided) if finite else None

    def _starts_phrase(self, word: str) -> bool:
        # A bare "de" is more often a preposition ("en vue de MPB") than a partitive article.
        return _elided(word) or (word.lower() != "de" and self._any(word, tags.determiner))

    def _infinitive_of(self, word: str) -> str:
        verbs = [lemma for lemma in self._lemmas(word) if self._any(lemma, tags.infinitive)]
        return verbs[0] if len(verbs) == 1 else ""

    def _any(self, word: str, test) -> bool:
        return any(test(tag) for tag in self._classes(word))

    def _only(self, word: str, test) -> bool:
        return every_reading(self._classes, word, test)


def _elided(word: str) -> bool:
    """An elided article ("l’", "d’") glued to the next word: "d’autres", "l’armée"."""
    return bool(re.match(r"(?i)^[dl]['’]\w", word))


def _name(word: str) -> bool:
    """A capitalised name or an acronym ("Patriot", "ATACMS")."""
    return word[:1].isupper() and (word[1:].islower() or word.isupper())

