"""Agreement of determiners and adjectives with their noun.

English has no gender to carry over, so machine translation picks one for a determiner or
adjective without looking at the noun it goes with: "de tels attaques", "un source", "meilleur
qualité". Grammalecte's dictionary gives each word's readings with their gender; a pair is
flagged only when every modifier reading of the first word has one gender, every reading of
the noun the other, and neither can be read otherwise (a pronoun before a verb, "la
transmettre"; "est", a noun and a verb). On the WMT20 QE en-fr development data, 83% of the
pairs it flags touch an annotated error (documents 1–600) and 57% of the words it flags are
inside one (documents 1–300, base rate 22.5%); on the Debian documentation's human French it
flags one pair in 5,800 words.

It also checks an adjective after its noun, in gender and number, which Grammalecte misses
once a complement stands between them ("une serrure de piston fiables", "le jouet
portatives"): the adjective is flagged when it agrees with neither the noun before it nor,
across "de" / "en" / "à", the noun that one complements. After nouns joined by "et", "ou" or a
comma a plural adjective may agree with them all, and is left alone. On documents 1–300 of the
development data 70% of the 84 adjectives it flags are inside an annotated error (the
detector's word precision rises from 0.57 to 0.64); on the Debian documentation's human French
it flags two, one a real error ("les problèmes lié").

A participle that is also a finite verb, before a bare noun, is the verb of a locution ("fait
suite", "fait partie", "fait face") and is left alone, as is an adjective that agrees with the
noun before an elided complement ("ses taux d’intérêt inchangés"). With both, the detector
flags 141 words on documents 1–300 at precision 0.70.
"""

from __future__ import annotations


from dataclasses import dataclass, field

from ..lang import french, tags
from ..lang.gender import NAMES, OTHER, gender, inflect, number
from ..lang.grammalecte import every_reading
from ..types import Category, Flag, Segment, Severity
from ..lang.words import adjacent_words
from .base import DetectionContext, WordClassDetector

_TRAILING = ".,;:!?»)”"
# The prepositions of a noun's complement ("serrure de piston", "glacières en acier").
_COMPLEMENT = frozenset({"de", "d’", "d'", "du", "des", "en", "à", "au", "aux"})
_ELIDED_COMPLEMENT = ("d’", "d'")
_JOINED = frozenset({"et", "ou", ","})
# "une fois" opens a clause of its own: "une fois installé, le paquet…".
_ADVERBIAL_NOUNS = frozenset({"fois"})


