"""Fixes for a misspelt word: the dictionary's words one slip away, the most common first."""

import sys

import pytest
from spellchecker import SpellChecker

from mtcheck.errors import ConfigError
from mtcheck.lang.corrections import corrections_version, french_corrections

FRENCH = {"battrait", "battait", "barrait", "datait", "dataient", "bâtait"}


def test_words_one_slip_away_come_first_most_common_first_then_the_dictionary_s_guesses():
    guesses = ["dataient", "barrait", "datait"]
    fixes = french_corrections(FRENCH.__contains__, lambda word: list(guesses))("batrait")
    one_slip = {"battrait", "battait", "barrait"}  # of FRENCH, those one insertion or substitution away
    assert set(fixes[:3]) == one_slip
    frequency = SpellChecker(language="fr").word_usage_frequency
    assert [frequency(w) for w in fixes[:3]] == sorted((frequency(w) for w in fixes[:3]), reverse=True)
    assert fixes[3:] == ["dataient", "datait"], "the dictionary's other guesses follow, in its order, once each"


def test_a_word_invented_whole_keeps_the_dictionary_s_guesses():
    fixes = french_corrections(FRENCH.__contains__, lambda word: ["rebondissement"])("rebondisseur")
    assert fixes == ["rebondissement"]


def test_without_pyspellchecker_the_spelling_detector_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "spellchecker", None)  # as an install made with --no-deps has it
    with pytest.raises(ConfigError, match="pip install pyspellchecker"):
        corrections_version()
