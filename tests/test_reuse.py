"""`mtcheck check` of an unchanged article prints its kept output without building the checker,
and anything that could change the output (the article, its references, an option, a file an
option or the config names, the model's files) makes it check anew."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from .cli_runner import run_cli

from mtcheck.checker import Checker
from mtcheck.reuse import CheckOutputs, KeptOutput

LEXICON = """name: house
entries:
  - id: house-rule
    pattern: "présidente"
    category: terminology
    severity: minor
    explanation: "the house style says 'chef de l'État'"
    suggestion: "chef de l'État"
    source: "house style"
"""


@pytest.fixture
def builds(monkeypatch) -> list[int]:
    """One entry per checker the command builds (the real one, counted)."""
    calls: list[int] = []
    original = Checker.from_config.__func__  # type: ignore[attr-defined]

    def counted(cls, *args, **kwargs):
        calls.append(1)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(Checker, "from_config", classmethod(counted))
    return calls


@pytest.fixture
def job(tmp_path: Path, tiny_model: Path) -> dict[str, Path]:
    article = tmp_path / "a.fr.txt"
    article.write_text("le président a autorisé les armes artificielles .\n\nla source a refusé la frappe .\n",
                       encoding="utf-8")
    refs = tmp_path / "refs.txt"
    refs.write_text("the president authorized the american weapons .\n", encoding="utf-8")
    lexicon = tmp_path / "house.yaml"
    lexicon.write_text(LEXICON, encoding="utf-8")
    config = tmp_path / "mtcheck.toml"
    config.write_text('lexicons = ["house.yaml"]\n', encoding="utf-8")
    return {"article": article, "refs": refs, "lexicon": lexicon, "config": config, "model": tiny_model,
            "cache": tmp_path / "cache" / "translations.sqlite"}


def _check(job: dict[str, Path], *extra: str, fmt: str = "json"):
    args = ["check", str(job["article"]), "--refs", str(job["refs"]), "--engine", "hf", "--model", str(job["model"]),
            "--config", str(job["config"]), "--cache", str(job["cache"]), "--format", fmt, *extra]
    result = run_cli(args)
    assert result.exit_code == 0, result.output
    return result


def test_an_unchanged_check_prints_its_kept_output_without_building_the_checker(job, builds):
    first = _check(job)
    assert len(builds) == 1
    second = _check(job)
    assert len(builds) == 1, "the second check built a checker"
    assert second.stdout == first.stdout
    assert json.loads(second.stdout)["segments"][0]["back_translation"] == \
        "the president authorized the artificial weapons ."
    # The engine message is said again (it is part of what the check printed), unless --quiet.
    assert "mtcheck: engine: hf" in second.stderr
    assert "engine:" not in _check(job, "--quiet").stderr and len(builds) == 1
    assert CheckOutputs.beside(job["cache"]).count() == 1


def _touch_later(path: Path) -> None:
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


@pytest.mark.parametrize("change", [
    "article", "references", "detectors", "format", "config", "lexicon named by the config", "model file",
])
def test_anything_that_can_change_the_output_checks_anew(job, builds, change):
    extra: list[str] = []
    _check(job)
    if change == "article":
        job["article"].write_text(job["article"].read_text(encoding="utf-8").replace("frappe", "grève"),
                                  encoding="utf-8")
    elif change == "references":
        job["refs"].write_text("the president authorized the american missiles .\n", encoding="utf-8")
    elif change == "detectors":
        extra = ["--detectors", "lexicon"]
    elif change == "format":
        extra = ["--format", "jsonl"]
    elif change == "config":
        job["config"].write_text('lexicons = ["house.yaml"]\nmin_severity = "major"\n', encoding="utf-8")
    elif change == "lexicon named by the config":
        job["lexicon"].write_text(LEXICON.replace("présidente", "président"), encoding="utf-8")
    else:
        _touch_later(next(job["model"].glob("*.json")))
    result = _check(job, *extra)
    assert len(builds) == 2, f"a changed {change} reused the kept output"
    if change == "lexicon named by the config":  # the new rule is applied, not the old output printed
        assert any(f["detector"] == "lexicon" for f in json.loads(result.stdout)["flags"])


def test_no_cache_neither_reads_nor_keeps_outputs(job, builds):
    _check(job, "--no-cache")
    _check(job, "--no-cache")
    assert len(builds) == 2
    assert CheckOutputs.beside(job["cache"]).count() == 0


def test_cache_clear_removes_kept_outputs_and_a_damaged_one_is_checked_again(job, builds):
    _check(job)
    kept = CheckOutputs.beside(job["cache"])
    (path,) = kept.folder.glob("*.json")
    path.write_text("{not json", encoding="utf-8")
    good = _check(job)
    assert len(builds) == 2 and json.loads(good.stdout)["segments"]
    assert json.loads(path.read_text(encoding="utf-8"))["stdout"] == good.stdout  # rewritten
    stats = json.loads(run_cli(["cache", "stats", "--cache", str(job["cache"])]).stdout)
    assert stats["check_outputs"]["kept"] == 1
    cleared = run_cli(["cache", "clear", "--cache", str(job["cache"])])
    assert "1 kept check outputs" in cleared.stdout and kept.count() == 0
    _check(job)
    assert len(builds) == 3


def test_the_oldest_kept_outputs_go_first(tmp_path):
    kept = CheckOutputs(tmp_path / "outputs", kept_at_most=2)
    for n, key in enumerate(["a", "b", "c"]):
        kept.put(key, KeptOutput(stdout=key, stderr=((True, f"engine {n}"), (False, "warning"))))
        os.utime(kept.folder / f"{key}.json", ns=(n * 10**9, n * 10**9))
    assert kept.count() == 2 and kept.get("a") is None
    assert kept.get("c") == KeptOutput(stdout="c", stderr=((True, "engine 2"), (False, "warning")))
    assert kept.get("c").stderr_lines(quiet=True) == ["warning"]
