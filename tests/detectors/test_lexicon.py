from pathlib import Path

import pytest

from mtcheck.detectors.lexicon import LexiconDetector, load_lexicon, load_lexicons
from mtcheck.errors import ConfigError
from mtcheck.types import Category

from ._context import context


@pytest.mark.parametrize("french, calque", [
    ("Le ministre a adressé le problème lors de la réunion.", "adressé le problème"),
    ("Cette décision fait du sens pour le gouvernement.", "fait du sens"),
    ("Il a supporté la candidature de son rival.", "supporté la candidature"),
    ("Le pays a sécurisé un accord avec ses voisins.", "sécurisé un accord"),
    ("Elle a appliqué pour un visa de travail.", "appliqué pour un visa"),
    ("Ce moteur performe bien par temps froid.", "performe"),
    ("Les frappes se feront avec une fusée ATACMS.", "fusée"),
    ("Des fusées tirées sur la ville ont fait deux blessés.", "fusées"),
])
def test_bundled_lexicon_finds_documented_calques(french, calque):
    flags = LexiconDetector().detect(context(french))
    assert any(calque.split()[0] in f.text for f in flags), [f.text for f in flags]
    flag = next(f for f in flags if calque.split()[0] in f.text)
    assert french[flag.start:flag.end] == flag.text
    assert flag.suggestion and flag.evidence["source"]


def test_correct_french_raises_nothing():
    french = ("Le ministre a abordé le problème et soutenu la candidature de son rival, ce qui a du sens. "
              "La perceuse, très performante, est livrée avec deux batteries. La fusée Ariane a décollé. "
              # the French senses of the false friends
              "Il faut démontrer que la location d'une voiture est chère. Le retard, dû à la grève, "
              "a duré. De toute évidence, il est éligible à la présidence et a du caractère.")
    assert LexiconDetector().detect(context(french)) == []


def test_every_bundled_entry_is_documented():
    entries = load_lexicons()
    assert len(entries) >= 15
    for e in entries:
        assert e.source.strip() and e.explanation.strip() and e.suggestion.strip(), e.id


@pytest.mark.parametrize("entry", load_lexicons(), ids=lambda e: e.id)
def test_every_bundled_pattern_matches_its_own_example(entry):
    assert entry.example, f"{entry.id} has no example"
    assert entry.pattern.search(entry.example), f"{entry.id} does not match {entry.example!r}"


@pytest.mark.parametrize("entry", [e for e in load_lexicons() if e.counterexamples], ids=lambda e: e.id)
def test_no_bundled_pattern_matches_the_correct_french_it_lists(entry):
    for sentence in entry.counterexamples:
        assert not entry.pattern.search(sentence), f"{entry.id} matches correct French {sentence!r}"


def test_user_lexicon_extends_the_bundled_one(tmp_path: Path):
    own = tmp_path / "house.yaml"
    own.write_text("""entries:
  - id: house-cibler
    pattern: adresser
    category: terminology
    severity: minor
    explanation: house style prefers "traiter"
    suggestion: traiter
    source: our style guide
""", encoding="utf-8")
    flags = LexiconDetector(paths=[own]).detect(context("Il faut adresser cette question."))
    assert [f.category for f in flags if f.evidence["lexicon_entry"] == "house-cibler"] == [Category.TERMINOLOGY]


def test_every_alternative_of_a_pattern_matches_whole_words_only(tmp_path: Path):
    own = tmp_path / "house.yaml"
    own.write_text("""entries:
  - id: house-alternatives
    pattern: "réaliser|impacter"
    category: terminology
    severity: minor
    explanation: house style
    suggestion: comprendre / toucher
    source: our style guide
""", encoding="utf-8")
    detector = LexiconDetector(paths=[own])
    # "réaliseraient" and "surimpacter" hold the words without being them.
    french = "Il faut réaliser qu'ils le réaliseraient sans surimpacter les prix. Cela va impacter."
    texts = [f.text for f in detector.detect(context(french)) if f.evidence["lexicon_entry"] == "house-alternatives"]
    assert texts == ["réaliser", "impacter"]


def test_bad_lexicon_names_the_file_and_entry(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("entries:\n  - id: x\n    pattern: foo\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yaml: entry 1 lacks"):
        load_lexicon(bad)
