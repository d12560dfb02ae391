from mtcheck.detectors.numbers import NumberDetector, english_value, french_value

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
