from mtcheck.detectors.residue import ResidueDetector
from mtcheck.types import Category

from ._context import context


def test_embed_residue_and_boilerplate_are_flagged():
    french = "Il l'a dit sur Twitter. pic.twitter.com/AbC123\nLire aussi : Kiev reçoit des chars\nLa suite."
    flags = ResidueDetector().detect(context(french))
    texts = sorted(f.text for f in flags)
    assert "pic.twitter.com/AbC123" in texts
    assert any(t.startswith("Lire aussi") for t in texts)
    assert all(f.category is Category.ARTIFACT and french[f.start:f.end] == f.text for f in flags)


def test_clean_article_and_plain_links_raise_nothing():
    french = "Le rapport est en ligne sur https://example.org/rapport. Il sera lu aussi demain."
    assert ResidueDetector().detect(context(french)) == []


def test_boilerplate_left_in_the_source_editions_language_is_flagged():
    # An Indonesian outlet's French edition: the teaser of the source page left untranslated.
    french = "Les pluies ont repris mardi.\nBaca juga: Banjir di Valencia\nRead also: Floods in Spain\nLa suite."
    texts = [f.text for f in ResidueDetector().detect(context(french))]
    assert texts == ["Baca juga: Banjir di Valencia", "Read also: Floods in Spain"]
