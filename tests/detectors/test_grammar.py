import pytest

from mtcheck.detectors.grammar import GrammarDetector
from mtcheck.lang.grammalecte import grammalecte_checker
from mtcheck.types import Category

from ._context import context

pytestmark = pytest.mark.skipif(grammalecte_checker() is None, reason="Grammalecte is not installed")


@pytest.mark.parametrize("french, wrong, fix", [
    ("Les ministres sont arrivés hier. Les femmes sont arrivés ensuite.", "arrivés", "arrivées"),
    ("Il a manger avec ses conseillers.", "manger", "mangé"),
])
def test_grammar_errors_are_flagged_with_a_suggestion(french, wrong, fix):
    (flag,) = GrammarDetector().detect(context(french))
    assert flag.category is Category.GRAMMAR and french[flag.start:flag.end] == flag.text == wrong
    assert flag.start == french.rindex(wrong)
    assert flag.suggestion == fix


def test_correct_french_raises_nothing():
    # "47e" for "47ᵉ" is typography, house style
    french = "Les femmes sont arrivées hier. Le 47e président a mangé avec ses conseillers."
    assert GrammarDetector().detect(context(french)) == []


@pytest.mark.parametrize("french", [
    # the participle may agree with "plan" or "victoire": Grammalecte guesses the antecedent
    "Le plan destiné à renforcer l’Ukraine est le plan de la victoire que j’ai présenté à nos partenaires.",
    # a product list item in the indicative, not an imperative missing its "s"
    "Comprend deux piles et un chargeur.",
])
def test_rules_that_guess_raise_nothing(french):
    assert GrammarDetector().detect(context(french)) == []


def test_grammar_results_are_kept_in_the_cache_and_reused(tmp_path):
    from mtcheck.engines.cache import TranslationCache

    french = "Les ministres sont arrivés hier. Les femmes sont arrivés ensuite."
    first = GrammarDetector(cache=TranslationCache(tmp_path / "cache.sqlite")).detect(context(french))
    reopened = TranslationCache(tmp_path / "cache.sqlite")
    assert reopened.stats()["analyses"] == 1
    detector = GrammarDetector(cache=reopened)
    detector._checker = None  # a cache hit must not need the checker at all
    assert detector.detect(context(french)) == first != []


def test_the_checker_hands_its_cache_to_the_grammar_detector(tmp_path, hf_tiny):
    from mtcheck import Checker
    from mtcheck.engines.cache import TranslationCache

    store = TranslationCache(tmp_path / "cache.sqlite")
    checker = Checker(engine=hf_tiny, detectors=["grammar"], reverse_engine=None, cache=store)
    checker.check("Les ministres sont arrivés hier.\n\nLes femmes sont arrivés ensuite.")
    assert store.stats()["analyses"] == 2  # one per paragraph
