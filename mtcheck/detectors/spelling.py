"""Words no French dictionary knows: forms that machine translation invents.

An engine that meets a word it cannot translate well sometimes builds a French-looking one:
"une source connaissante" (for "familiar"), "rebondisseur", "hivérisation". Grammalecte's
dictionary does not know them. The fix offered is the French words one slip away, the most
common first, then Grammalecte's own suggestions (see :mod:`mtcheck.lang.corrections`). Names,
acronyms and title-case words (capitalised), English copied from the original (the
untranslated detector's business), links and handles are left alone. On the WMT20 QE en-fr
development data (documents 1–300), 55–64% of the words it flags lie inside an annotated
error (base rate 22.5%; the range depends on which other detectors' flags it merges with, and
on compounds the dictionary knows whole, "start-up", no longer flagged). On the Debian
documentation in data/corpora it flags 0.19 words per 100
in the human French (lower-case program names such as "gzip", a typo, jokes like
"automagiquement") and 4.9 per 100 in Apertium's French of the same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from ..engines.cache import TranslationCache, cached_analyses
from ..lang import french
from ..lang.corrections import corrections_version, french_corrections
from ..lang.english import NOT_FRENCH
from ..lang.grammalecte import dictionary_missing, french_spellchecker, french_suggestions, grammalecte_version
from ..types import Category, Flag, Severity
from .base import BaseDetector, DetectionContext, Need

# The letters French writes; a word with any other ("cítricas", "enojado") is of another language.
_FRENCH_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzàâæçéèêëîïôœùûüÿ")
# How alike a dictionary suggestion and the word must be (difflib's ratio) to be offered as
# the fix: farther ones ("starisasse" for "cítricas", "Avogadro" for "enojados") are noise.
_NEAR = 0.6

# A word touching one of these is part of a path, an identifier or an address.
_CODE_NEIGHBOURS = frozenset("/_\\@#.=<>[]{}|~")


def fixes_offered(word: str, suggestions: Sequence[str]) -> list[str]:
    """The first three of ``suggestions`` close enough to ``word`` to be its fix."""
    return [s for s in suggestions if SequenceMatcher(None, word, s).ratio() >= _NEAR][:3]


@dataclass
class SpellingDetector(BaseDetector):
    """Flags lower-case words that Grammalecte's French dictionary does not know."""

    min_length: int = 4
    name: str = field(default="spelling", init=False)
    needs: ClassVar[frozenset[Need]] = frozenset({Need.GRAMMALECTE, Need.REFERENCES, Need.CACHE})
    # Grammalecte's suggestions take a third of a second a word; the Checker's store keeps them.
    cache: TranslationCache | None = None

    def __post_init__(self) -> None:
        self._is_french = french_spellchecker()
        suggest = french_suggestions()
        if self._is_french is None or suggest is None:
            raise dictionary_missing(self.name)
        self._suggest = french_corrections(self._is_french, suggest)
        self._corrections = corrections_version()
        self._signature = f"grammalecte-suggest|{grammalecte_version()}|{self._corrections}"

    def options(self) -> dict[str, Any]:
        # The fixes it offers change with the word list that ranks them: a new one is a new run.
        return {**super().options(), "corrections": self._corrections}

    def detect(self, context: DetectionContext) -> list[Flag]:
        copied = {w.lower() for ref in context.references for w in french.WORD.findall(ref.text)}
        skipped = french.not_prose_spans(context)
        unknown = []  # (segment, start, end, word), to ask for every suggestion at once
        for seg in context.segments:
            for match in french.WORD.finditer(seg.text):
                start, end = seg.start + match.start(), seg.start + match.end()
                if skipped.holds(start) or self._in_code(context.text, start, end):
                    continue
                word = french.ELISION.sub("", match.group())
                if self._known(word, copied):
                    continue
                unknown.append((seg, start, end, word))
        suggestions = cached_analyses(self.cache, self._signature,
                                      [w for *_, w in unknown if not self._foreign(w)], self._suggest)
        flags = []
        for seg, start, end, word in unknown:
            foreign = self._foreign(word)
            if foreign:
                # A word of another language (the pivot's, in a chained engine): what the
                # dictionary finds near it is no fix.
                message = (f"'{word}' is not a French word: {', '.join(foreign)} is no French letter, so a word "
                           "of another language was left in")
                suggestion = f"translate '{word}'"
            else:
                message = f"'{word}' is not a French word (not in Grammalecte's dictionary)"
                near = fixes_offered(word, suggestions[word])
                suggestion = " or ".join(near) if near else "check the word against the original"
            flags.append(Flag(
                start=start, end=end, text=context.text[start:end], category=Category.FLUENCY,
                severity=Severity.MAJOR, message=message,
                detector=self.name, evidence={"dictionary": "Grammalecte"},
                suggestion=suggestion, confidence=0.6, segment_index=seg.index,
            ))
        return flags

    @staticmethod
    def _foreign(word: str) -> list[str]:
        """The letters of ``word`` that French does not write."""
        return sorted({c for c in word.lower() if c.isalpha() and c not in _FRENCH_LETTERS})

    def _known(self, word: str, copied: set[str]) -> bool:
        if len(word) < self.min_length or not word[0].islower() or word.lower() in copied or word in NOT_FRENCH:
            return True
        # "oeil" for "œil" is a keyboard's spelling, not an invented word.
        variants = {word, word.replace("oe", "œ"), word.replace("'", "’"), word.replace("’", "'")}
        # The dictionary knows some compounds whole ("start-up", "week-end") and not their parts.
        return any(self._is_french(v) or all(self._is_french(part) for part in v.split("-") if part) for v in variants)

    @staticmethod
    def _in_code(text: str, start: int, end: int) -> bool:
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        return before in _CODE_NEIGHBOURS or (after in _CODE_NEIGHBOURS - {"."}) or (
            after == "." and end + 1 < len(text) and text[end + 1].isalnum())
