"""Names from the original that the French inflects like a common noun ("les Patriotes") or
garbles ("Karine Jean-Sal" for "Karine Jean-Pierre").

French leaves proper names invariable: "les systèmes Patriot", "deux Airbus", "les Dupont".
When machine translation reads a name as a word ("Patriot" as "patriote"), it adds the
French plural ending and the name turns into something else: "les Patriotes" are patriots,
not air-defence systems. A name is a word the references capitalise in the middle of a
sentence; a French word capitalised in the middle of a sentence that is such a name plus "s"
or "es", while the references never write it so, is flagged. A name plus "e" is not: French
spells many names so ("le Pentagone", "la Hollande"). Title-case product headings ("Tent" /
"Tentes autoportantes") are left alone because both words open their line. On the 1,268
WMT20 QE en-fr development documents it flags two words; on the Debian documentation's
human French, none.

A person's name is copied, not translated: where the French has the first word of a name of
the references ("Karine") followed by a capitalised word that is neither the word the
references follow it with ("Jean-Pierre") nor a spelling of it ("Zelenski" for "Zelensky"),
nor a name the references have elsewhere, the name has been garbled. Names whose first word
French translates ("White House", "United States") never match. On the WMT20 documents this
check flags 53 pairs, mostly product names partly translated ("Manduka Noir" for "Manduka
Black"; 26 words of documents 1–300, precision 0.65)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from re import Match
from typing import ClassVar

from ..lang import french
from ..types import Category, Flag, Severity
from .base import BaseDetector, DetectionContext, Need

# The plural endings only: a name plus "e" is as often the name's own French spelling ("le
# Pentagone" for "the Pentagon", "la Hollande"), which the dev data flagged at precision 0.20.
_ENDINGS = ("es", "s")
# How alike (difflib's ratio, accents and case aside) a word must be to the references' to be
# a spelling of it rather than another word: "Zelenski"/"Zelensky" 0.88, "Jean-Sal"/"Jean-Pierre" 0.63.
_SPELLING_VARIANT = 0.75


@dataclass
class NameInflectionDetector(BaseDetector):
    """Flags names of the original given a French plural ending."""

    min_length: int = 3
    name: str = field(default="names", init=False)
    needs: ClassVar[frozenset[Need]] = frozenset({Need.REFERENCES})

    def detect(self, context: DetectionContext) -> list[Flag]:
        names = self._names(reference.text for reference in context.references)
        flags = []
        for seg in context.segments if names else ():
            for word in _mid_sentence_capitalised(seg.text):
                inflected = word.group()
                if inflected in names:
                    continue
                original = next((inflected[: -len(e)] for e in _ENDINGS
                                 if inflected.endswith(e) and inflected[: -len(e)] in names), None)
                if original is None:
                    continue
                flags.append(self._flag(
                    context, seg.index, seg.start + word.start(), seg.start + word.end(), original,
                    f"the original's name '{original}' is inflected like a French word ('{inflected}'); "
                    "names stay invariable in French"))
        flags.extend(self._garbled(context))
        return flags

    def _garbled(self, context: DetectionContext) -> Iterator[Flag]:
        """Full names of the references whose second word the French has replaced."""
        follows = _name_pairs(reference.text for reference in context.references)
        if not follows:
            return
        everywhere = {_plain(w) for reference in context.references for w in _capitalised_words(reference.text)}
        for seg in context.segments:
            words = list(french.WORD.finditer(seg.text))
            for first, second in zip(words, words[1:]):
                expected = follows.get(first.group())
                found = second.group()
                if (not expected or len(first.group()) < self.min_length or not _adjacent(seg.text, first, second)
                        or not found[:1].isupper() or _plain(found) in everywhere
                        or any(_alike(found, name) for name in expected)):
                    continue
                full = f"{first.group()} {sorted(expected)[0]}"
                yield self._flag(context, seg.index, seg.start + first.start(), seg.start + second.end(), full,
                                 f"the original names '{full}'; the French has '{first.group()} {found}', "
                                 "which is not that name: names are copied, not translated")

    def _flag(self, context: DetectionContext, segment_index: int, start: int, end: int, name: str,
              message: str) -> Flag:
        """A name of the original changed by the French: a mistranslation, fixed by the name."""
        return Flag(start=start, end=end, text=context.text[start:end], category=Category.MISTRANSLATION,
                    severity=Severity.MAJOR, message=message, detector=self.name, evidence={"name": name},
                    suggestion=name, confidence=0.7, segment_index=segment_index)

    def _names(self, texts) -> set[str]:
        return {m.group() for text in texts for m in _mid_sentence_capitalised(text) if len(m.group()) >= self.min_length}


def _name_pairs(texts: Iterable[str]) -> dict[str, set[str]]:
    """First word → the words that follow it in the names of ``texts``: two capitalised words
    next to each other, neither all capitals (an acronym) and the second without an English
    possessive ("Zelenskyy's" → "Zelenskyy")."""
    follows: dict[str, set[str]] = {}
    for text in texts:
        words = list(french.WORD.finditer(text))
        for first, second in zip(words, words[1:]):
            a, b = first.group(), _without_possessive(second.group())
            if _is_name_word(a) and _is_name_word(b) and _adjacent(text, first, second):
                follows.setdefault(a, set()).add(b)
    return follows


def _capitalised_words(text: str) -> Iterator[str]:
    for word in french.WORD.finditer(text):
        if word.group()[:1].isupper():
            yield _without_possessive(word.group())


def _is_name_word(word: str) -> bool:
    """Capitalised, not an acronym, and every part of it capitalised ("Jean-Pierre", not
    "Angeles-based": the name is the part before)."""
    return (len(word) > 1 and not word.isupper()
            and all(part[:1].isupper() for part in word.replace("’", "-").replace("'", "-").split("-")))


def _without_possessive(word: str) -> str:
    for ending in ("'s", "’s"):
        if word.endswith(ending):
            return word[: -len(ending)]
    return word


def _adjacent(text: str, first: Match[str], second: Match[str]) -> bool:
    return text[first.end() : second.start()] == " "


def _plain(word: str) -> str:
    """Lower case without accents: "Zélensky" and "zelensky" are one spelling."""
    return "".join(c for c in unicodedata.normalize("NFD", word.casefold()) if not unicodedata.combining(c))


def _alike(word: str, name: str) -> bool:
    return SequenceMatcher(None, _plain(word), _plain(name)).ratio() >= _SPELLING_VARIANT


def _mid_sentence_capitalised(text: str):
    """Capitalised words that follow a lower-case word across nothing but spaces."""
    previous = None
    for match in french.WORD.finditer(text):
        word = match.group()
        if (previous is not None and word[:1].isupper() and previous.group().islower()
                and not text[previous.end() : match.start()].strip()):
            yield match
        previous = match
