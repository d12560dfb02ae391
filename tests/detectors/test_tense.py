import pytest

from mtcheck.detectors.tense import TenseDetector
from mtcheck.types import Category
from tests.conftest import needs_apertium

from ._context import context

pytestmark = needs_apertium


@pytest.mark.parametrize("french, original, span", [
    ("Mais l’attaque n’a pas été menée par des mots.", "But strikes are not carried out with words.",
     "n’a pas été menée"),
    ("Le ministre a toujours défendu cette politique.", "The minister always defends this policy.",
     "a toujours défendu"),
])
def test_a_french_past_for_the_originals_present_is_flagged(french, original, span):
    (flag,) = TenseDetector().detect(context(french, [original], threshold=0))
    assert flag.text == span == french[flag.start:flag.end]
    assert flag.category is Category.MISTRANSLATION and "present" in flag.message


@pytest.mark.parametrize("french, original", [
    ("Le ministre défend cette politique.", "The minister defends this policy."),  # same tense
    ("Le ministre a défendu cette politique.", "The minister defended this policy."),
    ("En 1925, Golomb conçoit le premier short.", "In 1925, Golomb designed the first trunks."),  # narrative present
    ("Le sac est attaché au hamac.", "The stuff sack is attached to the hammock."),  # être + participle
    ("Le ministre a défendu cette politique.", "The minister will defend this policy."),  # a modal or future
])
def test_agreeing_or_unsure_tenses_raise_nothing(french, original):
    assert TenseDetector().detect(context(french, [original], threshold=0)) == []


def test_detectors_of_one_article_tag_its_texts_once(monkeypatch):
    from mtcheck.detectors.pronoun_number import PronounNumberDetector
    from mtcheck.lang.tagging import ApertiumTagger

    runs = []
    original_tag = ApertiumTagger.tag
    monkeypatch.setattr(ApertiumTagger, "tag",
                        lambda self, texts, cache=None: runs.append(self.mode) or original_tag(self, texts, cache))
    article = context("Mais l’attaque n’a pas été menée par des mots.", ["But strikes are not carried out with words."],
                      threshold=0)
    assert TenseDetector().detect(article) and PronounNumberDetector().detect(article) == []
    assert sorted(runs) == ["eng-spa", "fr-es"]
