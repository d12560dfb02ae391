import pytest

from mtcheck.detectors.bare_infinitive import BareInfinitiveDetector
from mtcheck.lang.grammalecte import grammalecte_checker
from mtcheck.types import Category

from ._context import context

pytestmark = pytest.mark.skipif(grammalecte_checker() is None, reason="Grammalecte is not installed")


# The span is the clause to rewrite: the noun phrase before the infinitive and its bare object.
@pytest.mark.parametrize("french, span", [
    ("La décision pourrait aider l’Ukraine à un moment où les troupes russes tirer profit de la situation.",
     "les troupes russes tirer profit"),
    ("Les systèmes Patriot et similaires simplement bloquer dans les entrepôts.", "similaires simplement bloquer"),
    ("Une poignée antidérapante, facile travailler avec.", "facile travailler"),
    ("Des outils solides nettoyer les vitres.", "Des outils solides nettoyer les vitres"),
    # A participle a determiner makes a noun ("alliés" is also allier's participle).
    ("Zelensky veut des alliés renforcer leur soutien.", "des alliés renforcer leur soutien"),
])
def test_an_infinitive_right_after_a_noun_or_adjective_is_flagged(french, span):
    (flag,) = BareInfinitiveDetector().detect(context(french))
    assert flag.text == span == french[flag.start:flag.end]
    assert flag.category is Category.GRAMMAR and "conjugate" in flag.suggestion


@pytest.mark.parametrize("french", [
    "Il veut simplement bloquer les entrepôts.",  # verb + adverb + infinitive
    "Une machine à laver et un outil pour couper le bois.",  # prepositions
    "Il ne faut pas oublier le dîner.",  # "ne pas" + infinitive; "dîner" is also a noun
    "Les paquets : installer, configurer, supprimer.",  # punctuation between
    "Pour le faire, il suffit de le dire.",  # pronoun + infinitive
    # The object of laisser, faire or a verb of perception takes an infinitive.
    "Il ne faut pas laisser les systèmes Patriot et similaires simplement bloquer dans les entrepôts.",
    "Les marchés ont vu les prix grimper en une semaine.",
    "Nous avons entendu les sirènes retentir toute la nuit.",
    # A participle without a determiner is a verb's, which an infinitive may follow.
    "Il a laissé passer le convoi et a voulu partir avant midi.",
    "Les blessés ont été conduits à l'hôpital.",
])
def test_infinitives_where_french_allows_them_raise_nothing(french):
    assert BareInfinitiveDetector().detect(context(french)) == []
