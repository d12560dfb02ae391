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
    # An English present perfect is a passé composé, however the tagger reads it.
    ("Un style unique qui a remporté des prix.", "A unique style that has garnered awards."),
    ("Vous l’avez déjà mis dans le sac.", "You've already put it in the bag, so it is ready."),
    ("Il a également été construit pour durer.", "It's also been built to last."),
    # "fournit" is the present as well as the passé simple the tagger may take it for.
    ("Pour les sauveteurs, l'innovant CMG thermoplastique fournit adhérence supérieure.",
     "For lifeguards, the innovative CMG thermoplastic provides superior grip."),
    # A noun the tagger reads as a verb in the first person, with no "je" or "nous" before it.
    ("Quatre vis de fixation et trois pièces avions.", "Four mounting screws and three aircraft parts come with it."),
    # The reference is the quote; the verb that reports it is not in it.
    ("Le dirigeant a salué « l’approche de la paix par la force » défendue par son allié.",
     "I appreciate the 'peace through strength' approach in global affairs."),
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
