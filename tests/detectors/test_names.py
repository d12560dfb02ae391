import pytest

from mtcheck.detectors.names import NameInflectionDetector
from mtcheck.types import Category

from ._context import context


@pytest.mark.parametrize("french, original, changed, name", [
    # a French plural given to a name
    ("Il ne faut pas laisser les Patriotes dans les entrepôts.",
     "Partners must not leave systems like Patriot sitting idle in warehouses.", "Patriotes", "Patriot"),
    # a full name whose second word the French replaced
    ("La porte-parole Karine Jean-Sal a déclaré que Washington soutiendrait Kiev.",
     "White House press secretary Karine Jean-Pierre said Washington would support Kyiv.",
     "Karine Jean-Sal", "Karine Jean-Pierre"),
])
def test_a_name_the_french_changed_is_flagged_with_the_name_as_fix(french, original, changed, name):
    (flag,) = NameInflectionDetector().detect(context(french, [original], threshold=0))
    assert flag.text == changed == french[flag.start:flag.end]
    assert flag.suggestion == name and flag.category is Category.MISTRANSLATION


def test_names_left_invariable_or_pluralised_by_the_original_raise_nothing():
    original = ["Kyiv wants more systems like Patriot, and the Democrats agree; the Pentagon and Holland said nothing."]
    for french in ["Kiev veut davantage de systèmes Patriot.",  # invariable, as French wants
                   "Le Pentagone et la Hollande n'ont rien dit.",  # the names' own French spellings
                   "Selon elle, les Democrats sont d'accord."]:  # the original has the plural itself
        assert NameInflectionDetector().detect(context(french, original, threshold=0)) == []


def test_title_case_headings_are_not_names():
    # "Tent" opens the English heading, "Tentes" the French one: a common noun in title case.
    french = "Tentes autoportantes incluses. Nous vendons des tentes."
    original = ["Tent Freestanding Included.", "We sell tents."]
    assert NameInflectionDetector().detect(context(french, original, threshold=0)) == []


def test_without_references_there_is_nothing_to_compare():
    assert NameInflectionDetector().detect(context("Les Patriotes sont partis.")) == []


def test_names_copied_respelled_or_translated_whole_raise_nothing():
    original = ["Ukrainian President Volodymyr Zelenskyy's office said Joe Biden met him at the White House, "
                "with Jake Sullivan and NATO Secretary General Jens Stoltenberg."]
    for french in ["Le bureau du président ukrainien Volodymyr Zelensky a annoncé la rencontre.",  # a spelling of it
                   "Joe Biden l'a reçu à la Maison Blanche.",  # copied; "White House" translated whole
                   "Il était avec Jake Sullivan et Jens Stoltenberg.",
                   "Selon Joe, Sullivan était là.",  # the first word alone: no name to compare
                   "Le secrétaire général Jens Stoltenberg, Joe Biden et Jake Sullivan."]:
        assert NameInflectionDetector().detect(context(french, original, threshold=0)) == [], french


def test_another_name_of_the_references_after_the_same_first_word_is_not_a_garble():
    original = ["Joe Biden spoke first.", "Then Senator Manchin said Joe was right."]
    french = "Joe Manchin a ensuite parlé."
    assert NameInflectionDetector().detect(context(french, original, threshold=0)) == []
