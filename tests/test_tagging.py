import pytest

from mtcheck.lang.tagging import ApertiumTagger
from tests.conftest import needs_apertium

pytestmark = needs_apertium


def test_each_text_gets_its_own_words_with_offsets_into_it():
    texts = ["Il les a vus.", "Elle l’a dit à ses amis."]
    tagged = ApertiumTagger.french().tag(texts)
    assert len(tagged) == 2
    for text, words in zip(texts, tagged):
        assert all(text[w.start:w.end] == w.surface for w in words)
    les = next(w for w in tagged[0] if w.surface == "les")
    assert les.has("prn", "pro", "pl") and les.lemma == "le"


def test_english_object_pronouns_are_told_from_subjects():
    (words,) = ApertiumTagger.english().tag(["It is clear that partners should give them to us."])
    it = next(w for w in words if w.surface == "It")
    them = next(w for w in words if w.surface == "them")
    assert it.has("subj") and them.has("obj", "pl")


def test_texts_the_cache_holds_are_not_tagged_again(tmp_path, monkeypatch):
    from mtcheck.engines.cache import TranslationCache

    cache = TranslationCache(tmp_path / "cache.sqlite")
    tagger = ApertiumTagger.french()
    first = tagger.tag(["Il les a vus.", "Elle l’a dit."], cache)
    monkeypatch.setattr(ApertiumTagger, "_run", lambda self, text: pytest.fail("tagged again"))
    assert tagger.tag(["Elle l’a dit.", "Il les a vus."], cache) == first[::-1]
