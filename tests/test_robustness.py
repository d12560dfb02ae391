"""Bad input, hostile input and crashes: one clear error or a documented recovery, never lost work."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtcheck import Checker
from mtcheck.batch.run import run_batch
from mtcheck.corpus import ArticleInput, read_article, read_references
from mtcheck.detectors.merge import merge_flags
from mtcheck.engines.hf import HFEngine
from mtcheck.errors import ConfigError, InputError, WorkerError
from mtcheck.segment import FrenchSegmenter
from mtcheck.batch.sources import ArticleError, Columns, iter_articles, parse_references
from mtcheck.types import Category, Flag, Severity

from .conftest import needs_apertium


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mtcheck.cli", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("name, content, expected", [
    ("empty.txt", b"", "the article is empty"),
    ("blank.txt", b" \n\t\n", "the article is empty"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("latin1.txt", "Le président a déclaré à la presse.".encode("cp1252"), "Windows-1252"),
    ("dir.txt", None, "folder"),
])
def test_unreadable_articles_exit_2_with_one_line_naming_the_file(tmp_path: Path, name, content, expected):
    path = tmp_path / name
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    run = _cli("segment", str(path))
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and name in run.stderr and expected in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("name, content", [
    ("bom.txt", "\ufeffLe président parle. Il part.".encode("utf-8")),
    ("crlf.txt", b"Le pr\xc3\xa9sident parle.\r\nIl part.\r\n\r\nFin."),
    ("controls.txt", "Le pr\u200bésident\u00a0parle.\x07 Il\u200d part.\u2028Fin".encode("utf-8")),
    ("nopunct.txt", "Le président parle\nIl part sans rien dire\nFin de la dépêche".encode("utf-8")),
    ("page.html", "<html><body><h1>Titre</h1><p>Le président <b>parle</b>.</p><script>x()</script></body></html>"
                  .encode("utf-8")),
])
def test_awkward_but_valid_articles_segment_with_exact_offsets(tmp_path: Path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    run = _cli("segment", str(path), "--format", "jsonl")
    assert run.returncode == 0, run.stderr
    text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    segments = [json.loads(line) for line in run.stdout.splitlines()]
    assert segments
    if name.endswith(".html"):
        # Offsets point into the HTML; the segment's text is that span with its tags removed.
        import re

        assert all(re.sub(r"<[^>]+>", "", text[s["start"]:s["end"]]) == s["text"] for s in segments)
    else:
        assert all(text[s["start"]:s["end"]] == s["text"] for s in segments)
    if name == "nopunct.txt":
        assert len(segments) == 3  # line breaks end sentences when nothing else does
    if name == "page.html":
        assert not any("x()" in s["text"] or "<" in s["text"] for s in segments)


def test_a_five_megabyte_article_segments_in_bounded_memory():
    paragraph = "Le président a déclaré lundi que l'Ukraine recevrait des armes. « Nous remercions nos " \
                "partenaires », a-t-il ajouté. Selon M. Dupont, 1,5 % du budget y est consacré.\n\n"
    text = paragraph * (5_000_000 // len(paragraph))
    segments = FrenchSegmenter().segment(text)
    assert len(segments) == 3 * (5_000_000 // len(paragraph))
    assert segments[-1].end <= len(text) and text[segments[-1].start:segments[-1].end] == segments[-1].text


def test_references_in_the_wrong_language_are_refused(tmp_path: Path):
    folder = tmp_path / "article"
    folder.mkdir()
    (folder / "article.fr.txt").write_text("Le président a parlé lundi devant la presse.", encoding="utf-8")
    (folder / "references.en.jsonl").write_text(
        json.dumps({"text": "Le président ukrainien a remercié ses partenaires pour les systèmes de défense "
                            "aérienne qu'ils ont livrés cette semaine."}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="references.en.jsonl: the references read as 'fr', not English"):
        read_article(folder)


def test_malformed_table_rows_become_errors_and_the_rest_is_read(tmp_path: Path):
    csv = tmp_path / "in.csv"
    csv.write_text('id,text,references\na,"Bonjour à tous.",\nb,,\nc,"Au revoir.","[not json"\n', encoding="utf-8")
    got = list(iter_articles(csv))
    assert [type(a).__name__ for a in got] == ["ArticleInput", "ArticleError", "ArticleError"]
    assert "references are not valid JSON" in got[2].reason and "in.csv:4" in got[2].reason

    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text('{"id": "n", "text": 123}\n{"id": "m", "text": "Bonjour."}\n', encoding="utf-8")
    number, article = iter_articles(jsonl)
    assert "in.jsonl:1" in number.reason and "holds int '123'" in number.reason and article.text == "Bonjour."


def test_a_mistyped_text_column_of_a_jsonl_table_is_refused_before_any_work(tmp_path: Path):
    """As for CSV and Parquet, whose header tells at once: a JSONL whose first rows all lack the
    text field names the fields it has; one row without it still fails alone."""
    table = tmp_path / "in.jsonl"
    table.write_text('{"id": "a", "fr": "Bonjour."}\n{"id": "b", "fr": "Salut."}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"in\.jsonl: none of its first 2 rows has a 'text' field \(fields: fr, id\)"):
        iter_articles(table)
    assert [a.text for a in iter_articles(table, Columns(text="fr"))] == ["Bonjour.", "Salut."]
    table.write_text('{"id": "a"}\n{"id": "b", "text": "Salut."}\n', encoding="utf-8")
    assert [type(a).__name__ for a in iter_articles(table)] == ["ArticleError", "ArticleInput"]


def test_a_lone_surrogate_escape_fails_its_row_or_file_not_the_run(tmp_path: Path):
    """JSON may spell half a surrogate pair ("\\udce9", left by a tool that decoded bytes with
    the wrong encoding): no output can hold it, so the row (or the references file) is refused
    with its line, and the rest is read; a whole pair (an emoji) is a character like any other."""
    table = tmp_path / "in.jsonl"
    table.write_text('{"id": "s", "text": "Caf\\udce9 cr\\u00e8me."}\n{"id": "e", "text": "Super \\ud83d\\ude00."}\n'
                     '{"id": "r", "text": "Bonjour.", "references": "[\\"Hello \\\\udce9.\\"]"}\n', encoding="utf-8")
    bad, emoji, bad_references = iter_articles(table)
    assert "in.jsonl:1" in bad.reason and "\\udce9" in bad.reason and "lone surrogate" in bad.reason
    assert emoji.text == "Super \N{GRINNING FACE}."
    assert "in.jsonl:3" in bad_references.reason and "lone surrogate" in bad_references.reason

    references = tmp_path / "refs.jsonl"
    references.write_text('{"id": "q", "text": "The coffee \\udce9 is hot."}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"refs\.jsonl:1: .*lone surrogate"):
        read_references(references)


@pytest.mark.parametrize(("name", "content"), [
    ("in.csv", "text,id\nBonjour le monde.,a\n"), ("in.jsonl", '{"id": "a", "text": "Bonjour le monde."}\n'),
], ids=["csv", "jsonl"])
def test_a_table_saved_with_a_byte_order_mark_reads_as_without(tmp_path: Path, name: str, content: str):
    """Excel's "CSV UTF-8" and some Windows tools start the file with a byte order mark: it must
    not become part of the first column's name or break the first row."""
    table = tmp_path / name
    table.write_text(content, encoding="utf-8-sig")
    [article] = iter_articles(table)
    assert (article.id, article.text) == ("a", "Bonjour le monde.")


