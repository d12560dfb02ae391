import pytest

from mtcheck.lang.grammalecte import grammalecte_checker

from ._context import context

pytestmark = pytest.mark.skipif(grammalecte_checker() is None, reason="Grammalecte is not installed")


def _flags(text):
    from mtcheck.detectors.euphony import EuphonyDetector

    return EuphonyDetector().detect(context(text))


@pytest.mark.parametrize("text,span,suggestion", [
    ("Kiev a reçu un nouvel colis d'aide militaire.", "nouvel colis", "nouveau colis"),
    ("Cet président a démissionné mardi.", "Cet président", "Ce président"),
    ("Ils ont construit un vieil pont.", "vieil pont", "vieux pont"),
    ("Ils ont loué un bel hangar près du port.", "bel hangar", "beau hangar"),  # aspirated h
])
def test_a_form_for_a_vowel_before_a_consonant_is_flagged_with_its_plain_form(text, span, suggestion):
    (flag,) = _flags(text)
    assert text[flag.start:flag.end] == span and flag.suggestion == suggestion


@pytest.mark.parametrize("text", [
    "Un nouvel accord a été signé.", "Cet homme est arrivé hier.", "C'est bel et bien fini.",
    "Un nouveau plan d'aide.", "Le vieil homme et la mer.", "Il a lu Bel Ami.",
])
def test_correct_french_is_left_alone(text):
    assert _flags(text) == []
