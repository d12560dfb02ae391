"""The package as a user installs it: a wheel in a fresh virtual environment, run from elsewhere.

Only the editable install can read files beside the checkout; a wheel has nothing but what
it ships. This builds the wheel, installs it (no editable link) into a new virtual
environment that borrows the already installed dependencies, and checks from a folder
outside the checkout that it finds the same flags as the editable install: the bundled
sample, the lexicons and the word-level QE model all come from inside the package.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .wheel_install import install_wheel

ROOT = Path(__file__).resolve().parent.parent
RUNS = {
    "sample": [],
    "detectors-only": ["--flag-model", "none"],
}

pytestmark = pytest.mark.apertium


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from mtcheck.lang.apertium import apertium_problem

    if apertium_problem() is not None:
        pytest.skip("needs Apertium (the engine every run below uses)")
    base = tmp_path_factory.mktemp("wheel")
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    # The environment borrows torch, transformers, … from this interpreter (no download), but
    # mtcheck itself only from the wheel.
    scripts = install_wheel(base, borrow_dependencies=True)
    return {"python": scripts / "python", "mtcheck": scripts / "mtcheck", "elsewhere": elsewhere,
            "venv": scripts.parent}


def _env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return {**env, "HF_HUB_OFFLINE": "1", "MTCHECK_CACHE": str(cache)}


def _flags(report: dict) -> list[tuple]:
    return [(f["start"], f["end"], f["detector"], f["category"], f["severity"], f["message"], f["suggestion"])
            for f in report["flags"]]


def test_the_wheel_imports_mtcheck_from_itself(wheel_env: dict[str, Path]):
    out = subprocess.run([str(wheel_env["python"]), "-c",
                          "import mtcheck, mtcheck.resources as r; print(mtcheck.__file__); print(r.sample_folder())"],
                         capture_output=True, text=True, check=True, cwd=wheel_env["elsewhere"],
                         env=_env(wheel_env["elsewhere"] / "cache"))
    module, sample = out.stdout.split()
    assert Path(module).is_relative_to(wheel_env["venv"]), f"mtcheck came from {module}, not the wheel"
    assert Path(sample).is_relative_to(wheel_env["venv"])
    assert not Path(module).is_relative_to(ROOT)


@pytest.mark.parametrize("run", list(RUNS))
def test_the_wheel_flags_what_the_editable_install_flags(wheel_env: dict[str, Path], run: str, tmp_path: Path):
    args = ["check", "--engine", "apertium", "--format", "json", "-q", *RUNS[run]]
    installed = subprocess.run([str(wheel_env["mtcheck"]), *args], capture_output=True, text=True,
                               cwd=wheel_env["elsewhere"], env=_env(tmp_path / "wheel-cache"))
    assert installed.returncode == 0, installed.stderr
    editable = subprocess.run([sys.executable, "-m", "mtcheck.cli", *args], capture_output=True, text=True,
                              cwd=ROOT, env=_env(tmp_path / "editable-cache"))
    assert editable.returncode == 0, editable.stderr
    wheel_report, editable_report = json.loads(installed.stdout), json.loads(editable.stdout)
    assert wheel_report["flags"], "the sample always draws flags"
    assert _flags(wheel_report) == _flags(editable_report)
    assert wheel_report["signature"]["string"] == editable_report["signature"]["string"]
    if run == "sample":
        assert "lexicon" in {f["detector"] for f in wheel_report["flags"]}, "the bundled lexicons were not read"
    # The detection model's weights are package data: a wheel without them would fall back silently.
    assert wheel_report["mqm_estimate_source"] == ("flags" if run == "detectors-only" else "model")


def test_a_missing_bundled_resource_is_an_error_naming_it(wheel_env: dict[str, Path]):
    """A broken install must fail loudly, never check with an empty lexicon."""
    site = next(wheel_env["venv"].glob("lib/python*/site-packages/mtcheck/resources/lexicons"))
    for lexicon in site.glob("*.yaml"):
        lexicon.rename(lexicon.with_suffix(".moved"))
    try:
        out = subprocess.run([str(wheel_env["mtcheck"]), "check", "--engine", "apertium", "-q", "--detectors", "lexicon"],
                             capture_output=True, text=True, cwd=wheel_env["elsewhere"],
                             env=_env(wheel_env["elsewhere"] / "cache"))
    finally:
        for moved in site.glob("*.moved"):
            moved.rename(moved.with_suffix(".yaml"))
    assert out.returncode == 2
    assert "mtcheck/resources/lexicons" in out.stderr and "Traceback" not in out.stderr


def test_the_review_app_serves_its_pages_from_the_wheel(wheel_env: dict[str, Path], tmp_path: Path):
    """The review's templates, script and styles are package data: the installed app serves them."""
    script = (
        "import json, sys, mtcheck.review.app as app\n"
        "from mtcheck.review.run import ReviewRun\n"
        "from starlette.testclient import TestClient\n"
        "run = ReviewRun.open(sys.argv[1])\n"
        "client = TestClient(app.create_app(run, settings=app.ReviewSettings(allowed_hosts=['testserver'])))\n"
        "print(json.dumps({'module': app.__file__, 'statuses': [client.get(u).status_code for u in "
        "('/', '/article/' + run.articles[0].article_id, '/static/review.js', '/static/review.css')]}))\n")
    report = tmp_path / "report.json"
    out = subprocess.run([str(wheel_env["mtcheck"]), "check", "--engine", "apertium", "-q", "--format", "json",
                          "-o", str(report)], capture_output=True, text=True, cwd=wheel_env["elsewhere"],
                         env=_env(wheel_env["elsewhere"] / "cache"))
    if out.returncode != 0 and "apertium" in out.stderr.lower():
        pytest.skip(out.stderr.strip())
    assert out.returncode == 0, out.stderr
    served = subprocess.run([str(wheel_env["python"]), "-c", script, str(report)], capture_output=True, text=True,
                            cwd=wheel_env["elsewhere"], env=_env(wheel_env["elsewhere"] / "cache"))
    assert served.returncode == 0, served.stderr
    result = json.loads(served.stdout)
    assert Path(result["module"]).is_relative_to(wheel_env["venv"])
    assert result["statuses"] == [200, 200, 200, 200]
