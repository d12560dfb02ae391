"""The regression gate on the bundled corpora, from their stored back-translations."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree as ET


from mtcheck.regress.gate import Tolerance, compare

from .conftest import ROOT

CORPORA = sorted(p for p in (ROOT / "data" / "corpora").iterdir() if (p / "articles").is_dir())
BASELINE = ROOT / "data" / "corpora" / "baseline.json"
DEGRADED = ["basic-defs-1", "choosing-2", "pkgtools-1"]  # debian-faq articles swapped for machine translation


def _gate(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    # No --engine: everything must come from the stored back-translations, as in CI.
    return subprocess.run([sys.executable, "-m", "mtcheck.cli", "regress", *args], capture_output=True, text=True,
                          timeout=timeout)


def test_bundled_corpora_pass_from_the_stored_cache_in_under_a_minute(tmp_path: Path):
    start = time.monotonic()
    run = _gate(*map(str, CORPORA), "--baseline", str(BASELINE), "--junit", str(tmp_path / "junit.xml"))
    elapsed = time.monotonic() - start
    assert run.returncode == 0, run.stdout + run.stderr
    assert elapsed < 60, f"the gate took {elapsed:.0f} s"
    suites = ET.parse(tmp_path / "junit.xml").getroot()
    assert {s.get("name") for s in suites} == {c.name for c in CORPORA}
    assert all(s.get("failures") == "0" for s in suites)


def test_degraded_corpus_fails_naming_the_degraded_articles(tmp_path: Path):
    corpus = tmp_path / "debian-faq"
    shutil.copytree(ROOT / "data" / "corpora" / "debian-faq", corpus)
    for article in DEGRADED:
        shutil.copy(corpus / "apertium-mt" / article / "article.fr.txt", corpus / "articles" / article / "article.fr.txt")
    run = _gate(str(corpus), "--baseline", str(BASELINE), "--junit", str(tmp_path / "junit.xml"))
    assert run.returncode == 1, run.stdout + run.stderr
    failing = {line for line in run.stderr.splitlines() if "regression in" in line}
    assert failing, run.stderr
    named = {a for a in DEGRADED if f"debian-faq/{a}" in run.stderr}
    assert named == set(DEGRADED)
    cases = ET.parse(tmp_path / "junit.xml").getroot().iter("testcase")
    assert {c.get("name") for c in cases if c.find("failure") is not None} >= set(DEGRADED)


def test_tolerances_decide_what_is_a_regression():
    base = {"c": {"corpus": {"chrf": 50.0, "ter": 60.0}, "articles": {"a": {"chrf": 50.0, "critical": 0}}}}
    now = {"c": {"corpus": {"chrf": 49.5, "ter": 62.0}, "articles": {"a": {"chrf": 47.0, "critical": 1}}}}
    changes = compare(base, now, Tolerance({"chrf": 1.0, "ter": 1.0}, relative=0.0))
    verdict = {(c.article, c.metric): c.regression for c in changes}
    assert verdict == {(None, "chrf"): False, (None, "ter"): True, ("a", "chrf"): True, ("a", "critical"): True}
    loose = compare(base, now, Tolerance({"chrf": 5.0, "ter": 5.0}, relative=0.0, new_critical=1))
    assert not any(c.regression for c in loose)


def test_a_row_shows_enough_digits_to_tell_why_it_failed():
    base = {"c": {"corpus": {"chrf": 50.0}, "articles": {}}}
    now = {"c": {"corpus": {"chrf": 49.4951}, "articles": {}}}  # worse by 0.5049: "0.50" at two decimals
    (change,) = compare(base, now, Tolerance({"chrf": 0.5}, relative=0.0))
    assert change.regression and change.note == "worse by 0.505 (allowed 0.500)"
    (clear,) = compare(base, {"c": {"corpus": {"chrf": 48.0}, "articles": {}}}, Tolerance({"chrf": 0.5}, relative=0.0))
    assert clear.note == "worse by 2.00 (allowed 0.50)"


def test_an_article_removed_from_a_corpus_fails_only_when_asked():
    base = {"c": {"corpus": {"chrf": 50.0}, "articles": {"a": {"chrf": 50.0}, "worst": {"chrf": 10.0}}}}
    now = {"c": {"corpus": {"chrf": 50.0}, "articles": {"a": {"chrf": 50.0}}}}
    (noted,) = compare(base, now, Tolerance())
    assert (noted.article, noted.note, noted.regression) == ("worst", "article removed", False)
    (failed,) = compare(base, now, Tolerance(removed_fails=True))
    assert failed.regression and failed.where.endswith("worst")


def test_a_missing_stored_translation_without_an_engine_is_a_clear_error(tmp_path: Path):
    corpus = tmp_path / "debian-faq"
    shutil.copytree(ROOT / "data" / "corpora" / "debian-faq", corpus)
    (corpus / "articles" / "basic-defs-1" / "article.fr.txt").write_text("Une phrase toute nouvelle.\n",
                                                                        encoding="utf-8")
    run = _gate(str(corpus), "--baseline", str(BASELINE))
    assert run.returncode == 2 and "no stored back-translation" in run.stderr and "--engine" in run.stderr
    assert "Traceback" not in run.stderr