@dataclass
class AgreementDetector(WordClassDetector):
    """Flags a determiner or adjective whose gender contradicts the noun that follows it, and an
    adjective that agrees with no noun before it."""

    name: str = field(default="agreement", init=False)

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
            flags += self._adjectives_after_nouns(context, seg)
        return flags

    def _adjectives_after_nouns(self, context: DetectionContext, seg: Segment) -> list[Flag]:
        flags = []
        tokens = list(french.WORD_OR_MARK.finditer(seg.text))
        words = [t.group() for t in tokens]
        for k in range(1, len(words)):
            adjective = words[k]
            if not (adjective.islower() and self._only_adjective(adjective) and self._only_noun(words[k - 1])):
                continue
            if words[k - 1].lower() in _ADVERBIAL_NOUNS:
                continue
            nouns = [k - 1]
            i = k - 2
            if i >= 0 and words[i].lower() not in _COMPLEMENT and any(tags.determiner(t) for t in self._classes(words[i])):
                i -= 1  # "serrure de la tige …"
            if i >= 1 and words[i].lower() in _COMPLEMENT and self._may_be_noun(words[i - 1]):
                nouns.append(i - 1)
            elif k >= 2 and words[k - 1].lower().startswith(_ELIDED_COMPLEMENT) and self._may_be_noun(words[k - 2]):
                nouns.append(k - 2)  # "ses taux d’intérêt inchangés": the "de" is elided onto the complement
            readings = {(gender(t), number(t)) for t in self._classes(adjective) if ":A" in t or ":Q" in t}
            if any(_agree(a, n) for j in nouns for n in self._noun_readings(words[j]) for a in readings):
                continue
            before = words[max(0, min(nouns) - 4) : min(nouns)]
            if any(w in _JOINED for w in before) and all(n == "p" for _, n in readings):
                continue  # "la chaise et la table pliantes" agrees with both nouns
            noun = french.without_elision(words[k - 1])
            wanted = self._noun_readings(words[k - 1])
            fixed = _agreeing_form(adjective, *next(iter(wanted)), self._classes) if len(wanted) == 1 else None
            phrase = seg.text[tokens[min(nouns)].start() : tokens[k - 1].end()]
            start, end = seg.start + tokens[k].start(), seg.start + tokens[k].end()
            flags.append(Flag(
                start=start, end=end, text=context.text[start:end], category=Category.GRAMMAR, severity=Severity.MINOR,
                message=f"'{adjective}' agrees with no noun before it ('{phrase}')",
                detector=self.name, evidence={"modifier": adjective, "noun": phrase},
                suggestion=fixed or f"make '{adjective}' agree with '{noun}'",
                confidence=0.6, segment_index=seg.index,
            ))
        return flags

    def _only_adjective(self, word: str) -> bool:
        return every_reading(self._classes, word, lambda t: ":A" in t or ":Q" in t)

    def _only_noun(self, word: str) -> bool:
        word = french.without_elision(word)
        return word.islower() and every_reading(self._classes, word, tags.noun)

    def _may_be_noun(self, word: str) -> bool:
        """A noun reading, and not être or avoir ("est" is also the east)."""
        word = french.without_elision(word)
        readings = self._classes(word)
        return word.islower() and any(tags.noun(t) for t in readings) and not any(t.startswith(":V0") for t in readings)

    def _noun_readings(self, word: str) -> set[tuple[str | None, str | None]]:
        return {(gender(t), number(t)) for t in self._classes(french.without_elision(word)) if tags.noun(t)}

    def _clash(self, modifier: str, noun: str) -> str | None:
        """The noun's gender when the modifier can only have the other one, else None."""
        modifier_tags = self._classes(modifier)
        if any(":Oo" in t or ":Ov" in t for t in modifier_tags):
            return None  # an object pronoun before a verb
        if any(tags.finite(t) for t in modifier_tags) and all(":Q" in t for t in modifier_tags if ":A" in t):
            # A participle that is also a finite verb, before a bare noun, is the verb of a
            # locution ("fait suite", "fait partie", "fait face"): a participle rarely stands
            # before its noun. On the WMT20 QE dev data such pairs were inside an annotated
            # error 10 words in 26.
            return None
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


def _agree(adjective: tuple[str | None, str | None], noun: tuple[str | None, str | None]) -> bool:
    """Whether readings (gender, number) agree; "e" is either gender, "i" either number."""
    (adjective_gender, adjective_number), (noun_gender, noun_number) = adjective, noun
    genders = adjective_gender in (noun_gender, "e", None) or noun_gender in ("e", None)
    numbers = adjective_number in (noun_number, "i", None) or noun_number in ("i", None)
    return genders and numbers


def _agreeing_form(adjective: str, wanted_gender: str | None, wanted_number: str | None, classes) -> str | None:
    """The adjective in the wanted gender and number ("fiables" → "fiable", "portatives" →
    "portatif"), when a regular ending gives a form the dictionary knows as an adjective."""
    singular = adjective[:-1] if adjective.endswith(("s", "x")) and not adjective.endswith("eux") else adjective
    stems = [singular]
    if wanted_gender in OTHER and (other := inflect(singular, wanted_gender, classes)):
        stems.append(other)
    for candidate in (form for stem in stems for form in (stem, stem + "s", stem + "x")):
        readings = [(gender(t), number(t)) for t in classes(candidate) if ":A" in t]
        if candidate != adjective and any(_agree(r, (wanted_gender, wanted_number)) for r in readings):
            return candidate
    return None


def _finite_third_person(tag: str) -> bool:
    """être/avoir, or a verb form in the third person ("mesure", "montre"): the word may be the verb."""
    return tag.startswith(":V0") or (tag.startswith(":V") and (":3s" in tag or ":3p" in tag))
