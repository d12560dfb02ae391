"""Fixes for a misspelt French word: the dictionary's words one slip away, likeliest first, then
Grammalecte's own guesses.

Grammalecte's suggester ranks by its own phonetic and n-gram measures and often misses the word
one typing slip away: for "batrait" (in "il se batrait") it offers "dataient", "bat rait",
"datait", not "battrait". Many words machine translation misspells are such slips of a real
word. pyspellchecker (Norvig's edit-distance corrector, with a French word-frequency list from
OpenSubtitles) gives every string one insertion, deletion, substitution or swap away and how
common each word is; Grammalecte's dictionary, the one the spelling detector flags by, decides
which of them are French.

On 774 single-slip typos of the words of ``tests/data/professional`` (a dropped accent, a
doubled or undoubled letter, a swap, a letter inserted, dropped or replaced;
``benchmarks/corrections.py``), the first fix offered was the word in 52% of cases with
Grammalecte's suggestions alone and in 91% with the words one slip away first (among the first
three: 70% and 99%). Only an undoubled letter fares worse first (86% against 100%: a more
common word is one slip away too), never among three. A word invented whole ("rebondisseur")
has no French word one slip away, and keeps Grammalecte's guesses.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from ..errors import ConfigError

if TYPE_CHECKING:
    from spellchecker import SpellChecker


def pyspellchecker_version(missing: str) -> str:
    """pyspellchecker's name and version; ConfigError(``missing``), which should say what to
    install, where it is not installed (an install made with ``--no-deps``)."""
    try:
        import spellchecker
    except ImportError:
        raise ConfigError(missing) from None
    return f"pyspellchecker-{spellchecker.__version__}"


def corrections_version() -> str:
    """Names what ranks the corrections, for the run signature (a new word list, other fixes);
    a ConfigError that says what to install where pyspellchecker is missing."""
    return pyspellchecker_version("the spelling detector needs pyspellchecker, which ranks its fixes: pip install "
                                  "pyspellchecker (or leave the detector out: --detectors without spelling)")


def french_corrections(is_french: Callable[[str], bool],
                       suggest: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    """``corrections(word)``: the French words (by ``is_french``) one slip away from ``word``,
    the most common first, then the rest of ``suggest(word)`` (Grammalecte's, best first)."""

    def corrections(word: str) -> list[str]:
        guessed = suggest(word)
        rank = {s: n for n, s in enumerate(guessed)}
        words = _frequencies()
        near = sorted({w for w in words.edit_distance_1(word) if is_french(w)},
                      key=lambda w: (-words.word_usage_frequency(w), rank.get(w, len(rank)), w))
        return near + [s for s in guessed if s not in near]

    return corrections


@cache  # the French word list takes a tenth of a second to read: once a process, when a word needs it
def _frequencies() -> SpellChecker:
    from spellchecker import SpellChecker

    return SpellChecker(language="fr", distance=1)
