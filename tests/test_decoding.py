"""Decoding options: from the command line and the config to the engine, and into the signature."""

from __future__ import annotations

import json

import pytest
from .cli_runner import run_cli

from mtcheck.config import load_config
from mtcheck.errors import ConfigError


def _check(tmp_path, tiny_model, *options):
    article = tmp_path / "a.fr.txt"
    article.write_text("le président a parlé . le pays a gagné .", encoding="utf-8")
    out = tmp_path / "report.json"
    result = run_cli(["check", str(article), "--engine", "hf", "--model", str(tiny_model),
                      "--no-cache", "--quiet", "--flag-model", "none", "--format", "json",
                      "-o", str(out), *options])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_command_lines_decoding_options_reach_the_engine_and_the_signature(tmp_path, tiny_model):
    report = _check(tmp_path, tiny_model, "--max-length", "2", "--beam-size", "1", "--batch-tokens", "64",
                    "--threads", "1", "--device", "cpu")
    signature = report["signature"]["string"]
    assert "beam:1" in signature and "max_new:2" in signature
    assert report["signature"]["decoding"] == "batch_tokens=64,threads=1,device=cpu"
    assert "threads" not in signature, "speed settings must not make a rerun recheck every article"
    # Two output tokens at most: the end-of-sentence token leaves room for one word, and
    # the subword pieces for at most two.
    assert all(len(s["back_translation"].split()) <= 2 for s in report["segments"])


def test_the_config_sets_decoding_and_the_command_line_wins(tmp_path, tiny_model):
    config = tmp_path / "run.toml"
    config.write_text("[decoding]\nbeam_size = 1\nmax_length = 3\nthreads = 1\n", encoding="utf-8")
    report = _check(tmp_path, tiny_model, "--config", str(config), "--max-length", "5")
    signature = report["signature"]["string"]
    assert "beam:1" in signature and "max_new:5" in signature and "threads=1" in report["signature"]["decoding"]


@pytest.mark.parametrize("body, problem", [
    ("[decoding]\nbeam = 2\n", "no setting 'beam'"),
    ("[decoding]\nmax_length = 0\n", "max_length must be a positive whole number"),
    ("[decoding]\nthreads = \"two\"\n", "threads must be a positive whole number"),
    ("decoding = 3\n", "must be a section"),
])
def test_a_bad_decoding_setting_names_the_file_and_the_setting(tmp_path, body, problem):
    config = tmp_path / "bad.toml"
    config.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=problem) as info:
        load_config(config)
    assert str(config) in str(info.value)


@pytest.mark.parametrize("options, threads", [(["--jobs", "2"], None), (["--jobs", "2", "--threads", "3"], 3),
                                              (["--jobs", "1"], "unset")])
def test_batch_workers_get_a_share_of_the_cores_unless_told(tmp_path, monkeypatch, options, threads):
    import os

    import mtcheck.batch.run as batch_run

    seen = {}

    def capture(articles, factory, output, **kwargs):
        seen.update(factory.keywords)
        raise KeyboardInterrupt  # stop before any article is checked

    monkeypatch.setattr(batch_run, "run_batch", capture)
    folder = tmp_path / "corpus" / "a1"
    folder.mkdir(parents=True)
    (folder / "article.fr.txt").write_text("Le président a parlé.", encoding="utf-8")
    run_cli(["batch", str(tmp_path / "corpus"), "-o", str(tmp_path / "out"), "--engine", "apertium",
             *options])
    expected = max(1, (os.cpu_count() or 1) // 2) if threads is None else threads
    assert seen.get("threads") == (None if expected == "unset" else expected)
