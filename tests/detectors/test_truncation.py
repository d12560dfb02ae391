from mtcheck.detectors.truncation import TruncationDetector
from mtcheck.types import Category

from ._context import context


def test_quote_cut_off_before_embed_residue_is_flagged():
    french = "« Nous remercions nos partenaires pour les systèmes qui protègent… pic.twitter.com/x1Y2z3"
    (flag,) = TruncationDetector().detect(context(french))
    assert flag.category is Category.OMISSION
    assert flag.text.endswith("…") and "protègent" in flag.text


def test_an_ellipsis_inside_a_sentence_or_in_brackets_is_not_truncation():
    for french in ["Il a hésité... puis il a signé l'accord.", "Il a cité le texte (...) en entier."]:
        assert TruncationDetector().detect(context(french)) == []


def test_an_ellipsis_the_original_has_too_is_not_a_cut():
    french = "Garantie à vie sur toutes les pièces..."
    original = ["Lifetime warranty on all parts..."]
    back = ["Lifetime warranty on all the parts..."]
    assert TruncationDetector().detect(context(french, original, back_translations=back)) == []
    two_dots = ["Lifetime warranty on all parts..Size: 2.25 in"]  # product copy's separators
    assert TruncationDetector().detect(context(french, two_dots, back_translations=back)) == []
    complete = ["Lifetime warranty on all parts and labour."]
    (flag,) = TruncationDetector().detect(context(french, complete, back_translations=back))
    assert flag.text.endswith("pièces...")


def test_the_flag_covers_the_clause_that_was_cut():
    french = ("Il est crucial que les partenaires ne quittent pas des systèmes comme Patriot et autres "
              "se réunissent en... pic.twitter.com/4VZu4JpzxG")
    (flag,) = TruncationDetector().detect(context(french))
    assert flag.text == "les partenaires ne quittent pas des systèmes comme Patriot et autres se réunissent en..."
    # A clause longer than max_clause_words falls back to the last words before the cut.
    (short,) = TruncationDetector(max_clause_words=5).detect(context(french))
    assert short.text == "se réunissent en..."


def test_items_of_a_list_ending_on_dots_are_not_cuts():
    french = "Règle avec tournevis... Pince à épiler... Porte-clés... Garantie à vie..."
    assert TruncationDetector().detect(context(french)) == []


def test_an_original_that_trails_off_on_dots_elsewhere_has_them_as_style():
    # The original's own "Plus..." is not aligned with the French sentence, but shows its style.
    french = "Une tente légère et solide. Ne tardez pas..."
    originals = ["A light and sturdy tent.", "Plus...Unsurpassed comfort, don't delay."]
    assert TruncationDetector().detect(context(french, originals, threshold=90)) == []
    # A truncated embed in the originals is no such style: the cut is still flagged.
    embed = ["A light and sturdy tent.", "We thank our partners for the systems that… pic.twitter.com/x1Y2z3"]
    (flag,) = TruncationDetector().detect(context(french, embed, threshold=90))
    assert flag.text.endswith("Ne tardez pas...")
