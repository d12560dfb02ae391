"""Every way a user can hand mtcheck something wrong: exit 2, one line naming the file and what is
wrong, no traceback, and nothing half-written or lost (docs/RELIABILITY.md lists them).

Each case builds its inputs in a fresh folder, runs the command in process (the real
entry point, ``mtcheck.cli.main``, as the console script runs it) and checks the exit code, that stderr is exactly
one "mtcheck: error:" line holding the expected words, and that every file the case marks
as precious is unchanged and no output file was started.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from .cli_runner import run_cli


FRENCH = ("Le président a remercié les États-Unis lundi pour leur aide militaire. "
          "Il a demandé davantage de systèmes de défense aérienne pour protéger les villes.\n")
ENGLISH = "The president thanked the United States on Monday for their military aid."
PREVIOUS_REPORT = '{"previous": "report"}\n'


@dataclass
class Case:
    """One bad input: what to build, what to run, and what the user must be told."""

    name: str
    build: Callable[[Path], list[str]]  # writes the inputs under the folder, returns the arguments
    says: tuple[str, ...]  # words the one error line holds (the file's name is always checked)
    names: str | None = None  # the file or folder the line must name; None when the input is not a file
    code: int = 2
    kept: tuple[str, ...] = ()  # files (relative to the folder) that must be unchanged
    absent: tuple[str, ...] = ()  # outputs that must not exist afterwards
    engine: bool = True  # pass the tiny model so that a case that got past its check would really run


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _article(folder: Path, name: str = "a.fr.txt", text: str = FRENCH) -> str:
    return str(_write(folder, name, text))


def _check(*args: str) -> list[str]:
    return ["check", *args]


def _refs(name: str, content: str | bytes) -> Callable[[Path], list[str]]:
    return lambda d: _check(_article(d), "--refs", str(_write(d, name, content)))


def _config(content: str) -> Callable[[Path], list[str]]:
    return lambda d: _check(_article(d), "--config", str(_write(d, "mtcheck.toml", content)))


def _lexicon(content: str) -> Callable[[Path], list[str]]:
    return lambda d: _check(_article(d), "--lexicon", str(_write(d, "house.yaml", content)))


def _batch_source(name: str, content: str) -> Callable[[Path], list[str]]:
    return lambda d: ["batch", str(_write(d, name, content)), "-o", str(d / "out")]


def _model_without_weights(folder: Path) -> list[str]:
    _write(folder, "model/config.json", json.dumps({"model_type": "marian"}))
    return _check(_article(folder), "--engine", "hf", "--model", str(folder / "model"))


def _output_is_a_folder(folder: Path) -> list[str]:
    _write(folder, "report.json/keep.txt", "kept")
    return _check(_article(folder), "-o", str(folder / "report.json"))


def _regress(folder: Path, *extra: str) -> list[str]:
    corpus = folder / "corpus" / "articles" / "one"
    _write(corpus.parent.parent, "articles/one/article.fr.txt", FRENCH)
    return ["regress", str(folder / "corpus"), "--baseline", str(folder / "baseline.json"), *extra]


CASES = [
    # The article
    Case("missing article", lambda d: _check(str(d / "nope.fr.txt")), ("no such file",), "nope.fr.txt"),
    Case("empty article", lambda d: _check(_article(d, text="")), ("empty",), "a.fr.txt"),
    Case("blank article", lambda d: _check(_article(d, text=" \n\t\n")), ("empty",), "a.fr.txt"),
    Case("binary article", lambda d: _check(str(_write(d, "a.fr.txt", b"\x00\x01PNG\x00" * 50))),
         ("binary",), "a.fr.txt"),
    Case("Latin-1 article", lambda d: _check(str(_write(d, "a.fr.txt", FRENCH.encode("latin-1")))),
         ("UTF-8", "iconv"), "a.fr.txt"),
    Case("folder without article", lambda d: (d / "art").mkdir() or _check(str(d / "art")),
         ("no article.fr.txt",), "art"),
    Case("article folder with empty references", lambda d: (_article(d, "art/article.fr.txt"),
                                                           _write(d, "art/references.en.jsonl", ""),
                                                           _check(str(d / "art")))[-1],
         ("holds no references",), "references.en.jsonl"),
    # References
    Case("missing references", lambda d: _check(_article(d), "--refs", str(d / "nope.jsonl")),
         ("no such file",), "nope.jsonl"),
    Case("malformed JSONL references", _refs("r.jsonl", f'{{"text": "{ENGLISH}"}}\n{{"text": oops}}\n'),
         ("malformed JSON",), "r.jsonl:2"),
    Case("references without text", _refs("r.jsonl", '{"id": "a"}\n'), ('"text"',), "r.jsonl:1"),
    Case("empty references file", _refs("r.jsonl", ""), ("holds no references",), "r.jsonl:1"),
    Case("references in French", _refs("r.txt", FRENCH), ("not English",), "r.txt"),
    Case("duplicate reference ids", _refs("r.tsv", f"a\t{ENGLISH}\na\t{ENGLISH}\n"),
         ("duplicate reference id",), "r.tsv:2"),
    Case("binary references", _refs("r.jsonl", b"\x00\xff\x00" * 40), ("binary",), "r.jsonl"),
    # Configuration
    Case("missing config", lambda d: _check(_article(d), "--config", str(d / "nope.toml")),
         ("cannot read config",), "nope.toml"),
    Case("invalid TOML", _config("detectors = [\n"), ("invalid TOML",), "mtcheck.toml"),
    Case("unknown config key", _config('detecters = ["lexicon"]\n'), ("unknown setting", "detecters"),
         "mtcheck.toml"),
    Case("bad min_severity", _config('min_severity = "huge"\n'), ("min_severity must be one of",), "mtcheck.toml"),
    Case("detectors not a list", _config('detectors = "lexicon"\n'), ("list of detector names",), "mtcheck.toml"),
    Case("section for no detector", _config("[detector.nonexistent]\nx = 1\n"), ("names no detector",),
         "mtcheck.toml:1"),
    Case("wrong type in a section", _config('[detector.reference-divergence]\nmin_similarity = "abc"\n'),
         ("min_similarity must be a number", "'abc'"), "mtcheck.toml:2"),
    Case("boolean written as text", _config('[detector.confidence]\nround_trip = "yes"\n'),
         ("true or false",), "mtcheck.toml:2"),
    Case("setting a detector lacks", _config("[detector.numbers]\n\nthreshold = 3\n"),
         ("has no setting 'threshold'",), "mtcheck.toml:3"),
    Case("unknown detector on the command line", lambda d: _check(_article(d), "--detectors", "lexicon,nope"),
         ("unknown detector", "nope")),
    # Lexicons
    Case("lexicon whose top level is a list", _lexicon("- id: x\n  pattern: y\n"), ("a lexicon is a mapping",),
         "house.yaml"),
    Case("lexicon entry not a mapping", _lexicon("entries:\n  - just text\n"), ("entry 1 is not a mapping",),
         "house.yaml"),
    Case("invalid YAML lexicon", _lexicon("entries: [\n  - id: x\n"), ("invalid YAML",), "house.yaml"),
    Case("lexicon entry with a bad pattern", _lexicon(
        "entries:\n  - id: x\n    pattern: '(unclosed'\n    category: terminology\n    severity: minor\n"
        "    explanation: e\n    suggestion: s\n    source: t\n"), ("entry 1",), "house.yaml"),
    Case("missing lexicon", lambda d: _check(_article(d), "--lexicon", str(d / "nope.yaml")),
         ("cannot read lexicon",), "nope.yaml"),
    # Outputs
    Case("output that is a folder", _output_is_a_folder, ("is a folder",), "report.json",
         kept=("report.json/keep.txt",)),
    Case("output inside a file", lambda d: _check(_article(d), "-o", str(_write(d, "notes.txt", "mine")) + "/r.json"),
         ("notes.txt is a file",), "r.json", kept=("notes.txt",)),
    # Engines and models
    Case("model folder that does not exist", lambda d: _check(_article(d), "--engine", "auto", "--model",
                                                             str(d / "no-model")),
         ("no such model folder",), "no-model", engine=False),
    Case("model folder without weights", _model_without_weights, ("no weights",), "model", engine=False),
    Case("unknown engine", lambda d: _check(_article(d), "--engine", "deepl"), ("--engine", "deepl"),
         engine=False),
    # Batch
    Case("mistyped batch path", lambda d: ["batch", str(d / "corpsu"), "-o", str(d / "out")],
         ("no such file or folder",), "corpsu", absent=("out",), engine=True),
    Case("table without the text column", _batch_source("in.csv", "id,body\n1,Bonjour le monde.\n"),
         ("text", "body"), "in.csv", absent=("out",)),
    Case("empty JSONL", _batch_source("in.jsonl", "\n\n"), ("empty",), "in.jsonl", absent=("out",)),
    Case("empty CSV", _batch_source("in.csv", ""), ("empty",), "in.csv", absent=("out",)),
    Case("batch output that is a file", lambda d: ["batch", str(_write(d, "in.jsonl", json.dumps(
        {"id": "a", "text": FRENCH}) + "\n")), "-o", str(_write(d, "out", "mine"))],
         ("out",), "out", kept=("out",)),
    # The regression gate and comparisons
    Case("unknown tolerance metric", lambda d: _regress(d, "--abs-tol", "foo=1"), ("unknown metric", "foo"),
         engine=False),
    Case("junit inside a file", lambda d: _regress(d, "--junit", str(_write(d, "ci.txt", "log")) + "/j.xml"),
         ("ci.txt is a file",), "j.xml", kept=("ci.txt",), engine=False),
    Case("zero resamples", lambda d: ["compare", str(_write(d, "a.json", "{}")), str(_write(d, "b.json", "{}")),
                                      "--samples", "0"], ("--samples",), engine=False),
    Case("compare a file that is not a report", lambda d: ["compare", str(_write(d, "a.json", "not json")),
                                                           str(_write(d, "b.json", "{}"))],
         ("a.json",), "a.json", engine=False),
    # The cache
    Case("cache import of a malformed file", lambda d: ["cache", "import", str(_write(d, "bt.jsonl", "{oops\n")),
                                                        "--cache", str(d / "c.sqlite")],
         ("bt.jsonl:1",), "bt.jsonl", engine=False),
    Case("cache export inside a file", lambda d: ["cache", "export", "--cache", str(d / "c.sqlite"), "-o",
                                                  str(_write(d, "f.txt", "x")) + "/e.jsonl"],
         ("f.txt is a file",), "e.jsonl", kept=("f.txt",), engine=False),
    Case("segment a missing file", lambda d: ["segment", str(d / "nope.txt")], ("no such file",), "nope.txt",
         engine=False),
]


def _snapshot(folder: Path, names: tuple[str, ...]) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in names}


def _engine_args(args: list[str], model: Path) -> list[str]:
    if args[0] not in ("check", "batch") or "--engine" in args:
        return args
    return [*args, "--engine", "hf", "--model", str(model), "--no-cache"]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_exits_2_with_one_line_and_loses_nothing(case: Case, tiny_model: Path, tmp_path: Path):
    args = case.build(tmp_path)
    if case.engine:
        args = _engine_args(args, tiny_model)
    if args[0] in ("check", "batch"):
        args.append("--quiet")
    kept = _snapshot(tmp_path, case.kept)
    before = {p for p in tmp_path.rglob("*")}
    result = run_cli(args)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == case.code, (result.stdout, result.stderr)
    assert len(lines) == 1 and lines[0].startswith("mtcheck: error: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for words in case.says:
        assert words in lines[0], lines[0]
    if case.names:
        assert case.names in lines[0], lines[0]
    assert _snapshot(tmp_path, case.kept) == kept
    for name in case.absent:
        assert not (tmp_path / name).exists(), f"{name} was created"
    written = {p for p in tmp_path.rglob("*")} - before
    assert not [p for p in written if p.name.endswith(".tmp")], written


def test_the_matrix_covers_at_least_35_kinds_of_bad_input():
    assert len({c.name for c in CASES}) == len(CASES) >= 35


def test_a_second_batch_on_a_locked_output_says_so_in_one_line(tiny_model: Path, tmp_path: Path):
    source = _write(tmp_path, "in.jsonl", json.dumps({"id": "a", "text": FRENCH}) + "\n")
    output = tmp_path / "out"
    output.mkdir()
    with open(output / ".mtcheck-batch.lock", "w") as lock:  # what a first batch holds while it runs
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run_cli(_engine_args(["batch", str(source), "-o", str(output), "-q"], tiny_model))
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and str(output) in lines[0], result.stderr
    assert not (output / "articles" / "a.jsonl").exists()


def test_the_console_command_prints_no_traceback_and_debug_shows_it(tmp_path: Path):
    """The real entry point in a subprocess; --debug (or MTCHECK_DEBUG) is the only way to a traceback."""
    config = _write(tmp_path, "mtcheck.toml", '[detector.reference-divergence]\nmin_similarity = "abc"\n')
    base = [sys.executable, "-m", "mtcheck.cli"]
    args = ["check", _article(tmp_path), "--config", str(config), "-q"]
    env = {**os.environ, "MTCHECK_DEBUG": ""}
    plain = subprocess.run([*base, *args], capture_output=True, text=True, env=env)
    assert plain.returncode == 2 and plain.stderr.count("\n") == 1 and "Traceback" not in plain.stderr
    debug = subprocess.run([*base, "--debug", *args], capture_output=True, text=True, env=env)
    assert debug.returncode != 0 and "Traceback" in debug.stderr and "ConfigError" in debug.stderr