@pytest.mark.parametrize(("name", "content", "line"), [
    ("in.jsonl", b'{"id": "a", "text": "Bonjour."}\n{"id": "b", "text": "Caf\xe9 cr\xe8me."}\n{"id": "c", "text": "Salut."}\n', 2),
    ("in.csv", b'id,text\na,Bonjour.\nb,"Caf\xe9\ncr\xe8me."\nc,Salut.\n', 4),
], ids=["jsonl", "csv"])
def test_a_row_that_is_not_utf8_fails_alone_naming_its_line(tmp_path: Path, name: str, content: bytes, line: int):
    """A Latin-1 row in a UTF-8 table (a common export mistake) must not end the batch: the
    rows around it are read."""
    table = tmp_path / name
    table.write_bytes(content)
    got = list(iter_articles(table))
    assert [type(a).__name__ for a in got] == ["ArticleInput", "ArticleError", "ArticleInput"]
    assert [got[0].text, got[2].text] == ["Bonjour.", "Salut."]
    assert f"{name}:{line}" in got[1].reason and "not valid UTF-8" in got[1].reason


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_reference_readers_never_crash(tmp_path_factory, content):
    """Fuzz: any text is either references or an InputError naming the file."""
    folder = tmp_path_factory.mktemp("fuzz")
    for suffix in (".jsonl", ".tsv", ".txt"):
        path = folder / f"refs{suffix}"
        path.write_text(content, encoding="utf-8")
        try:
            refs = read_references(path)
        except InputError as exc:
            assert str(path) in str(exc)
        else:
            assert all(r.text.strip() for r in refs)
    try:
        parse_references(content, "cell")
    except InputError as exc:
        assert "cell" in str(exc)


