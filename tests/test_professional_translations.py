"""Idiomatic human French draws no serious flag: precision on text without errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtcheck import Checker
from mtcheck.corpus import read_article
from mtcheck.types import Severity

from .conftest import needs_apertium

ARTICLES = sorted(p for p in (Path(__file__).parent / "data" / "professional").iterdir() if p.is_dir())


@needs_apertium
@pytest.mark.parametrize("folder", ARTICLES, ids=[p.name for p in ARTICLES])
def test_a_professional_translation_draws_no_major_flag(apertium, folder: Path):
    article = read_article(folder)
    report = Checker(engine=apertium).check(article.text, article.references, article_id=article.id)
    serious = [(f.detector, f.text, f.message) for f in report.flags if f.severity.rank >= Severity.MAJOR.rank]
    assert report.alignments and serious == []
