import pytest

from mtcheck.detectors.agreement import AgreementDetector
from mtcheck.lang.grammalecte import grammalecte_checker
from mtcheck.types import Category

from ._context import context

pytestmark = pytest.mark.skipif(grammalecte_checker() is None, reason="Grammalecte is not installed")


@pytest.mark.parametrize("french, pair, fix", [
    # An epicene determiner joins the span and is kept in the fix; a gendered one ("la") is not.
    ("Il souligne le danger de tels attaques pour le pays.", "de tels attaques", "de telles attaques"),
    ("C'est la meilleur qualité du marché.", "meilleur qualité", "meilleure qualité"),
    ("Un produit pour leurs première football.", "leurs première football", "leurs premier football"),
])
def test_a_modifier_of_the_other_gender_is_flagged_with_the_agreeing_form(french, pair, fix):
    (flag,) = AgreementDetector().detect(context(french))
    assert flag.text == pair == french[flag.start:flag.end]
    assert flag.category is Category.GRAMMAR and flag.suggestion == fix


@pytest.mark.parametrize("french", [
    "Il faut la transmettre aux troupes.",  # object pronoun before a verb
    "La région est ensoleillée est belle.",  # "est" is also a noun, but here a verb
    "Une grande maison et un petit jardin, le nouveau directeur.",  # agreeing pairs
    "Les troupes et leurs armes, des systèmes modernes.",  # epicene determiners
    # a participle that is also a finite verb, before a bare noun, is the verb of a locution
    "La décision fait suite à des mois de demandes ; la Pologne fait partie de l'alliance et fait face à la crise.",
])
def test_agreeing_or_ambiguous_pairs_raise_nothing(french):
    assert AgreementDetector().detect(context(french)) == []


@pytest.mark.parametrize("french, adjective, fix", [
    # Across a complement the adjective agrees with neither noun.
    ("Elle tient avec une serrure de piston fiables qui se libère vite.", "fiables", "fiable"),
    ("AirZooka est le jouet portatives le plus vendu.", "portatives", "portatif"),
    ("Le site vise à résoudre les problèmes lié au réseau.", "lié", "liés"),
])
def test_an_adjective_that_agrees_with_no_noun_before_it_is_flagged(french, adjective, fix):
    (flag,) = AgreementDetector().detect(context(french))
    assert flag.text == adjective == french[flag.start:flag.end]
    assert flag.category is Category.GRAMMAR and flag.suggestion == fix


@pytest.mark.parametrize("french", [
    "Des équipes de football professionnelles et un indice de réfraction élevé.",  # agrees with the first noun
    "La chaise et la table pliantes sont livrées.",  # plural after nouns joined by "et"
    "Une fois devenu adulte, il part.",  # "une fois" + participle opens a clause
    "Les frappes américaines ont visé l’arborescence de fichiers créée hier.",
    "La banque a laissé ses taux d’intérêt inchangés.",  # agrees with the noun before "d’intérêt"
])
def test_adjectives_that_agree_with_a_noun_before_them_raise_nothing(french):
    assert AgreementDetector().detect(context(french)) == []
