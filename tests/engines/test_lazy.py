"""Lazy engines: a run that the cache serves whole never loads the model, and the signature
announced before loading is the one the loaded engine has (else cached entries would be missed
or, worse, mixed with another model's)."""

from __future__ import annotations

import json

import pytest
from ..cli_runner import run_cli

from mtcheck.checker import Checker
from mtcheck.engines import EngineSpec, LazyEngine, load_engine
from mtcheck.engines.hf import HFEngine

TEXT = "Le président a parlé. Le pays a gagné."


@pytest.mark.parametrize("spec", [dict(beam_size=1, max_length=5), dict(beam_size=2), dict()])
def test_the_hf_signature_announced_before_loading_is_the_loaded_one(tiny_model, spec):
    choice = load_engine(EngineSpec(name="hf", model=str(tiny_model), **spec), lazy=True)
    assert isinstance(choice.engine, LazyEngine) and not choice.engine.loaded
    announced = choice.engine.signature
    eager = load_engine(EngineSpec(name="hf", model=str(tiny_model), **spec)).engine
    assert announced == eager.signature
    choice.engine.translate(["Le pays a gagné."])
    assert choice.engine.loaded and choice.engine.engine.signature == announced


def test_the_ct2_signature_announced_before_loading_is_the_loaded_one(tiny_model, tmp_path, monkeypatch):
    pytest.importorskip("ctranslate2")
    monkeypatch.setenv("MTCHECK_CACHE", str(tmp_path))  # where the conversion goes
    spec = EngineSpec(name="ct2", model=str(tiny_model), beam_size=1, max_length=8)
    lazy = load_engine(spec, lazy=True).engine
    assert isinstance(lazy, LazyEngine) and not lazy.loaded
    assert lazy.signature == load_engine(spec).engine.signature


def test_a_model_whose_files_cannot_tell_loads_at_once(tmp_path):
    # No such hub model in the cache: nothing to announce, so the usual (eager) path runs and
    # says what went wrong now rather than in the middle of a run.
    from mtcheck.errors import EngineError

    with pytest.raises(EngineError):
        load_engine(EngineSpec(name="hf", model="mtcheck-tests/not-cached-model"), lazy=True)


def test_a_check_served_by_the_cache_never_loads_the_model(tiny_model, tmp_path):
    cache = tmp_path / "cache.sqlite"
    first = Checker.from_config(engine="hf", model=str(tiny_model), cache=cache, detectors=["untranslated"])
    first_report = first.check(TEXT, [], article_id="a")
    assert first.engine.engine.loaded  # type: ignore[union-attr]  # CachedEngine over the LazyEngine

    second = Checker.from_config(engine="hf", model=str(tiny_model), cache=cache, detectors=["untranslated"])
    second_report = second.check(TEXT, [], article_id="a")
    assert not second.engine.engine.loaded  # type: ignore[union-attr]
    assert [b.text for b in second_report.back_translations] == [b.text for b in first_report.back_translations]
    assert str(second_report.signature) == str(first_report.signature)

    # One new sentence: only then is the model loaded.
    third = Checker.from_config(engine="hf", model=str(tiny_model), cache=cache, detectors=["untranslated"])
    third.check(TEXT + " Le pays a parlé.", [], article_id="a")
    assert third.engine.engine.loaded  # type: ignore[union-attr]


def test_a_rerun_of_the_command_with_everything_cached_does_not_load_the_model(tiny_model, tmp_path, monkeypatch):
    article = tmp_path / "a.fr.txt"
    article.write_text(TEXT, encoding="utf-8")
    command = ["check", str(article), "--engine", "hf", "--model", str(tiny_model), "--cache",
               str(tmp_path / "cache.sqlite"), "--quiet", "--format", "json"]
    first = run_cli(command + ["-o", str(tmp_path / "first.json")])
    assert first.exit_code == 0, first.output

    def refuse(self):
        raise AssertionError("the model was loaded though every sentence was cached")

    monkeypatch.setattr(HFEngine, "__post_init__", refuse)
    second = run_cli(command + ["-o", str(tmp_path / "second.json")])
    assert second.exit_code == 0, second.output
    before, after = (json.loads((tmp_path / f).read_text(encoding="utf-8")) for f in ("first.json", "second.json"))
    assert after["segments"] == before["segments"] and after["flags"] == before["flags"]


def test_a_models_hash_is_remembered_until_its_weights_change(tiny_model, tmp_path, monkeypatch):
    import shutil

    from mtcheck.engines.base import remembered_hash

    monkeypatch.setenv("MTCHECK_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "model"
    shutil.copytree(tiny_model, folder)
    calls = []

    def count(path):
        calls.append(path)
        return f"hash-{len(calls)}"

    assert remembered_hash(folder, "test", count) == "hash-1"
    assert remembered_hash(folder, "test", count) == "hash-1" and len(calls) == 1  # not read again
    assert remembered_hash(folder, "other", count) == "hash-2"  # another engine's kind of hash
    weights = next(folder.glob("*.safetensors"))
    weights.write_bytes(weights.read_bytes() + b"\0")  # retrained, or replaced
    assert remembered_hash(folder, "test", count) == "hash-3"
    # Through an engine: a changed model gets a new signature, so its old translations are not reused.
    before = load_engine(EngineSpec(name="hf", model=str(tiny_model)), lazy=True).engine.signature
    assert before == load_engine(EngineSpec(name="hf", model=str(tiny_model)), lazy=True).engine.signature
