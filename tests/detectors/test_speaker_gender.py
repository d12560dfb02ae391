import pytest

from mtcheck.detectors.speaker_gender import SpeakerGenderDetector
from mtcheck.lang.grammalecte import grammalecte_checker
from mtcheck.types import Category, Reference

from ._context import context

pytestmark = pytest.mark.skipif(grammalecte_checker() is None, reason="Grammalecte is not installed")


# The flag covers the words that agree, from the first-person subject to the adjective; the
# suggestion is the same words with the adjective in the speaker's gender.
@pytest.mark.parametrize("french, span, fix", [
    # The attribution's pronoun, title or honorific gives the speaker's gender.
    ("« Je suis très heureuse de cet accord », a-t-il déclaré.", "Je suis très heureuse", "Je suis très heureux"),
    ("« Je suis vraiment surpris par cette décision », a ajouté la ministre.", "Je suis vraiment surpris",
     "Je suis vraiment surprise"),
    ("« Je reste convaincue que la paix viendra », a déclaré M. Dupont.", "Je reste convaincue", "Je reste convaincu"),
    ("« Je ne suis pas inquiet », poursuit-elle.", "Je ne suis pas inquiet", "Je ne suis pas inquiète"),
    # A quote of two sentences: the attribution after the second covers the first.
    ("« Je suis heureux. Il est parti », dit-elle à propos de son mari.", "Je suis heureux", "Je suis heureuse"),
])
def test_first_person_agreement_that_contradicts_the_attribution_is_flagged(french, span, fix):
    (flag,) = SpeakerGenderDetector().detect(context(french))
    assert flag.text == span == french[flag.start:flag.end]
    assert flag.category is Category.INCONSISTENCY and flag.suggestion == fix


def test_two_quotes_of_one_speaker_in_two_genders_without_attribution():
    # Both quotes render references of the same speaker, so they are grouped across the article.
    refs = [Reference(id="a", text="I am grateful to our partners.", speaker="Zelensky"),
            Reference(id="b", text="I am convinced we will win.", speaker="Zelensky")]
    french = "« Je suis reconnaissant à nos partenaires. » Puis : « Je suis convaincue que nous gagnerons. »"
    (flag,) = SpeakerGenderDetector().detect(context(french, refs, threshold=0))
    assert flag.text == "Je suis convaincue" and "reconnaissant" in flag.message


@pytest.mark.parametrize("french", [
    "« Je suis très heureuse de cet accord », a-t-elle déclaré.",  # agrees with the attribution
    "« Je suis fier de mon équipe », a déclaré le président.",
    "Je suis heureuse, a écrit l'auteur, mais il est parti.",  # first person outside quotes: the author's voice
    "« Je suis optimiste », a-t-il dit.",  # "optimiste" has no gender
    "« Je suis heureuse », a-t-elle dit. « Il est content », a-t-il ajouté.",  # two speakers, two quotes
    # "la présidente" is not bound to the reporting verb: she is not the speaker.
    "« Je suis fier », a déclaré Zelensky après avoir rencontré la présidente de la Commission.",
])
def test_agreeing_or_genderless_first_person_raises_nothing(french):
    assert SpeakerGenderDetector().detect(context(french)) == []


@pytest.mark.parametrize("french, original, span, fix", [
    ("« Nous continuerons le combat », a-t-elle déclaré.", "\"We will keep fighting,\" he said.", "elle", "il"),
    ("Elle a ajouté que les livraisons reprendraient lundi.", "He added that deliveries would resume on Monday.",
     "Elle", "Il"),
    ("« Rien n'est décidé », a-t-il dit.", "\"Nothing has been decided,\" Ms. Baerbock told reporters.", "il", "elle"),
])
def test_an_attribution_pronoun_that_contradicts_the_original_is_flagged(french, original, span, fix):
    (flag,) = SpeakerGenderDetector().detect(context(french, [original], threshold=0))
    assert flag.text == span == french[flag.start:flag.end]
    assert flag.category is Category.MISTRANSLATION and flag.suggestion == fix


def test_the_original_attribution_decides_the_first_person_gender():
    # The French names no gender outside the quote; the original's "he said" does.
    french = "« Je suis très heureuse de cet accord », a déclaré Zelensky."
    (flag,) = SpeakerGenderDetector().detect(context(french, ["\"I am very happy with this deal,\" he said."],
                                                     threshold=0))
    assert flag.text == "Je suis très heureuse" and flag.suggestion == "Je suis très heureux"


@pytest.mark.parametrize("french, original", [
    ("« Nous continuerons le combat », a-t-elle déclaré.", "\"We will keep fighting,\" she said."),
    # Two speakers in the original: its attribution says nothing of this one.
    ("« Nous continuerons », a-t-elle déclaré.", "\"We will go on,\" she said, and he added: \"We must.\""),
    # No attribution in the original.
    ("Elle a ajouté que les livraisons reprendraient.", "Deliveries would resume, the ministry added."),
])
def test_an_attribution_the_original_agrees_with_or_does_not_give_raises_nothing(french, original):
    assert SpeakerGenderDetector().detect(context(french, [original], threshold=0)) == []
