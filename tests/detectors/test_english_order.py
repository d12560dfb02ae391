import pytest

from mtcheck.detectors.english_order import EnglishOrderDetector
from mtcheck.lang.grammalecte import grammalecte_checker
from mtcheck.types import Category

from ._context import context

pytestmark = pytest.mark.skipif(grammalecte_checker() is None, reason="Grammalecte is not installed")


@pytest.mark.parametrize("french, calque, fix", [
    ("Le kit comprend deux polyester pochettes.", "polyester pochettes", "pochettes de polyester"),
    ("Une mallette robuste avec poignée et outil kit inclus.", "outil kit", "kit d’outil"),
    ("Idéal pour votre exercice routine du matin.", "exercice routine", "routine d’exercice"),
    ("Le vélo est livré avec de robustes pneus et une selle.", "robustes pneus", "pneus robustes"),
    ("La housse a une réversible finition.", "réversible finition", "finition réversible"),
    # a quantity keeps its place and takes "de": "10 milliards d’euros", not "euros de milliards"
    ("Le gouvernement a débloqué 10 milliards euros pour les sinistrés.", "milliards euros", "milliards d’euros"),
    ("Le pays a exporté deux millions dollars de blé.", "millions dollars", "millions de dollars"),
])
def test_english_order_is_flagged_with_the_french_order(french, calque, fix):
    (flag,) = EnglishOrderDetector().detect(context(french))
    assert french[flag.start:flag.end] == flag.text == calque
    assert flag.category is Category.FLUENCY and flag.suggestion == fix


@pytest.mark.parametrize("french", [
    "Les éléments clés du plan ont été présentés hier.",  # "clé" is an epithet noun in French
    "Le ministre de la Défense a visité la base aérienne.",  # noun + adjective, noun + preposition
    "La Maison Blanche et le Pentagone ont répondu.",  # capitalised names
    "Il porte une veste rouge et des chaussures noires.",  # adjectives after nouns
    "Une petite maison et une faible luminosité.",  # adjectives French puts first
])
def test_french_noun_phrases_raise_nothing(french):
    assert EnglishOrderDetector().detect(context(french)) == []
