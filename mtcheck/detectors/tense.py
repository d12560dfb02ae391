"""A French past where the original is in the present ("l'attaque n'a pas été menée" for "strikes are not carried out").

Machine translation from a language that does not mark tense (Indonesian, Malay, Chinese)
guesses it, and a general statement in the present comes out as a past event. Apertium's
taggers give the tense of every finite verb of a reference and of the French that renders
it. Where all the English ones are in the present and all the French ones in the past
(passé composé with avoir, imparfait, passé simple), the French verb groups are flagged.
The reverse is not: French narrates past events in the present ("En 1925, Golomb conçoit").
Anything that makes the comparison unsure skips the pair: a modal or future ("will",
"must", "can"), a French "être" + participle (a present passive or a passé composé), and a
rendering with no finite verb. An English present perfect counts as a past ("has
garnered awards" is "a remporté des prix"), and a French verb form the tagger may have misread
is left out: the first or second person with no "je", "nous", "vous" before it ("quatre vis",
"trois pièces avions"), and a passé simple that is also the present ("fournit"). On all 1,268
documents of the WMT20 QE en-fr development data 8 of the 21 words it flags are annotated
errors (0.38, base rate 0.22; before those two guards, 0.19 of 42 words); on the Debian
documentation's human French it flags nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..lang.french import QUOTATION_MARKS, quoted_spans
from ..lang.tagging import TaggedWord
from ..types import Category, Flag, Severity
from .base import DetectionContext
from .tagged_pairs import TaggedPair, TaggedPairsDetector

_UNSURE = "unsure"
# The marks quoted_spans reads, and the straight quote of English text.
_QUOTATION_MARKS = QUOTATION_MARKS + '"'


@dataclass
class TenseDetector(TaggedPairsDetector):
    """Flags French verbs in the past where the original is in the present."""

    name: ClassVar[str] = "tense"

    def detect(self, context: DetectionContext) -> list[Flag]:
        flags = []
        for pair in self.pairs(context):
            original, groups = _english_tenses(pair.english), _french_groups(pair.french)
            quoted = _quoted_parts(context, pair)
            if quoted:
                # The reference is the quote: the French verb that reports it ("a salué « … »")
                # has no counterpart in it.
                groups = [(tense, words) for tense, words in groups
                          if any(s <= words[0].start and words[-1].end <= e for s, e in quoted)]
            french = {tense for tense, _ in groups}
            # Only past for present: French narrates the past in the present too ("En 1925,
            # Golomb conçoit…"), so a present for the original's past is no error of itself.
            if original == {"present"} and french == {"past"}:
                flags += [self._flag(context, pair, words, tense, "present") for tense, words in groups]
        return flags

    def _flag(self, context: DetectionContext, pair: TaggedPair, words: list[TaggedWord], tense: str,
              original: str) -> Flag:
        start, end = pair.rendering.start + words[0].start, pair.rendering.start + words[-1].end
        verbs = [w.surface for w in pair.english if w.is_verb]
        return Flag(
            start=start, end=end, text=context.text[start:end], category=Category.MISTRANSLATION,
            severity=Severity.MINOR,
            message=f"the French is in the {tense}, the original in the {original} ('{' '.join(verbs)}')",
            detector=self.name,
            evidence={"reference_id": pair.alignment.reference.id,
                      "reference": pair.alignment.rendered_text(pair.rendering),
                      "original_tense": original, "french_tense": tense},
            suggestion=f"put the verb in the {original}, as the original",
            confidence=0.55, segment_index=pair.rendering.segment_indices[0],
        )


def _quoted_parts(context: DetectionContext, pair: TaggedPair) -> list[tuple[int, int]]:
    """The rendering's quoted spans, when its reference is the quote alone (a speaker's words,
    or a text with no quotation marks of its own); else none."""
    reference = pair.alignment.reference
    if not reference.speaker and any(mark in reference.text for mark in _QUOTATION_MARKS):
        return []
    return quoted_spans(context.text[pair.rendering.start : pair.rendering.end])


def _english_tenses(words: list[TaggedWord]) -> set[str]:
    tenses = set()
    for i, word in enumerate(words):
        if word.kind in ("vaux", "vbmod"):
            tenses.add(_UNSURE)  # will, would, can, must…
        elif _perfect(word, words[i + 1 : i + 3]):
            tenses.add("past")
        elif word.is_verb and "past" in word.tags:
            tenses.add("past")
        elif word.is_verb and ("pres" in word.tags or "pri" in word.tags):
            tenses.add("present")
    return tenses


def _perfect(word: TaggedWord, following: list[TaggedWord]) -> bool:
    """A present perfect ("has garnered", "you've put", "it's also been"), which French renders
    with a passé composé. The tagger reads "have" as a lexical verb before a word it does not
    know, "you've" as one pronoun with a "have" tag, and "'s" before "been" as "is"."""
    if not ("pres" in word.tags or "pri" in word.tags):
        return False
    if word.kind == "vbhaver" or "vbhaver" in word.tags or word.lemma.lower() == "have":
        return any("pp" in w.tags or "past" in w.tags or (not w.kind and w.surface.endswith("ed")) for w in following)
    return "vbser" in word.tags and any(w.surface.lower() == "been" for w in following)


# The subject pronouns of the first and second persons, by person and number.
_SUBJECTS = {("p1", "sg"): ("je", "j’", "j'"), ("p2", "sg"): ("tu",), ("p1", "pl"): ("nous",), ("p2", "pl"): ("vous",)}


def _has_subject(words: list[TaggedWord], i: int) -> bool:
    """False for a verb in the first or second person with no such subject pronoun just before it."""
    person = next((p for p in ("p1", "p2") if p in words[i].tags), None)
    if person is None:
        return True
    number = "pl" if "pl" in words[i].tags else "sg"
    pronouns = _SUBJECTS[(person, number)]
    return any(w.surface.lower() in pronouns for w in words[max(0, i - 4) : i])


def _french_groups(words: list[TaggedWord]) -> list[tuple[str, list[TaggedWord]]]:
    """Each finite verb's tense and its group: a "ne" before it, adverbs and participles after it."""
    groups = []
    for i, word in enumerate(words):
        if not word.is_verb or not any(t in word.tags for t in ("pri", "prs", "pii", "ifi", "fti", "cni")):
            continue
        if not word.surface[:1].islower():
            continue  # "USA" read as "user": a name the tagger took for a verb
        if not _has_subject(words, i):
            continue  # "quatre vis", "trois pièces avions": a noun the tagger took for "je vis", "nous avions"
        group = [word]
        for following in words[i + 1 : i + 5]:
            if following.kind == "adv" or "pp" in following.tags:
                group.append(following)
            else:
                break
        while group[-1].kind == "adv":
            group.pop()
        if i > 0 and words[i - 1].surface.lower() in ("ne", "n’", "n'"):
            group.insert(0, words[i - 1])
        participle = any("pp" in w.tags for w in group[1:])
        if "ifi" in word.tags and "p3" in word.tags and word.surface.lower().endswith("it"):
            tense = _UNSURE  # "fournit", "dit": the passé simple of these verbs is also their present
        elif "pii" in word.tags or "ifi" in word.tags or (word.kind == "vbhaver" and participle):
            tense = "past"
        elif word.kind == "vbser" and participle:
            tense = _UNSURE  # a present passive or a passé composé
        elif "pri" in word.tags or "prs" in word.tags:
            tense = "present"
        else:
            tense = _UNSURE  # future, conditional
        groups.append((tense, group))
    return groups
