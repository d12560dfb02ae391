import pytest

from mtcheck.detectors.spelling import SpellingDetector
from mtcheck.lang.grammalecte import grammalecte_checker
from mtcheck.types import Category

from ._context import context

pytestmark = pytest.mark.skipif(grammalecte_checker() is None, reason="Grammalecte is not installed")


def test_an_invented_word_is_flagged_with_the_dictionary_s_suggestions():
    french = "Selon une source connaissante de la décision, les systèmes restent en stock."
    (flag,) = SpellingDetector().detect(context(french))
    assert flag.text == "connaissante" == french[flag.start:flag.end]
    assert flag.category is Category.FLUENCY
    assert "connaissant" in flag.suggestion.split(" or ")


def test_a_word_of_another_language_is_flagged_for_translation_not_respelling():
    french = "Les agriculteurs dont les récoltes cítricas ont été détruites recevront une aide."
    (flag,) = SpellingDetector().detect(context(french))
    assert flag.text == "cítricas" and "í" in flag.message
    assert flag.suggestion == "translate 'cítricas'"


def test_only_suggestions_near_the_word_are_offered():
    french = "Les habitants enojados ont lancé de la boue."
    (flag,) = SpellingDetector().detect(context(french))
    # The dictionary's third guess, "Avogadro", shares little with the word.
    assert flag.text == "enojados" and "Avogadro" not in flag.suggestion


@pytest.mark.parametrize("french", [
    "Le président Volodymyr Zelensky a remercié quelqu’un d’autre à Kiev.",  # names, elision
    "Il a installé le paquet dans /usr/bin/zcat avec dpkg_install et apt.conf.",  # paths, code
    "Le sac est waterproof, dit la notice : lightweight design.",  # English copied: another detector's
    "Voir https://example.org/pourquoiici et @journaliste_fr sur pic.twitter.com/abcDEF.",
    "Un coup d'oeil au coeur de l'oeuvre.",  # "oe" typed for "œ"
    "La start-up a levé des fonds le week-end dernier.",  # compounds the dictionary knows whole
])
def test_names_code_links_english_and_keyboard_spellings_raise_nothing(french):
    refs = ["The bag is waterproof, says the leaflet: lightweight design."]
    assert SpellingDetector().detect(context(french, references=refs)) == []


def test_a_recheck_takes_the_suggestions_from_the_cache_and_not_from_grammalecte(tmp_path):
    from mtcheck.engines.cache import TranslationCache

    french = "Selon une source connaissante de la décision, les systèmes restent en stock."
    cache = TranslationCache(tmp_path / "cache.sqlite")
    first = SpellingDetector(cache=cache).detect(context(french))
    again = SpellingDetector(cache=cache)
    again._suggest = lambda word: pytest.fail(f"Grammalecte asked again for {word!r}")
    assert again.detect(context(french)) == first and "connaissant" in first[0].suggestion


def test_a_slip_of_a_real_word_is_offered_that_word_where_grammalecte_guesses_far():
    """Grammalecte offers "dataient", "bat rait", "datait" for "batrait": the fix a reader
    needs, "battrait", is one letter away, and comes among the first three."""
    french = "Le président a déclaré qu’il se batrait pour que le gouvernment tienne parole."
    flags = SpellingDetector().detect(context(french))
    fixes = {f.text: f.suggestion.split(" or ") for f in flags}
    assert "battrait" in fixes["batrait"]
    assert fixes["gouvernment"][0] == "gouvernement"


def test_the_corrections_are_part_of_the_run_signature():
    """A new word list ranks the fixes otherwise: a batch must not reuse results made with the old."""
    assert SpellingDetector().options()["corrections"].startswith("pyspellchecker-")
