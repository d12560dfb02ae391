"""Text a reader cannot see and sentences too long to check whole: what a user's article may hold."""

from __future__ import annotations

import io
import time

import pytest
from .cli_runner import run_cli

from mtcheck import Checker
from mtcheck.lang.grammalecte import grammalecte_checker
from mtcheck.lang.invisible import VisibleText
from mtcheck.progress import Progress, ProgressMode
from mtcheck.segment import FrenchSegmenter

needs_grammalecte = pytest.mark.skipif(grammalecte_checker() is None, reason="Grammalecte is not installed")

CLEAN = ("Le gouvernement a annoncé une nouvelle aide militaire pour l'Ukraine. "
         "Le président a parlé aux journalistes de la défense aérienne.")


def _hyphenated(text: str) -> str:
    """Soft hyphens and word joiners inside words, as a CMS's hyphenation leaves them."""
    return (text.replace("nouvelle", "nou\u00advelle").replace("journalistes", "jour\u2060nalistes")
            .replace("gouvernement", "gou\u00adver\u00adne\u00adment").replace("défense", "dé\ufefffense"))


def test_visible_text_maps_every_offset_back():
    original = "a\u00adb\u2060\u2060c d\u00ad"
    visible = VisibleText.of(original)
    assert visible.text == "abc d"
    kept = [i for i, ch in enumerate(original) if ch not in "\u00ad\u2060"]
    assert [visible.start(i) for i in range(len(visible.text))] == kept
    assert visible.span(0, 3) == (0, 6) and original[slice(*visible.span(4, 5))] == "d"
    assert VisibleText.of("plain").unchanged


def test_an_article_of_invisible_characters_is_empty(hf_tiny):
    from mtcheck.errors import InputError

    with pytest.raises(InputError, match="the article is empty"):
        Checker(engine=hf_tiny, detectors=["numbers"], reverse_engine=None).check("\u2060\u00ad \n\ufeff")


@needs_grammalecte
def test_soft_hyphens_and_word_joiners_raise_no_grammar_or_spelling_alarm(hf_tiny):
    """They split "nou\u00advelle" into "nou" and "velle" for Grammalecte: false alarms before the fix."""
    checker = Checker(engine=hf_tiny, detectors=["grammar", "spelling", "agreement"], reverse_engine=None)
    clean = checker.check(CLEAN)
    text = _hyphenated(CLEAN)
    hyphenated = checker.check(text)
    assert [(f.detector, f.text.replace("\u00ad", "").replace("\u2060", "").replace("\ufeff", ""))
            for f in hyphenated.flags] == [(f.detector, f.text) for f in clean.flags]
    for flag in hyphenated.flags:
        assert text[flag.start : flag.end] == flag.text
    for seg in hyphenated.segments:
        assert text[seg.start : seg.end] == seg.text
    assert [b.text for b in hyphenated.back_translations] == [b.text for b in clean.back_translations]


def test_a_sentence_too_long_is_cut_into_windows_with_exact_offsets():
    line = " ".join(["mot"] * 40_000)  # 160,000 characters, no punctuation
    segments = FrenchSegmenter().segment("Un titre.\n\n" + line)
    long = [s for s in segments if s.window]
    assert len(long) >= 160 and all(len(s.text) <= 1000 for s in long)
    text = "Un titre.\n\n" + line
    assert all(text[s.start : s.end] == s.text for s in segments)
    assert "".join(s.text + " " for s in long).split() == line.split()
    (warning,) = FrenchSegmenter().window_warnings(segments)
    assert "159,999 characters long" in warning and f"{len(long)} windows" in warning


def test_windows_cut_at_clause_breaks_before_spaces():
    sentence = ", ".join(f"la clause numéro {i} du texte" for i in range(80)) + "."
    segments = FrenchSegmenter().segment(sentence)
    assert len(segments) > 1
    assert all(s.text.endswith(",") for s in segments[:-1])


def test_check_warns_about_a_windowed_sentence(tiny_model, tmp_path):
    article = tmp_path / "long.fr.txt"
    article.write_text("le président a parlé . " + " ".join(["la source a refusé la frappe"] * 60) + "\n",
                       encoding="utf-8")
    result = run_cli(["check", str(article), "--engine", "hf", "--model", str(tiny_model),
                      "--no-cache", "--format", "json", "-q", "--detectors", "numbers"])
    assert result.exit_code == 0, result.stderr
    assert "warning" in result.stderr and "windows of at most 1,000 characters" in result.stderr
    assert '"warnings": [' in result.stdout


def test_a_log_gets_one_line_per_stage_and_quiet_gets_none(tiny_model, tmp_path):
    article = tmp_path / "a.fr.txt"
    article.write_text("le président a parlé .\n\nla source a refusé la frappe .\n", encoding="utf-8")
    args = ["check", str(article), "--engine", "hf", "--model", str(tiny_model), "--no-cache",
            "--detectors", "numbers,residue", "--format", "json"]
    logged = run_cli(args)  # stderr is not a terminal here, as in CI or a cron job
    assert logged.exit_code == 0
    stages = [line for line in logged.stderr.splitlines() if line.startswith("mtcheck: ") and ":" in line[9:]]
    assert "mtcheck: back-translating: 2 sentences" in stages
    assert "mtcheck: running detectors: 2 detectors" in stages
    assert "\r" not in logged.stderr
    quiet = run_cli([*args, "--quiet"])
    assert quiet.stderr == ""


def test_a_terminal_gets_a_bar_that_moves():
    stream = io.StringIO()
    with Progress(ProgressMode.BAR, stream).stage("back-translating", 2, "sentence") as advance:
        for _ in range(2):
            time.sleep(0.6)  # past the bar's refresh interval
            advance(1)
    assert "back-translating" in stream.getvalue() and "1/2" in stream.getvalue()
    assert stream.getvalue().endswith("\r"), "the bar is removed when its stage ends"
