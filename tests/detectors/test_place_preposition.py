import pytest

from mtcheck.lang.grammalecte import grammalecte_checker

from ._context import context

pytestmark = pytest.mark.skipif(grammalecte_checker() is None, reason="Grammalecte is not installed")


def _flags(text):
    from mtcheck.detectors.place_preposition import PlacePrepositionDetector

    return PlacePrepositionDetector().detect(context(text))


@pytest.mark.parametrize("text,span,suggestion", [
    ("Les Alliés ont débarqué à Normandie en 1944.", "à Normandie", "en Normandie"),  # a region
    ("Le ministre s'est rendu en Japon.", "en Japon", "au Japon"),
    ("Il est né au France.", "au France", "en France"),
    ("Ils vivent à États-Unis depuis dix ans.", "à États-Unis", "aux États-Unis"),
    ("À Maroc, les élections ont eu lieu.", "À Maroc", "Au Maroc"),
    ("Le président de Mexique a parlé.", "de Mexique", "du Mexique"),
    ("L'ambassadeur du France est parti.", "du France", "de France"),
    ("Les troupes de États-Unis sont arrivées.", "de États-Unis", "des États-Unis"),
])
def test_the_english_in_kept_for_every_place_is_flagged(text, span, suggestion):
    (flag,) = _flags(text)
    assert text[flag.start:flag.end] == span and flag.suggestion == suggestion


@pytest.mark.parametrize("text", [
    "Il vit en Iran, au Maroc, aux Philippines et en Bretagne.",
    "Elle travaille à Paris et passe l'été à Malte.",  # a city; an island without article
    "Il regarde France Télévisions et France 24.",  # names of a channel
    "Elle est allée à Cuba, puis en Israël.",
    "Un projecteur à LED portable.",  # an acronym
    "Le ministre a rendu visite à Hollande.",  # also a person's name
    "Le roi du Maroc et la reine de France, l'ambassadeur d'Iran, le président des États-Unis.",
])
def test_correct_french_and_names_are_left_alone(text):
    assert _flags(text) == []
