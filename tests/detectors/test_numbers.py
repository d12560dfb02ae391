from mtcheck.detectors.numbers import NumberDetector
from mtcheck.lang.figures import english_value, english_values, french_value
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


def test_figures_glued_to_units_or_left_in_english_format_are_found():
    # "10x30" and "31.5L" in the English; "5.5" kept with its decimal point in the French.
    french = "Jumelles Canon 10 x 30 : 31,5 L x 5.5 H pouces."
    ctx = context(french, ["Canon 10x30 binoculars: 31.5L x 5.5H inches."],
                  ["Binoculars Canon 10 x 30: 31,5 L x 5.5 H inches."])
    assert NumberDetector().detect(ctx) == []
    (flag,) = NumberDetector().detect(context(french.replace("5.5", "6.5"), ["Canon 10x30 binoculars: 31.5L x 5.5H inches."],
                                              ["Binoculars Canon 10 x 30: 31,5 L x 6.5 H inches."]))
    assert flag.text == "6.5"


def test_figures_run_into_the_previous_sentence_are_read_whole():
    # Product texts glue sentences together: "out.2.5", "O.D.14.4-inch"; ".375" is a decimal.
    assert english_values("while you're working out.2.5 continuous horsepower") == {2.5}
    assert english_values("eyepiece O.D.14.4-inch length") == {14.4}
    assert english_values('Rod: 12" x .375"') == {12, 0.375}
    french = "Moteur de 2,5 chevaux en continu."
    ctx = context(french, ["Great while you're working out.2.5 continuous horsepower."],
                  ["Engine of 2.5 continuous horsepower."])
    assert NumberDetector().detect(ctx) == []


def test_a_figure_copied_as_it_stands_in_the_reference_is_not_flagged():
    # "3.938" reads as 3938 in French and "42,49" as 42.49, but both are the original's own figures.
    french = "Longueur fermé : 3.938 pouces. Pour S & W 40, 42,49, 60."
    ctx = context(french, ["Closed length: 3.938 inches. For S&W 40, 42,49, 60."],
                  ["Length closed: 3,938 inches. For S & W 40, 42.49, 60."])
    assert NumberDetector().detect(ctx) == []
    # A part of a figure is not the figure: "375" out of ".375" is still flagged.
    (flag,) = NumberDetector().detect(context("Une tige de 12 sur 375 pouces.", ["A rod of 12 by .375 inches."],
                                              ["A rod of 12 by 375 inches."]))
    assert flag.text == "375"


def test_a_figure_of_another_line_of_the_original_is_not_flagged():
    # "4.1:1" and "10 ozs" belong to the original's next line; the passage was aligned with the first.
    french = "Moulinet GC100 : rapport 4.1:1, poids 10 onces."
    ctx = context(french, ["Spincasting reel GC100, ball bearings: 1.", "Gear ratio: 4.1:1, weight: 10 ozs."],
                  ["Reel GC100: ratio 4.1:1, weight 10 ounces."], threshold=0)
    assert NumberDetector().detect(ctx) == []
    flags = NumberDetector().detect(context(french.replace("10 onces", "12 onces"),
                                            ["Spincasting reel GC100, ball bearings: 1.", "Gear ratio: 4.1:1, weight: 10 ozs."],
                                            ["Reel GC100: ratio 4.1:1, weight 12 ounces."], threshold=0))
    assert flags and {flag.text for flag in flags} == {"12"}


def test_a_number_the_english_spells_out_is_found():
    french = "Deux responsables américains et 3 sources l'ont confirmé."
    ctx = context(french, ["Two U.S. officials and three sources confirmed it."],
                  ["Two American officials and 3 sources have confirmed it."])
    assert NumberDetector().detect(ctx) == []


def test_part_of_a_glued_figure_is_not_compared():
    # "1,5-4.5x32" is a model name; "4" taken out of "4.5x32" would not be in the reference.
    french = "La lunette Bushnell 1,5-4.5x32 est robuste."
    ctx = context(french, ["The Bushnell 1.5-4.5x32 riflescope is rugged."],
                  ["The riflescope Bushnell 1,5-4.5x32 is rugged."])
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


def test_a_figure_that_converts_the_originals_us_measure_or_clock_is_not_flagged():
    # 95 °F is 35 °C, 190 miles 306 km, 6 p.m. 18 h: a translation for French readers converts them.
    french = "Il faisait 35 degrés à 18 heures, à 306 km de la côte."
    english = "It was 95 degrees Fahrenheit at 6 p.m., 190 miles off the coast."
    assert NumberDetector().detect(context(french, [english], [english])) == []
    # A wrong conversion is still a wrong figure.
    wrong = "Il faisait 25 degrés à 16 heures, à 306 km de la côte."
    assert [f.text for f in NumberDetector().detect(context(wrong, [english], [english]))] == ["25", "16"]


def test_us_measures_and_afternoon_times_give_their_metric_and_24_hour_values():
    from mtcheck.lang.figures import conversions

    assert [v for _, _, v in conversions("worth $1.3 trillion by 2032")] == [1300]  # milliards
    found = conversions("It was 95 degrees Fahrenheit at 6 p.m., 190 miles away; 8 a.m. and 2 lbs.")
    assert [(round(v), span_end - span_start) for span_start, span_end, v in found] == [
        (35, len("95 degrees Fahrenheit")), (306, len("190 miles")), (1, len("2 lbs")), (18, len("6 p.m."))]
