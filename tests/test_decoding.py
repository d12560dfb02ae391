"""Decoding options: from the command line and the config to the engine, and into the signature."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mtcheck.cli import main
from mtcheck.config import load_config
from mtcheck.errors import ConfigError


def _check(tmp_path, tiny_model, *options):
    article = tmp_path / "a.fr.txt"
    article.write_text("le président a parlé . le pays a gagné .", encoding="utf-8")
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["check", str(article), "--engine", "hf", "--model", str(tiny_model),
                                       "--no-cache", "--quiet", "--flag-model", "none", "--format", "json",
                                       "-o", str(out), *options])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_command_lines_decoding_options_reach_the_engine_and_the_signature(tmp_path, tiny_model):
    report = _check(tmp_path, tiny_model, "--max-length", "2", "--beam-size", "1", "--batch-tokens", "64",
                    "--threads", "1", "--device", "cpu")
    signature = report["signature"]["string"]
    assert "beam:1" in signature and "max_new:2" in signature
    assert "|decoding:batch_tokens=64,threads=1,device=cpu|" in signature
    # Two output tokens at most: the end-of-sentence token leaves room for one word, and
    # the subword pieces for at most two.
    assert all(len(s["back_translation"].split()) <= 2 for s in report["segments"])


def test_the_config_sets_decoding_and_the_command_line_wins(tmp_path, tiny_model):
    config = tmp_path / "run.toml"
    config.write_text("[decoding]\nbeam_size = 1\nmax_length = 3\nthreads = 1\n", encoding="utf-8")
    report = _check(tmp_path, tiny_model, "--config", str(config), "--max-length", "5")
    signature = report["signature"]["string"]
    assert "beam:1" in signature and "max_new:5" in signature and "threads=1" in signature


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
