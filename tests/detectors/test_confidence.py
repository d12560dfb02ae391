import math

from mtcheck.detectors.confidence import ConfidenceDetector, word_probabilities
from mtcheck.types import Category, WordLink

from ._context import context

FRENCH = "Les Patriotes se mettent au chômage."
ENGLISH = "The Patriots are unemployed."
PIECES = [("▁The", math.log(0.9)), ("▁Patri", math.log(0.6)), ("ots", math.log(0.9)),
          ("▁are", math.log(0.8)), ("▁un", math.log(0.2)), ("employed", math.log(0.3)), (".", math.log(0.95))]


def _link(english_word: str, french_word: str) -> WordLink:
    e, f = ENGLISH.index(english_word), FRENCH.index(french_word)
    return WordLink(e, e + len(english_word), f, f + len(french_word))


LINKS = [_link("Patriots", "Patriotes"), _link("unemployed", "chômage")]


def test_word_probability_is_the_product_of_its_pieces():
    ctx = context(FRENCH, back_translations=[ENGLISH], token_scores={0: PIECES}, links={0: LINKS})
    words = {ENGLISH[s:e]: p for s, e, p in word_probabilities(ctx.back_translations[0])}
    assert math.isclose(words["Patriots"], 0.54)
    assert math.isclose(words["unemployed"], 0.06)


def test_improbable_words_flag_the_french_they_came_from():
    ctx = context(FRENCH, back_translations=[ENGLISH], token_scores={0: PIECES}, links={0: LINKS})
    flags = ConfidenceDetector(min_probability=0.2, round_trip=False).detect(ctx)
    assert [f.text for f in flags] == ["chômage"]
    assert flags[0].category is Category.FLUENCY


def test_words_lost_in_the_round_trip_are_flagged_and_kept_words_are_not():
    ctx = context(FRENCH, back_translations=[ENGLISH], round_trips={0: "Les Patriotes sont sans emploi."})
    flags = ConfidenceDetector(round_trip=True).detect(ctx)
    assert sorted(f.text for f in flags) == ["chômage", "mettent"]
    ctx = context(FRENCH, back_translations=[ENGLISH], round_trips={0: FRENCH})
    assert ConfidenceDetector(round_trip=True).detect(ctx) == []


def test_no_scores_and_no_round_trip_raise_nothing():
    assert ConfidenceDetector().detect(context(FRENCH, back_translations=[ENGLISH])) == []
