"""English left untranslated in the French text."""

from __future__ import annotations

from typing import ClassVar

import re
from dataclasses import dataclass, field

from ..lang import english, french
from ..lang.english import NOT_FRENCH
from ..lang.grammalecte import french_spellchecker
from ..types import Category, Flag, Severity
from .base import BaseDetector, DetectionContext, Need

# A word: letters (accented ones too, so that "c'est-à-dire" is one word, not "c'est-" and
# "dire"), with apostrophes and hyphens only between letters.
_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# A name spelt with a lower-case prefix ("xAI", "iPhone", "eBay"); a longer lower-case start
# before a capital is words glued together ("inchesProfessional"), English all the same.
_MIXED_CASE_NAME = re.compile(r"[a-z]{1,2}[A-Z]")
# French nouns that introduce a name in apposition, as technical French names a file, a
# command or a setting: "le fichier control", "la commande groups", "la priorité optional".
# The English word after one is the thing's name, copied as the original writes it.
# (Not "paquet", "logiciel" or "module": "le paquet lightweight" is "the lightweight package"
# left in English.)
_NAMING_NOUNS = frozenset({
    "fichier", "commande", "programme", "option", "format", "priorité", "version", "distribution",
    "répertoire", "dossier", "script", "champ", "utilitaire", "balise", "attribut", "extension", "démon",
    "paramètre", "argument", "mot-clé", "macro", "archive",
})
_GLUED = re.compile(r"[^\W\d_][A-Z]")
_NAMING_NOUN_BEFORE = re.compile(r"([^\W\d_]+(?:-[^\W\d_]+)?)\s+$")


@dataclass
class UntranslatedDetector(BaseDetector):
    """Flags runs of English words in the French.

    A word counts as English when it is an English function word that French does not
    have ("the", "with", "your"), or, when a French spelling dictionary is available
    (Grammalecte's), when it is copied from the English references, is not French and is
    English (:func:`~mtcheck.lang.english.is_english_word`): identifiers ("dpkg", "amd64")
    and the words of code ("dh_make") are copied as they should be.
    """

    min_run: int = 2
    name: str = field(default="untranslated", init=False)
    needs: ClassVar[frozenset[Need]] = frozenset({Need.REFERENCES})

    def __post_init__(self) -> None:
        self._is_french = french_spellchecker()
        if self._is_french is not None:
            english.require_english_words()

    def detect(self, context: DetectionContext) -> list[Flag]:
        copied = {w.lower() for ref in context.references for w in _TOKEN.findall(ref.text)}
        # Links, handles and embed residue are not prose: the residue detector reports them.
        skipped = french.not_prose_spans(context)
        flags = []
        for seg in context.segments:
            tokens = [(m.start() + seg.start, m.end() + seg.start, m.group()) for m in _TOKEN.finditer(seg.text)]
            tokens = [t for t in tokens if not skipped.holds(t[0])]
            run: list[tuple[int, int, str]] = []
            for token in tokens + [(0, 0, "")]:
                if run and token[2] and context.text[run[-1][1] : token[0]].strip(" -:,"):
                    # Not next to the run (a bracket, a full stop between): the run ends, and
                    # this word is judged as one that starts a run.
                    run = self._close(context, seg.index, run, flags)
                # A name its context gives does not start a run; asked only of words that would.
                if token[2] and self._english(token[2], copied, bool(run)) and (
                        run or not _named(context.text, token[0], token[2])):
                    run.append(token)
                else:
                    run = self._close(context, seg.index, run, flags)
        return flags

    def _english(self, word: str, copied: set[str], extending: bool) -> bool:
        lower = word.lower()
        if lower in NOT_FRENCH:
            return True
        if self._is_french is None or len(word) < 3:
            return False
        # A run starts on an English function word or on a word copied from the references;
        # next to one, any word the French dictionary does not know extends it.
        if not extending and (lower not in copied or word[0].isupper() or _MIXED_CASE_NAME.match(word)):
            return False  # a capitalised ("Nvidia") or mixed-case ("xAI", "iPhone") word copied from the original is a name
        # Grammalecte's dictionary knows "c’est-à-dire" but not "c'est-à-dire", and no word with
        # an elided article or pronoun in front ("l’homme", "qu’il").
        typographic = word.replace("'", "’")
        if any(map(self._is_french, {word, lower, typographic, french.without_elision(typographic)})):
            return False
        # A run starts on English, not on an identifier copied from the original ("dpkg",
        # "amd64"): in technical French such copies are right, and a name is not English either.
        return extending or english.is_english_word(word)

    def _close(self, context: DetectionContext, segment_index: int, run: list, flags: list) -> list:
        if len(run) >= self.min_run or (run and self._is_french is not None and run[0][2].lower() not in NOT_FRENCH):
            start, end = run[0][0], run[-1][1]
            flags.append(Flag(
                start=start, end=end, text=context.text[start:end], category=Category.MISTRANSLATION,
                severity=Severity.MAJOR, message="English left untranslated", detector=self.name,
                suggestion="translate into French", confidence=0.7, segment_index=segment_index,
            ))
        return []


def _named(text: str, start: int, word: str) -> bool:
    """Whether ``word``, at ``start``, is a name its context gives rather than English to
    translate: a file's extension (".deb", "*.commands"), a command-line option ("--install",
    "-v"), or a name after a noun that introduces one ("le fichier changelog", "la priorité
    optional"). Not where a dot or hyphen joins it to what comes before ("3-year-old",
    "Friedrich.About": a missing space), nor a word glued to another ("magnificationDigital")."""
    before = text[max(0, start - 2):start]
    if before[-1:] in (".", "-"):
        return word.islower() and (len(before) < 2 or before[0].isspace() or before == "--"
                                   or (before[1] == "." and before[0] in "«\"'(*"))
    if _GLUED.search(word):
        return False
    noun = _NAMING_NOUN_BEFORE.search(text, max(0, start - 40), start)
    return noun is not None and "-".join(part.removesuffix("s") for part in noun.group(1).lower().split("-")) \
        in _NAMING_NOUNS
