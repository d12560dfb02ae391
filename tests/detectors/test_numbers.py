from mtcheck.detectors.numbers import NumberDetector, english_value, french_value
from mtcheck.types import Reference

from ._context import context


def test_a_figure_missing_from_the_reference_is_flagged():
    french = "Les missiles ont une portée de 190 miles, soit 360 km."
    ctx = context(french, ["The missiles have a range of 190 miles (306 km)."],
                  ["The missiles have a range of 190 miles, or 360 km."])
    (flag,) = NumberDetector().detect(ctx)
    assert flag.text == "360" and french[flag.start:flag.end] == "360"
    assert "306" in flag.evidence["reference_numbers"]


def test_french_and_english_number_formats_are_compared_by_value():
    assert french_value("1 500") == english_value("1,500") == 1500
    assert french_value("1,5") == english_value("1.5")
    french = "Quelque 1 500 soldats et 2,5 millions de dollars."
    ctx = context(french, ["Some 1,500 soldiers and $2.5 million."], ["Some 1,500 soldiers and 2.5 million dollars."])
    assert NumberDetector().detect(ctx) == []


def test_unaligned_sentences_are_not_checked():
    assert NumberDetector().detect(context("Il y a 12 chats.", ["Completely unrelated words here."])) == []


def test_a_quote_is_compared_inside_its_quotation_marks_only():
    french = "« Nous avons reçu 12 systèmes », a déclaré le président, cité le 18 novembre."
    quote = Reference(id="q", text="We received 12 systems.", speaker="the president")
    back = ["« We have received 12 systems », has declared the president, cited the 18 November."]
    assert NumberDetector().detect(context(french, [quote], back)) == []
    wrong = french.replace("12", "15")
    (flag,) = NumberDetector().detect(context(wrong, [quote], [back[0].replace("12", "15")]))
    assert flag.text == "15"


def test_a_quote_split_over_two_sentences_is_still_told_from_its_attribution():
    french = "C’est un effort de 12 pays », a tweeté le président, cité le 18 novembre."
    quote = Reference(id="q", text="This is an effort of 12 countries.", speaker="the president")
    back = ["It is an effort of 12 countries », has tweeted the president, cited the 18 November."]
    assert NumberDetector().detect(context(french, [quote], back)) == []