_spans = st.lists(st.tuples(st.integers(0, 200), st.integers(0, 40), st.sampled_from(list(Severity)),
                            st.floats(0, 1)), max_size=30)


@settings(max_examples=500, deadline=None)
@given(st.text(min_size=1, max_size=200), _spans)
def test_merged_flags_stay_inside_the_article_and_never_overlap(text, spans):
    bounded = [(min(s, len(text)), min(s + n, len(text)), sev, conf) for s, n, sev, conf in spans]
    flags = [Flag(start=s, end=e, text=text[s:e], category=Category.FLUENCY, severity=sev, message="m",
                  detector="d", confidence=conf) for s, e, sev, conf in bounded]
    merged = merge_flags(flags, text)
    for flag in merged:
        assert 0 <= flag.start <= flag.end <= len(text) and flag.text == text[flag.start:flag.end]
    ordered = sorted(merged, key=lambda f: f.start)
    assert all(a.end <= b.start for a, b in zip(ordered, ordered[1:]))


class _CrashingEngine:
    """A real engine that fails on one sentence, the way a driver or a model fails mid-batch."""

    def __init__(self, engine, poison: str) -> None:
        self.engine, self.poison, self.name, self.signature = engine, poison, engine.name, engine.signature

    def translate(self, texts):
        if any(self.poison in t for t in texts):
            raise RuntimeError("CUDA error: device-side assert triggered")
        return self.engine.translate(texts)


def test_an_engine_crash_on_one_article_fails_only_that_article(hf_tiny, tmp_path: Path):
    from mtcheck import Checker

    articles = [ArticleInput(id=f"a{i}", text=f"Le chat numéro {i} dort. Il rêve.", references=(), position=i)
                for i in range(5)]
    articles[2] = ArticleInput(id="a2", text="POISON ici. Le chat dort.", references=(), position=2)
    make = lambda: Checker(engine=_CrashingEngine(hf_tiny, "POISON"), detectors=["reference-divergence"])  # noqa: E731
    outcome = run_batch(articles + [ArticleError("bad", "unreadable", 5)], make, tmp_path, progress=False)
    assert (outcome.checked, outcome.failed) == (4, 2)
    failure = json.loads((tmp_path / "failed" / "a2.json").read_text(encoding="utf-8"))
    assert "RuntimeError" in failure["reason"] and "device-side assert" in failure["reason"]
    assert len(list((tmp_path / "articles").glob("*.jsonl"))) == 4


class _EngineKilledOn(HFEngine):
    """The tiny model's engine, whose process dies (as under the system's out-of-memory killer)
    when it meets the word MEURS."""

    def translate(self, texts):
        if any("MEURS" in text for text in texts):
            os._exit(9)
        return super().translate(texts)


def _checker_killed_on_meurs(model: str) -> Checker:
    return Checker(engine=_EngineKilledOn(model, beam_size=1, local_files_only=True), detectors=["reference-divergence"])


def test_a_worker_process_killed_mid_batch_ends_with_a_clear_error_and_keeps_the_results(tiny_model: Path,
                                                                                         tmp_path: Path):
    """Not "internal error: BrokenProcessPool … a bug in mtcheck" (exit 3): the user is told
    what happened and what to do, the results already written stay, and a rerun goes on."""
    texts = [f"Le chat numéro {n} dort sur le canapé." for n in range(12)]
    articles = [ArticleInput(id=f"a{n}", text=t, references=(), position=n) for n, t in enumerate(texts)]
    poisoned = articles[:-1] + [ArticleInput(id="a11", text="MEURS.", references=(), position=11)]
    output = tmp_path / "out"
    with pytest.raises(WorkerError, match=r"worker process died .*fewer --jobs.*articles finished before are kept"):
        run_batch(poisoned, functools.partial(_checker_killed_on_meurs, str(tiny_model)), output, jobs=2,
                  progress=False)
    kept = {p.stem for p in (output / "articles").glob("*.jsonl")}
    assert kept and "a11" not in kept
    rerun = run_batch(articles, functools.partial(_checker_killed_on_meurs, str(tiny_model)), output, jobs=2,
                      progress=False)
    assert (rerun.skipped, rerun.checked) == (len(kept), len(articles) - len(kept))


