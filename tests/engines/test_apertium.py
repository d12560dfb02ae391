from pathlib import Path

import pytest

from tests.conftest import needs_apertium

pytestmark = needs_apertium


def test_translates_french_to_english(apertium):
    (out,) = apertium.translate(["Le président a autorisé l’utilisation des armes."])
    assert "president" in out.text.lower()
    assert "apertium" in out.engine


def test_one_output_per_input_in_order(apertium):
    texts = ["Bonjour.", "Les missiles parleront par eux-mêmes.", "", "La guerre continue."]
    out = apertium.translate(texts)
    assert len(out) == 4
    assert "missiles" in out[1].text and "war" in out[3].text.lower()


def test_lexical_links_follow_reordering(apertium):
    source = "Ils ont utilisé leurs armes artificielles."
    (out,) = apertium.translate([source])
    links = {out.text[l.target_start : l.target_end]: source[l.source_start : l.source_end] for l in out.links}
    # Apertium reorders "armes artificielles" to "artificial arms"; each word keeps its French source.
    assert links.get("artificial") == "artificielles"
    assert links.get("arms") == "armes"


def test_a_reporting_clause_with_its_subject_after_the_verb_translates_whole(apertium):
    # Apertium alone turns "», a-t-il déclaré" into the Spanish-English blend "hadeclarado".
    source = "« Ils en ont vraiment besoin », a-t-il déclaré."
    (out,) = apertium.translate([source])
    words = out.text.lower().split()
    assert "declared." in words and not any("hadeclarado" in w for w in words)
    links = {out.text[l.target_start : l.target_end]: source[l.source_start : l.source_end] for l in out.links}
    assert links.get("declared") == "déclaré"


def test_questions_keep_their_inverted_subject():
    from mtcheck.engines.apertium import subject_first

    assert subject_first("Est-il possible ?") == "Est-il possible ?"
    assert subject_first("« Non », poursuit-elle.") == "« Non », elle poursuit."


def test_a_text_translates_the_same_alone_and_in_a_batch(apertium):
    # On a plain line break Apertium carries the capitals of one line into the next ("Radio"
    # after a line ending in "classique", "Radius" alone); texts are separated by a blank line.
    text = "Radio Flyer 12 dans. Tricycle rouge classique"
    (alone,) = apertium.translate([text])
    _, batched = apertium.translate([text, text])
    assert batched.text == alone.text


def test_word_links_pick_the_nearest_glossed_word_on_any_sentence():
    """Linking by lookup gives what the definition says (the glossed French word nearest in relative
    position, the earlier one on a tie), also on sentences with thousands of repeated words."""
    import random
    from unittest import mock

    import mtcheck.engines.apertium as apertium
    from mtcheck.lang.words import word_spans

    def by_definition(english, glossed, source):
        src, eng, links = word_spans(source), word_spans(english), []
        for pos, (s, e) in enumerate(eng):
            found = [idx for g, idx in glossed if g == english[s:e].lower() and idx < len(src)]
            if found:
                rel = pos / max(1, len(eng) - 1)
                best = min(found, key=lambda idx: abs(idx / max(1, len(src) - 1) - rel))
                links.append((s, e, *src[best]))
        return links

    rng = random.Random(7)
    vocab = "the of a to in is and it".split()
    for n_src, n_eng in [(rng.randint(1, 30), rng.randint(1, 30)) for _ in range(500)] + [(3000, 3000)]:
        source = " ".join(rng.choice(["le", "la", "de", "un", "et"]) for _ in range(n_src))
        english = " ".join(rng.choice(vocab) for _ in range(n_eng))
        glossed = [(rng.choice(vocab), rng.randint(0, n_src + 2)) for _ in range(rng.randint(0, 2 * n_src))]
        with mock.patch.object(apertium, "_gloss_words", lambda gloss: glossed):
            got = [(l.target_start, l.target_end, l.source_start, l.source_end)
                   for l in apertium._links(english, "", source)]
        assert got == by_definition(english, glossed, source)


ROOT = Path(__file__).resolve().parent.parent.parent


def _corpus_references(count: int) -> list[str]:
    """English paragraphs of the bundled corpora: in this order, eng-spa's tagger, kept running
    across texts, tagged the 18th differently from `apertium` (it carries state over a NUL)."""
    from mtcheck.corpus import read_article

    texts: list[str] = []
    for folder in sorted((ROOT / "data" / "corpora").glob("*/articles/*")):
        texts += [r.text for r in read_article(folder).references]
    return texts[:count]


def _sample_paragraphs() -> list[str]:
    text = (ROOT / "mtcheck/resources/samples/ukraine-atacms/article.fr.txt").read_text(encoding="utf-8")
    return [p for p in text.split("\n") if p.strip()][:8]


def _one_shot(modes, text):
    from mtcheck.lang.apertium import run_stages

    return run_stages([(m, ["apertium", "-u", m]) for m in modes], text, 120)


@needs_apertium
@pytest.mark.parametrize("modes,texts", [(("fr-es", "spa-eng"), _sample_paragraphs),
                                         (("eng-spa", "es-fr"), lambda: _corpus_references(20))])
def test_running_pipelines_translate_as_the_apertium_command_text_after_text(modes, texts):
    from mtcheck.engines.apertium import ApertiumEngine

    engine = ApertiumEngine(pivot_modes=modes)
    for text in texts():  # each after the others, through the same running processes
        assert engine._pipeline(text) == _one_shot(modes, text)
    assert len(engine._pipelines) == 2  # one running pipeline per mode, started once


@needs_apertium
def test_a_pipeline_that_stops_is_started_again_and_a_broken_one_falls_back(apertium, monkeypatch):
    import os
    import signal

    from mtcheck.engines.apertium import ApertiumEngine
    from mtcheck.lang.apertium import NullFlushPipeline

    engine = ApertiumEngine()
    text = _sample_paragraphs()[0]
    expected = _one_shot(engine.pivot_modes, text)
    assert engine._pipeline(text) == expected
    running = next(s for s in engine._pipelines["apertium fr-es"].steps if isinstance(s, NullFlushPipeline))
    os.killpg(running._process.pid, signal.SIGKILL)
    running._process.wait()
    assert engine._pipeline(text) == expected  # started again

    def cannot_start(mode: str, unknown_words: str = "-n"):
        raise OSError("apertium-wblank-mode is missing")

    # A pipeline that cannot start at all: the one-shot command answers (and would name a failure).
    monkeypatch.setattr("mtcheck.engines.apertium.mode_pipeline", cannot_start)
    assert ApertiumEngine()._pipeline(text) == expected
