import pytest

from mtcheck.detectors.causative_infinitive import CausativeInfinitiveDetector
from mtcheck.lang.grammalecte import grammalecte_checker
from mtcheck.types import Category, Severity

from ._context import context

pytestmark = pytest.mark.skipif(grammalecte_checker() is None, reason="Grammalecte is not installed")


# The span is the object's last noun phrase and the conjugated verb; the fix is the same words
# with the infinitive.
@pytest.mark.parametrize("french, span, fix", [
    ("Il est important de ne pas laisser les Patriotes se mettent au chômage.",
     "les Patriotes se mettent", "les Patriotes se mettre"),
    ("Il ne faut pas laisser des systèmes comme Patriot et d’autres systèmes se décharge dans les entrepôts.",
     "d’autres systèmes se décharge", "d’autres systèmes se décharger"),
    ("Le gouvernement a vu les prix augmentent rapidement.", "les prix augmentent", "les prix augmenter"),
    ("Elle fait les enfants mangent tôt.", "les enfants mangent", "les enfants manger"),
    ("Ils ont laissé les prisonniers s’enfuient.", "les prisonniers s’enfuient", "les prisonniers s’enfuir"),
])
def test_a_conjugated_verb_after_a_causative_and_its_object_is_flagged(french, span, fix):
    (flag,) = CausativeInfinitiveDetector().detect(context(french))
    assert flag.text == span == french[flag.start:flag.end]
    assert flag.suggestion == fix
    assert flag.category is Category.GRAMMAR and flag.severity is Severity.MAJOR


@pytest.mark.parametrize("french", [
    "Il ne faut pas laisser les systèmes rester dans les entrepôts.",  # the infinitive French wants
    "Faire les courses prend du temps.",  # an infinitive subject, then its verb
    "Ceux qui font la loi décident de tout.",  # a relative clause, then the main verb
    "Les promesses que font les partis changent souvent.",  # inverted subject of a relative
    "Le simple fait de voir les enfants est un plaisir.",  # être after an infinitive subject
    "Le fait que les prix augmentent inquiète.",  # 'fait' is a noun here
    "La vue des montagnes inspire les peintres.",  # so is 'vue' after an article
    "Il laisse la porte ouverte et part.",  # an adjective, then a second verb joined by 'et'
])
def test_constructions_where_french_allows_a_conjugated_verb_raise_nothing(french):
    assert CausativeInfinitiveDetector().detect(context(french)) == []
