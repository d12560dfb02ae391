from mtcheck.detectors.repeated_quote import RepeatedQuoteDetector, differs_by_inflection
from mtcheck.types import Category

from ._context import context

TWEET = "I am grateful to President Biden for his support."


def test_gender_that_changes_between_two_renderings_of_one_quote_is_flagged():
    french = ("« Je suis reconnaissant au président Biden pour son soutien », a-t-il écrit. "
              "Plus tard, il a répété : « Je suis reconnaissante au président Biden pour son soutien. »")
    english = ["I am grateful to President Biden for his support, he wrote.",
               "Later, he repeated: I am grateful to President Biden for his support."]
    flags = RepeatedQuoteDetector().detect(context(french, [TWEET], english))
    assert [f.text for f in flags] == ["reconnaissante"]
    assert flags[0].category is Category.INCONSISTENCY
    assert flags[0].suggestion == "reconnaissant"


def test_one_rendering_raises_nothing():
    french = "« Je suis reconnaissante au président Biden pour son soutien », a-t-elle écrit."
    assert RepeatedQuoteDetector().detect(context(french, [TWEET], [TWEET])) == []


def test_inflection_rule():
    assert differs_by_inflection("reconnaissant", "reconnaissante")
    assert differs_by_inflection("armé", "armés")
    # endings that change with the gender: "fier" / "fière", "heureux" / "heureuse", "actif" / "active"
    assert differs_by_inflection("fier", "fière") and differs_by_inflection("heureuse", "heureux")
    assert differs_by_inflection("actif", "actives")
    assert not differs_by_inflection("chat", "chien")
    assert not differs_by_inflection("arme", "arme")
    assert not differs_by_inflection("de", "des") and not differs_by_inflection("le", "les")  # determiners


def test_a_gendered_ending_that_changes_between_renderings_is_flagged():
    french = ("« Je suis tellement fier de notre campagne », a-t-elle déclaré. "
              "Puis elle a conclu : « Je suis si fière de notre campagne. »")
    english = ["I am so proud of our campaign, she said.", "Then she concluded: I am so proud of our campaign."]
    flags = RepeatedQuoteDetector().detect(context(french, ["I am so proud of our campaign."], english))
    assert [(f.text, f.evidence["other_rendering"]) for f in flags] == [("fière", "fier")]
