"""Shared fixtures: the bundled sample, the tiny Marian model, Apertium when installed."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# No hub is reachable in CI; asking it costs ~50 s of retries before failing.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Never read or write the user's own translation cache or converted models. A process the
# tests start that imports this module too (a Ray worker unpickling a test's checker factory)
# uses the session's cache rather than a new one of its own, which nobody would remove.
_OWN_CACHE = "MTCHECK_TEST_CACHE" not in os.environ
if _OWN_CACHE:
    os.environ["MTCHECK_TEST_CACHE"] = tempfile.mkdtemp(prefix="mtcheck-test-cache-")
os.environ["MTCHECK_CACHE"] = _TEST_CACHE = os.environ["MTCHECK_TEST_CACHE"]

from mtcheck.corpus import ArticleInput, read_article  # noqa: E402
from mtcheck.lang.apertium import apertium_problem  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "mtcheck" / "resources" / "samples" / "ukraine-atacms"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _OWN_CACHE:
        shutil.rmtree(_TEST_CACHE, ignore_errors=True)


needs_apertium = pytest.mark.skipif(apertium_problem() is not None, reason=str(apertium_problem()))


@pytest.fixture(scope="session")
def sample() -> ArticleInput:
    return read_article(SAMPLE_DIR)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny fr→en Marian model, trained once per test session (~20 s on 2 cores)."""
    from tests.fixture_models import build_tiny_marian

    return build_tiny_marian(tmp_path_factory.mktemp("tiny-marian"))


@pytest.fixture(scope="session")
def hf_tiny(tiny_model: Path):
    from mtcheck.engines.hf import HFEngine

    return HFEngine(model=str(tiny_model), beam_size=2, local_files_only=True)


@pytest.fixture(scope="session")
def apertium():
    from mtcheck.engines.apertium import ApertiumEngine

    problem = apertium_problem()
    if problem:
        pytest.skip(problem)
    return ApertiumEngine()


@pytest.fixture(scope="session")
def sample_report_apertium(sample, apertium):
    """The bundled sample checked end to end with Apertium (computed once)."""
    from mtcheck import Checker

    return Checker(engine=apertium).check(sample.text, sample.references, article_id=sample.id)