def test_a_process_that_ran_a_torch_model_can_still_run_a_parallel_batch(tiny_model: Path, tmp_path: Path):
    """A notebook checks one article (torch's thread pools start), then runs a batch with
    ``jobs=2``: workers forked from it inherited those pools' locks held and hung at their
    first translation, silently and for ever. Run apart, so that a hang fails this test."""
    code = (
        "import functools, sys\n"
        "from pathlib import Path\n"
        "from mtcheck.batch.run import run_batch\n"
        "from mtcheck.corpus import ArticleInput\n"
        "from tests.test_robustness import _checker_killed_on_meurs as make\n"
        "make(sys.argv[1]).check('Le chat dort sur le canapé.', [])\n"
        "articles = [ArticleInput(id=f'a{n}', text=f'Le chat numéro {n} dort.', references=(), position=n)"
        " for n in range(6)]\n"
        "print(run_batch(articles, functools.partial(make, sys.argv[1]), Path(sys.argv[2]), jobs=2,"
        " progress=False).checked)\n")
    done = subprocess.run([sys.executable, "-c", code, str(tiny_model), str(tmp_path / "out")], capture_output=True,
                          text=True, timeout=180, cwd=Path(__file__).resolve().parent.parent,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-1] == "6"


def _checker_that_cannot_load() -> Checker:
    from mtcheck.errors import EngineError

    raise EngineError("cannot load model 'opus-mt-fr-en': not in the local cache")


def test_a_checker_factory_workers_cannot_use_is_named_not_a_dead_pool(tmp_path: Path):
    """jobs > 1: a lambda cannot reach fresh workers, and a factory that fails there used to
    surface as "BrokenProcessPool … a bug in mtcheck"; each now says what is wrong."""
    articles = [ArticleInput(id="a", text="Le chat dort.", references=())]
    with pytest.raises(ConfigError, match="must be picklable"):
        run_batch(articles, lambda: Checker(engine="apertium"), tmp_path / "lambda", jobs=2, progress=False)
    with pytest.raises(WorkerError, match="could not build its checker: cannot load model 'opus-mt-fr-en'"):
        run_batch(articles, _checker_that_cannot_load, tmp_path / "fails", jobs=2, progress=False)

    # A factory defined where a fresh process cannot import it (a notebook cell; here `python -c`).
    code = ("import sys\n"
            "from pathlib import Path\n"
            "from mtcheck import Checker\n"
            "from mtcheck.batch.run import run_batch\n"
            "from mtcheck.corpus import ArticleInput\n"
            "from mtcheck.errors import WorkerError\n"
            "def make():\n"
            "    return Checker.from_config(engine='apertium')\n"
            "try:\n"
            "    run_batch([ArticleInput(id='a', text='Le chat dort.', references=())], make, Path(sys.argv[1]),"
            " jobs=2, progress=False)\n"
            "except WorkerError as exc:\n"
            "    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "notebook")], capture_output=True, text=True,
                          timeout=180)
    assert "could not build its checker" in done.stdout and "not from a notebook cell" in done.stdout, done.stderr


def test_a_ten_thousand_sentence_article_is_checked(hf_tiny):
    from mtcheck import Checker

    text = " ".join(f"Le chat numéro {i} dort." for i in range(10_000))
    report = Checker(engine=hf_tiny, detectors=["reference-divergence"]).check(text)
    assert len(report.segments) == 10_000 and len(report.back_translations) == 10_000


@needs_apertium
def test_html_report_escapes_article_text_and_runs_no_script(tmp_path: Path):
    import shutil

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium)")
    folder = tmp_path / "in" / "hostile"
    folder.mkdir(parents=True)
    (folder / "article.fr.txt").write_text(
        "Le président a parlé <script>document.title='PWNED'</script> devant la presse lundi. "
        "Il a montré <img src=x onerror=\"document.title='PWNED'\"> une image aux journalistes.",
        encoding="utf-8")
    run = _cli("batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--engine", "apertium", "-q")
    assert run.returncode == 0, run.stderr
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<script>document" not in html and "&lt;script&gt;" in html
    dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                          (tmp_path / "out" / "report.html").as_uri()], capture_output=True, text=True,
                         timeout=120).stdout
    assert "<title>mtcheck" in dom and "PWNED" not in dom.split("<body", 1)[0]
    assert "<img src=\"x\"" not in dom


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 300), st.integers(1, 20)), max_size=15), st.integers(-5, 330))
def test_span_index_holds_exactly_the_offsets_a_scan_finds(raw, offset):
    from mtcheck.lang.words import SpanIndex

    spans, end = [], -1
    for start, length in sorted(raw):  # non-overlapping, as finditer gives them
        if start >= end:
            spans.append((start, start + length))
            end = start + length
    assert SpanIndex(spans).holds(offset) == any(s <= offset < e for s, e in spans)
