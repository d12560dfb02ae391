import pytest

from mtcheck.detectors.pronoun_number import PronounNumberDetector
from mtcheck.types import Category
from tests.conftest import needs_apertium

from ._context import context

pytestmark = needs_apertium


@pytest.mark.parametrize("french, original, span, fix", [
    ("Il ne faut pas laisser ces systèmes dans les entrepôts, mais de la transmettre à ceux qui en ont besoin.",
     "Partners must not leave these systems in warehouses, but instead provide them to those who need them.",
     "la transmettre", "les transmettre"),
    ("Le ministre a reçu le rapport et les a lus attentivement.",
     "The minister received the report and read it carefully.", "les a", "l’a"),
])
def test_a_clitic_of_the_other_number_than_the_originals_pronouns_is_flagged(french, original, span, fix):
    (flag,) = PronounNumberDetector().detect(context(french, [original], threshold=0))
    assert flag.text == span == french[flag.start:flag.end]
    assert flag.suggestion == fix and flag.category is Category.GRAMMAR


@pytest.mark.parametrize("french, original", [
    # Agreeing numbers.
    ("Il faut les transmettre à ceux qui en ont besoin.", "They must provide them to those who need them."),
    # The original mixes numbers, so it says nothing of this clitic.
    ("Il faut la transmettre.", "Take it and give them the rest."),
    # No object pronoun in the original.
    ("Il faut la transmettre.", "The letter must be passed on."),
    # A clitic before être stands for an attribute ("nous le sommes").
    ("Les sommes sont versées et nous le sommes aussi.", "The sums are paid, and so are we, they told them."),
])
def test_agreeing_or_unconstrained_clitics_raise_nothing(french, original):
    assert PronounNumberDetector().detect(context(french, [original], threshold=0)) == []
