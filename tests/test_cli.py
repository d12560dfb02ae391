import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import needs_apertium

from .cli_runner import run_cli

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "mtcheck" / "resources" / "schema" / "report.schema.json").read_text())


def _run(*args):
    """Run the real console entry point in a subprocess: exit code, stdout and stderr as a user sees them."""
    return subprocess.run([sys.executable, "-m", "mtcheck.cli", *args], capture_output=True, text=True)


@needs_apertium
def test_check_sample_flags_armes_artificielles_as_json(tmp_path):
    out = tmp_path / "report.json"
    result = run_cli(["check", "--engine", "apertium", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(report, SCHEMA)
    article = (Path(__file__).resolve().parent.parent / "mtcheck/resources/samples/ukraine-atacms/article.fr.txt").read_text(encoding="utf-8")
    for flag in report["flags"]:
        assert article[flag["start"] : flag["end"]] == flag["text"]
    target = article.index("artificielles")
    covering = [f for f in report["flags"] if f["start"] <= target < f["end"]]
    assert covering, "no flag covers 'artificielles'"
    evidence = covering[0]["evidence"]
    assert "artificial" in evidence["back_translation"]
    assert "U.S." in evidence["reference"] or "American" in evidence["reference"]
    not_found = {r["id"] for r in report["references"] if not r["segment_indices"]}
    assert {"rtr-u7", "rtr-u8", "rtr-3"} <= not_found


@needs_apertium
def test_check_sample_table_shows_back_translations():
    result = run_cli(["check", "--engine", "apertium", "--format", "table"])
    assert result.exit_code == 0, result.output
    assert "artificial" in result.output and "armes artificielles" in result.output
    assert "nrefs:1|case:mixed" in result.output
    # The article quotes the same posts twice in two translations; the table says which.
    (repeated,) = [line for line in result.output.splitlines() if "rendered more than once" in line]
    assert "zel-x-1 in segments" in repeated and "zel-x-3" in repeated


def test_check_with_tiny_model_jsonl(tiny_model, tmp_path):
    article = tmp_path / "a.fr.txt"
    article.write_text("le président a autorisé les armes artificielles .\n\nla source a refusé la frappe .\n", encoding="utf-8")
    refs = tmp_path / "refs.txt"
    refs.write_text("the president authorized the american weapons .\n", encoding="utf-8")
    result = run_cli(["check", str(article), "--refs", str(refs), "--engine", "hf",
                      "--model", str(tiny_model), "--format", "jsonl", "--quiet"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    segments = [r for r in records if r["type"] == "segment"]
    assert [s["back_translation"] for s in segments] == ["the president authorized the artificial weapons .",
                                                         "the source refused the strike ."]
    assert segments[0]["reference_ids"] == ["ref-1"] and segments[1]["reference_ids"] == []


@pytest.mark.parametrize("setup,name", [
    (lambda d: None, "missing.txt"),
    (lambda d: (d / "empty.txt").write_text(""), "empty.txt"),
    (lambda d: (d / "latin.txt").write_bytes("L'été.".encode("cp1252")), "latin.txt"),
])
def test_bad_article_exits_2_with_one_line(tmp_path, setup, name):
    setup(tmp_path)
    result = _run("check", str(tmp_path / name), "--engine", "apertium")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and "Traceback" not in result.stderr


def test_malformed_references_exit_2_naming_file_and_line(tmp_path):
    refs = tmp_path / "refs.jsonl"
    refs.write_text('{"id": "a", "text": "ok"}\n{"id": "b", "text": \n', encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text("Bonjour.", encoding="utf-8")
    result = _run("check", str(article), "--refs", str(refs), "--engine", "apertium")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "refs.jsonl:2:" in result.stderr


COMMANDS = ("check", "batch", "regress", "compare", "cache", "segment", "review", "calibrate")


def test_help_and_a_mistyped_command_name_every_command(tmp_path):
    """Only the named subcommand's parser is built for a run; help and typos still see them all."""
    helped = run_cli(["--help"])
    assert helped.exit_code == 0 and all(f"\n    {name} " in helped.stdout for name in COMMANDS), helped.stdout
    typo = run_cli(["chek", "article.txt"])
    (line,) = typo.stderr.splitlines()
    assert typo.exit_code == 2 and "'chek'" in line and all(f"'{name}'" in line for name in COMMANDS)
    assert "--signature" in run_cli(["cache", "clear", "--help"]).stdout
    article = tmp_path / "a.txt"
    article.write_text("Il a parlé. Elle est partie.", encoding="utf-8")
    after_an_option = run_cli(["--debug", "segment", str(article), "--format", "text"])
    assert after_an_option.stdout.splitlines() == ["0-11\tIl a parlé.", "12-28\tElle est partie."]


def test_segment_prints_jsonl_with_offsets(sample):
    path = Path(__file__).resolve().parent.parent / "mtcheck/resources/samples/ukraine-atacms/article.fr.txt"
    result = run_cli(["segment", str(path), "--format", "jsonl"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) > 10
    for row in rows:
        assert sample.text[row["start"] : row["end"]] == row["text"]
        assert {"paragraph", "quote"} <= row.keys()


@needs_apertium
def test_second_check_is_served_from_the_cache(tmp_path):
    cache = tmp_path / "c.sqlite"
    args = ["check", "--engine", "apertium", "--format", "json", "--cache", str(cache)]
    first = run_cli(args)
    stats = json.loads(run_cli(["cache", "stats", "--cache", str(cache)]).stdout)
    # One signature for the back-translations, one for the references translated to French.
    forward = [sig for sig in stats["signatures"] if "fr-es>spa-eng" in sig]
    assert len(forward) == 1 and stats["signatures"][forward[0]] > 10
    second = run_cli(args)
    assert json.loads(first.stdout)["segments"] == json.loads(second.stdout)["segments"]
    exported = run_cli(["cache", "export", "--cache", str(cache)]).stdout.splitlines()
    assert len(exported) == stats["entries"] and "source" in json.loads(exported[0])
    assert "removed" in run_cli(["cache", "clear", "--cache", str(cache)]).stdout


@needs_apertium
def test_table_prints_brackets_in_the_text_as_written(tmp_path):
    """Editors' brackets are text, not markup: "[sic]" stays and a stray "[/]" does not crash."""
    article = tmp_path / "a.fr.txt"
    article.write_text("Le ministre [ukrainien] a parlé [sic] hier.\n\nUne balise [/] perdue [bold]reste.\n",
                       encoding="utf-8")
    result = _run("check", str(article), "--engine", "apertium", "--no-cache", "-q", "--format", "table")
    assert result.returncode == 0, result.stderr
    flat = " ".join(result.stdout.split())
    for bracketed in ("[ukrainien]", "[sic]", "[/]", "[bold]"):
        assert bracketed in flat, f"{bracketed} vanished from the table"


@needs_apertium
def test_an_output_path_that_is_a_folder_exits_2_and_keeps_it(tmp_path):
    folder = tmp_path / "report.json"
    folder.mkdir()
    (folder / "keep.txt").write_text("old", encoding="utf-8")
    result = _run("check", "--engine", "apertium", "--no-cache", "-q", "--format", "json", "-o", str(folder))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(folder) in lines[0] and "Traceback" not in result.stderr
    assert (folder / "keep.txt").read_text(encoding="utf-8") == "old"
    assert not list(folder.parent.glob(".report.json.*.tmp")), "a temporary file was left behind"


def test_compare_refuses_zero_resamples(tmp_path):
    result = _run("compare", str(tmp_path), str(tmp_path), "--samples", "0")
    assert result.returncode == 2 and "--samples" in result.stderr


def test_utf16_articles_are_read_as_text(tmp_path):
    path = tmp_path / "windows.txt"
    text = "Le président a parlé hier soir.\n"
    path.write_bytes(text.encode("utf-16"))
    result = _run("segment", str(path), "--format", "text")
    assert result.returncode == 0, result.stderr
    assert "Le président a parlé hier soir." in result.stdout


@needs_apertium
def test_check_says_when_an_article_is_not_french(tmp_path):
    path = tmp_path / "english.txt"
    path.write_text("President Zelensky thanked the United States on Monday and said that Ukraine needs more air "
                    "defence systems to protect its cities from Russian missiles.\n", encoding="utf-8")
    result = _run("check", str(path), "--engine", "apertium", "--no-cache", "-q", "--format", "json")
    assert result.returncode == 0
    assert "does not read as French" in result.stderr and "'en'" in result.stderr


@pytest.mark.parametrize("engine", ["auto", "hf"])
def test_a_model_folder_that_does_not_exist_is_named_not_sent_to_the_hub(tmp_path, engine):
    missing = tmp_path / "models" / "opus-fr-en"
    result = _run("check", "--engine", engine, "--model", str(missing), "-q")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert str(missing) in line and "no such model folder" in line and "hub does not answer" not in line


def test_a_model_folder_without_weights_says_so(tmp_path):
    folder = tmp_path / "half-copied"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "marian"}', encoding="utf-8")
    result = _run("check", "--engine", "hf", "--model", str(folder), "-q")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert str(folder) in line and "no weights" in line


def test_the_ray_backend_without_ray_says_how_to_install_it(tmp_path, tiny_model, monkeypatch):
    from .test_batch import make_corpus

    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    result = run_cli(["batch", str(make_corpus(tmp_path / "c", n=1)), "-o", str(tmp_path / "o"), "--backend", "ray"])
    assert result.exit_code == 2 and 'pip install "mtcheck[ray]"' in result.output
