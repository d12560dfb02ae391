"""Batch scoring: many articles, bad ones reported, killed runs resumed to identical results."""

from __future__ import annotations

import csv
import json
import threading
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from mtcheck.batch.run import check_corpus, summary_frame
from mtcheck.batch.sources import Columns, iter_articles

from .conftest import ROOT, SAMPLE_DIR

GOLD = ROOT / "tests" / "data" / "segmentation_fr.jsonl"
FAST_DETECTORS = "reference-divergence,lexicon,numbers,residue,truncation,untranslated"


def make_corpus(root: Path, n: int = 200) -> Path:
    """``n`` article folders of real French news sentences (the segmentation gold set), plus bad ones."""
    texts = [json.loads(line)["text"] for line in GOLD.read_text(encoding="utf-8").splitlines()]
    for i in range(n):
        folder = root / f"article-{i:03d}"
        folder.mkdir(parents=True)
        body = "\n\n".join(texts[(i * k + k) % len(texts)] for k in (1, 3))
        (folder / "article.fr.txt").write_text(body, encoding="utf-8")
    (root / "zz-empty").mkdir()
    (root / "zz-empty" / "article.fr.txt").write_text("  \n", encoding="utf-8")
    (root / "zz-english").mkdir()
    (root / "zz-english" / "article.fr.txt").write_text(
        "President Zelensky thanked the United States on Monday and said that Ukraine needs more air "
        "defence systems to protect its cities from Russian missiles.", encoding="utf-8")
    (root / "zz-indonesian").mkdir()
    (root / "zz-indonesian" / "article.fr.txt").write_text(
        "Presiden Ukraina Volodymyr Zelensky berterima kasih kepada Amerika Serikat atas dukungan militernya "
        "dan mengatakan bahwa negaranya membutuhkan lebih banyak sistem pertahanan udara.", encoding="utf-8")
    (root / "zz-badrefs").mkdir()
    (root / "zz-badrefs" / "article.fr.txt").write_text(texts[0], encoding="utf-8")
    (root / "zz-badrefs" / "references.en.jsonl").write_text('{"text": "fine"}\n{"text": broken\n', encoding="utf-8")
    return root


def _batch_command(source: Path, output: Path, model: Path) -> list[str]:
    return [sys.executable, "-m", "mtcheck.cli", "batch", str(source), "-o", str(output), "--engine", "hf",
            "--model", str(model), "--detectors", FAST_DETECTORS, "--no-cache", "--beam-size", "1"]


def _failed(run: subprocess.CompletedProcess, failed: int, total: int) -> bool:
    """Whether a batch ended as a batch with articles it could not check must end: exit 2, its
    last line an error that counts them and names errors.jsonl."""
    last = run.stderr.strip().splitlines()[-1]
    return run.returncode == 2 and last.startswith("mtcheck: error: ") and "errors.jsonl" in last \
        and f"{failed} of {total} article(s) could not be checked" in last


def _article_files(output: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((output / "articles").glob("*.jsonl"))}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def uninterrupted(corpus: Path, tiny_model: Path, tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("uninterrupted")
    run = subprocess.run(_batch_command(corpus, output, tiny_model), capture_output=True, text=True, timeout=900)
    assert _failed(run, 4, 204), run.stderr  # the corpus's four bad articles
    # stderr is not a terminal here (as in a cron job or CI): one line for the stage, with its
    # size, and no bar redrawn with carriage returns into the log.
    assert f"mtcheck: checking articles into {output}: 204 articles" in run.stderr and "\r" not in run.stderr
    return output


def test_batch_writes_every_output(uninterrupted: Path):
    summary = pd.read_csv(uninterrupted / "summary.csv")
    assert len(summary) == 200 and summary["article_id"].is_unique
    assert pd.read_parquet(uninterrupted / "summary.parquet").equals(summary_frame(uninterrupted))
    errors = {e["article_id"]: e["reason"] for e in map(json.loads, (uninterrupted / "errors.jsonl").open())}
    assert set(errors) == {"zz-empty", "zz-english", "zz-indonesian", "zz-badrefs"}
    assert "empty" in errors["zz-empty"]
    assert "not French" in errors["zz-english"] and "'en'" in errors["zz-english"]
    assert "not French" in errors["zz-indonesian"]
    assert "references.en.jsonl:2" in errors["zz-badrefs"]
    first = (uninterrupted / "articles" / "article-000.jsonl").read_text(encoding="utf-8").splitlines()
    kinds = [json.loads(line)["type"] for line in first]
    assert kinds[0] == "article" and "segment" in kinds


def test_killed_batch_resumes_to_identical_results(corpus: Path, tiny_model: Path, uninterrupted: Path,
                                                   tmp_path: Path):
    output = tmp_path / "killed"
    expected = _article_files(uninterrupted)
    for kill_after in (40, 120):
        process = subprocess.Popen(_batch_command(corpus, output, tiny_model), stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        deadline = time.monotonic() + 600
        while len(list((output / "articles").glob("*.jsonl"))) < kill_after and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        partial = _article_files(output)
        assert kill_after <= len(partial) < len(expected)
        # Whatever was written before the kill is whole and final.
        assert all(partial[name] == expected[name] for name in partial)
    rerun = subprocess.run(_batch_command(corpus, output, tiny_model), capture_output=True, text=True, timeout=900)
    assert _failed(rerun, 4, 204), rerun.stderr
    assert "unchanged and reused" in rerun.stderr
    assert _article_files(output) == expected
    assert (output / "summary.csv").read_bytes() == (uninterrupted / "summary.csv").read_bytes()
    assert not list(output.glob("**/.*.tmp"))


def test_report_opens_in_headless_chromium_with_highlights_and_plots(uninterrupted: Path, tmp_path: Path):
    chromium = _chromium()
    page = uninterrupted / "report.html"
    dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    assert dom.count("<mark ") > 0 and 'class="tip"' in dom
    assert dom.count('<svg class="chart"') >= 3 and dom.count("<rect ") >= 3 and "<circle " in dom
    shot = tmp_path / "report.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                    "--window-size=1280,2000", page.as_uri()], capture_output=True, timeout=120)
    assert shot.stat().st_size > 10_000


def test_report_table_sorts_and_filters_and_every_article_has_its_page(uninterrupted: Path, tmp_path: Path):
    """In headless Chromium: the inline script runs under the report's CSP (by its hash), the
    table sorts and filters, each article's page lists its flags; screenshots at phone and
    desktop widths."""
    sync_api = pytest.importorskip("playwright.sync_api")
    summaries = list(csv.DictReader((uninterrupted / "summary.csv").open(encoding="utf-8")))
    pages = sorted(p.name for p in (uninterrupted / "pages").glob("*.html"))
    assert len(pages) == len(summaries)  # every article, not only the worst 50
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto((uninterrupted / "report.html").as_uri())
        assert page.locator("#controls").is_visible()  # the script ran: the CSP allows it by its hash
        page.screenshot(path=str(tmp_path / "report-desktop.png"))

        def column(index: int) -> list[float]:
            return [float(v) for v in page.eval_on_selector_all(
                "#articles tbody tr:not([hidden])", f"rows => rows.map(r => r.cells[{index}].dataset.value)")]

        assert column(1) == sorted(column(1))  # worst first, as written
        page.click("#articles thead th:nth-child(2) button")
        page.click("#articles thead th:nth-child(2) button")  # second click: descending
        assert column(1) == sorted(column(1), reverse=True)
        page.fill("#filter", summaries[7]["article_id"])
        visible = page.eval_on_selector_all("#articles tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.id)")
        assert summaries[7]["article_id"] in visible and len(visible) < len(summaries)
        page.fill("#filter", "")
        page.check("#only-critical")
        with_critical = sum(int(s["critical"]) > 0 for s in summaries)
        assert page.locator("#articles tbody tr:not([hidden])").count() == with_critical

        page.uncheck("#only-critical")
        page.locator("#articles tbody tr").last.locator("a").first.click()  # the best article: not detailed inline
        page.wait_for_selector(".mtcheck-article")
        flags = page.locator(".mtcheck-article mark").count()
        assert page.locator(".mtcheck-flag-list li").count() == flags  # listed, not only on hover
        assert page.locator(".mtcheck-legend").count() == 1
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(tmp_path / "article-phone.png"), full_page=True)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 420, f"the article page is {width}px wide on a 390px phone"
        browser.close()
    assert not errors, errors
    assert (tmp_path / "report-desktop.png").stat().st_size > 10_000
    assert (tmp_path / "article-phone.png").stat().st_size > 10_000


def test_plots_follow_what_the_run_holds():
    from collections import Counter

    from mtcheck.report.html import report_figures

    def summaries(n):
        return [{"article_id": f"a{i}", "mqm_estimate": 50.0 + i, "scores": {"chrf": 40.0 + i},
                 "characters": 1000 + 10 * i} for i in range(n)]

    one, note = report_figures(summaries(1), Counter({"grammar": 2}))
    assert [caption for caption, _ in one] == ["Flags by category"] and "5 articles" in note
    many, note = report_figures(summaries(12), Counter())
    assert [c for c, _ in many] == ["Estimated MQM score per article", "chrF per article",
                                    "Score vs article length"] and note == ""


def _chromium() -> str:
    import shutil

    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium)")


def test_tables_and_datasets_are_read_like_folders(tmp_path: Path):
    rows = [{"id": "a", "text": "Le président a parlé. Il est parti.", "references": ["The president spoke."]},
            {"id": "b", "text": "", "references": []},
            {"id": "c", "text": "Bonjour à tous.", "references": '[{"text": "Hello all.", "id": "q1"}]'}]
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken\n", encoding="utf-8")
    got = list(iter_articles(jsonl))
    assert [type(a).__name__ for a in got] == ["ArticleInput", "ArticleError", "ArticleInput", "ArticleError"]
    assert got[0].references[0].text == "The president spoke." and got[2].references[0].id == "q1"
    assert "in.jsonl:4" in got[3].reason and "malformed JSON" in got[3].reason

    frame = pd.DataFrame([{"doc": r["id"], "fr": r["text"], "refs": json.dumps(r["references"])} for r in rows])
    frame.to_csv(tmp_path / "in.csv", index=False)
    frame.to_parquet(tmp_path / "in.parquet")
    columns = Columns(id="doc", text="fr", references="refs")
    for name in ("in.csv", "in.parquet"):
        got = list(iter_articles(tmp_path / name, columns))
        assert [getattr(a, "id", None) for a in got] == ["a", "b", "c"]
        assert "empty" in got[1].reason

    import datasets

    datasets.Dataset.from_pandas(frame).save_to_disk(tmp_path / "saved")
    got = list(iter_articles(tmp_path / "saved", columns))
    assert [a.id for a in got] == ["a", "b", "c"] and got[0].references[0].text == "The president spoke."


def test_check_corpus_and_score_dataset_api(tiny_model: Path, tmp_path: Path):
    import datasets

    from mtcheck import Checker
    from mtcheck.engines.hf import HFEngine
    from mtcheck.batch.hf_datasets import score_dataset

    sample_text = (SAMPLE_DIR / "article.fr.txt").read_text(encoding="utf-8")
    make = lambda: Checker(engine=HFEngine(str(tiny_model), beam_size=1, local_files_only=True),  # noqa: E731
                           detectors=["reference-divergence"])
    outcome = check_corpus(SAMPLE_DIR.parent, tmp_path / "out", make, progress=False)
    assert (outcome.checked, outcome.failed) == (1, 0)
    assert summary_frame(tmp_path / "out")["article_id"].tolist() == ["ukraine-atacms"]

    data = datasets.Dataset.from_dict({"id": ["s"], "text": [sample_text[:400]],
                                       "references": [["Ukraine has been authorised to use American weapons."]]})
    scored = score_dataset(data, make())
    assert {"mtcheck_chrf", "mtcheck_critical", "mtcheck_flags"} <= set(scored.column_names)
    assert scored[0]["mtcheck_chrf"] is not None and json.loads(scored[0]["mtcheck_flags"]) is not None


def _small_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _batch_rows(rows: list[dict], folder: Path, model: Path, *extra: str) -> subprocess.CompletedProcess:
    """``mtcheck batch`` on ``rows`` (written as folder/in.jsonl) into folder/out."""
    source = _small_rows(folder / "in.jsonl", rows)
    return subprocess.run(_batch_command(source, folder / "out", model) + list(extra), capture_output=True,
                          text=True, timeout=600)


# Two short news sentences: two articles a tiny model checks in seconds.
_TWO = ("Le président a parlé hier soir.", "La source a refusé la frappe.")


def test_a_rerun_reuses_only_what_is_unchanged(tiny_model: Path, tmp_path: Path):
    """'Done' is content plus settings, not the article id: an edit or other options check again."""
    rows = [{"id": "a", "text": _TWO[0], "references": []}, {"id": "b", "text": _TWO[1], "references": []}]
    output = tmp_path / "out"
    first = _batch_rows(rows, tmp_path, tiny_model)
    assert first.returncode == 0, first.stderr
    stored_b = (output / "articles" / "b.jsonl").read_bytes()

    same = _batch_rows(rows, tmp_path, tiny_model)
    assert "0 checked, 2 unchanged and reused" in same.stderr

    rows[0]["text"] = "Le président a parlé ce matin."
    edited = _batch_rows(rows, tmp_path, tiny_model)
    assert "1 checked (1 checked again: 1 content changed), 1 unchanged and reused" in edited.stderr
    first_record = json.loads((output / "articles" / "a.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert first_record["text"] == "Le président a parlé ce matin."
    assert (output / "articles" / "b.jsonl").read_bytes() == stored_b

    other = _batch_rows(rows, tmp_path, tiny_model, "--min-severity", "critical")
    assert "2 checked (2 checked again: 2 settings changed)" in other.stderr


def test_an_edited_lexicon_checks_its_articles_again(tiny_model: Path, tmp_path: Path):
    """A lexicon file's entries, not only its name, decide whether a stored result still holds."""
    rows = [{"id": "a", "text": _TWO[0], "references": []}, {"id": "b", "text": _TWO[1], "references": []}]
    house = tmp_path / "house.yaml"
    entry = ("entries:\n  - id: house-parler\n    pattern: {word}\n    category: terminology\n"
             "    severity: minor\n    explanation: house style\n    suggestion: dire\n    source: our guide\n")
    house.write_text(entry.format(word="chanté"), encoding="utf-8")
    assert _batch_rows(rows, tmp_path, tiny_model, "--lexicon", str(house)).returncode == 0
    assert "0 checked, 2 unchanged" in _batch_rows(rows, tmp_path, tiny_model, "--lexicon", str(house)).stderr

    house.write_text(entry.format(word="parlé"), encoding="utf-8")  # same file, another entry
    edited = _batch_rows(rows, tmp_path, tiny_model, "--lexicon", str(house))
    assert "2 checked (2 checked again: 2 settings changed)" in edited.stderr
    flags = [json.loads(line) for line in (tmp_path / "out" / "articles" / "a.jsonl").read_text(encoding="utf-8")
             .splitlines() if json.loads(line)["type"] == "flag"]
    assert [f["text"] for f in flags if f["evidence"].get("lexicon_entry") == "house-parler"] == ["parlé"]


def test_a_rerun_with_every_article_unchanged_builds_no_checker(tiny_model: Path, tmp_path: Path, monkeypatch):
    """The signature the settings gave is remembered in the output folder: an unchanged rerun
    reads it there instead of loading the detectors and the detection model (half its time)."""
    from mtcheck.checker import Checker

    from .cli_runner import run_cli

    builds: list[int] = []
    original = Checker.from_config.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(Checker, "from_config",
                        classmethod(lambda cls, *a, **k: builds.append(1) or original(cls, *a, **k)))
    rows = [{"id": "a", "text": _TWO[0], "references": []}, {"id": "b", "text": _TWO[1], "references": []}]
    source, output = _small_rows(tmp_path / "in.jsonl", rows), tmp_path / "out"

    def batch(*extra: str) -> str:
        result = run_cli(_batch_command(source, output, tiny_model)[3:] + list(extra))
        assert result.exit_code == 0, result.output
        return result.stderr

    batch()
    stored = _article_files(output)
    assert "0 checked, 2 unchanged and reused" in batch() and len(builds) == 1
    assert _article_files(output) == stored

    # Other settings have no remembered signature yet: the checker decides, and its signature
    # is remembered beside the first one.
    assert "2 checked (2 checked again: 2 settings changed)" in batch("--min-severity", "major")
    assert "0 checked, 2 unchanged" in batch("--min-severity", "major") and len(builds) == 2
    # An edited article, or a remembered signature that no stored result has, runs the batch,
    # whose checker decides what is unchanged (the other article here).
    rows[1]["text"] = "Le pays a gagné la guerre hier."
    _small_rows(source, rows)
    assert "1 checked (1 checked again: 1 content changed), 1 unchanged" in batch("--min-severity", "major")
    memo = output / ".run-signatures.json"
    memo.write_text(json.dumps({key: "another run signature" for key in json.loads(memo.read_text())}))
    assert "0 checked, 2 unchanged and reused" in batch("--min-severity", "major") and len(builds) == 4
    assert "0 checked, 2 unchanged and reused" in batch("--min-severity", "major") and len(builds) == 4


def test_a_rerun_that_changes_nothing_leaves_the_report_as_it_was(tiny_model: Path, tmp_path: Path):
    rows = [{"id": "a", "text": _TWO[0], "references": []}, {"id": "b", "text": _TWO[1], "references": []}]
    output = tmp_path / "out"
    assert _batch_rows(rows, tmp_path, tiny_model).returncode == 0
    written = {f: (output / f).stat().st_mtime_ns for f in ("report.html", "summary.csv", "summary.parquet")}

    same = _batch_rows(rows, tmp_path, tiny_model)
    assert same.returncode == 0 and "2 unchanged and reused" in same.stderr
    assert {f: (output / f).stat().st_mtime_ns for f in written} == written

    (output / "report.html").unlink()  # a missing output is rebuilt though nothing changed
    assert _batch_rows(rows, tmp_path, tiny_model).returncode == 0 and (output / "report.html").exists()

    rows[1]["text"] = "Le pays a gagné la guerre hier."
    assert _batch_rows(rows, tmp_path, tiny_model).returncode == 0
    assert (output / "summary.csv").stat().st_mtime_ns != written["summary.csv"]
    assert "guerre hier" in (output / "pages" / "b.html").read_text(encoding="utf-8")


def test_duplicate_ids_fail_the_later_row_and_overwrite_nothing(tiny_model: Path, tmp_path: Path):
    rows = [{"id": "same", "text": _TWO[0], "references": []}, {"id": "same", "text": _TWO[1], "references": []}]
    output = tmp_path / "out"
    result = _batch_rows(rows, tmp_path, tiny_model)
    assert _failed(result, 1, 2), result.stderr
    assert "1 checked" in result.stderr and "1 failed" in result.stderr
    first = json.loads((output / "articles" / "same.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert first["text"] == rows[0]["text"]
    errors = [json.loads(line) for line in (output / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(errors) == 1 and "duplicate id 'same'" in errors[0]["reason"] and errors[0]["position"] == 1


def test_every_failed_row_keeps_its_own_record_when_ids_repeat(tiny_model: Path, tmp_path: Path):
    """A failed row's id is taken as a checked one's is: two rows failing with one id, or a
    failed row and a later row with its id, each keep a failure record ("3 failed" with one
    line in errors.jsonl before; the later row's result had deleted the earlier's record)."""
    rows = [{"id": "a", "text": ""}, {"id": "a", "text": "  "},
            {"id": "b", "text": ""}, {"id": "b", "text": _TWO[0]}, {"id": "c", "text": _TWO[1]}]
    output = tmp_path / "out"
    result = _batch_rows(rows, tmp_path, tiny_model)
    assert _failed(result, 4, 5), result.stderr
    assert "1 checked" in result.stderr and "4 failed" in result.stderr
    errors = [json.loads(line) for line in (output / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["position"] for e in errors] == [0, 1, 2, 3]
    assert all(f"in.jsonl:{n + 1}: the article is empty" in errors[n]["reason"] for n in (0, 1, 2))
    assert "duplicate id 'a'" in errors[1]["reason"] and "duplicate id 'b'" in errors[3]["reason"]
    assert sorted(p.stem for p in (output / "articles").glob("*.jsonl")) == ["c"]


def test_an_article_that_fails_on_a_rerun_leaves_no_earlier_result_in_the_summary(tiny_model: Path, tmp_path: Path):
    """Its stored result was of the earlier text: shown beside the failure, it passed for this one's."""
    first = _batch_rows([{"id": "a", "text": _TWO[0]}, {"id": "b", "text": _TWO[1]}], tmp_path, tiny_model)
    assert first.returncode == 0, first.stderr
    emptied = _batch_rows([{"id": "a", "text": " "}, {"id": "b", "text": _TWO[1]}], tmp_path, tiny_model)
    assert _failed(emptied, 1, 2) and "1 failed" in emptied.stderr, emptied.stderr
    output = tmp_path / "out"
    with (output / "summary.csv").open(encoding="utf-8") as handle:
        assert [row["article_id"] for row in csv.DictReader(handle)] == ["b"]
    errors = [json.loads(line) for line in (output / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["article_id"] for e in errors] == ["a"]
    mended = _batch_rows([{"id": "a", "text": _TWO[0]}, {"id": "b", "text": _TWO[1]}], tmp_path, tiny_model)
    assert mended.returncode == 0 and "1 checked" in mended.stderr, mended.stderr
    assert not (output / "errors.jsonl").read_text(encoding="utf-8").strip()


def test_a_run_of_another_input_into_the_same_folder_says_what_the_report_still_holds(tiny_model: Path,
                                                                                       tmp_path: Path):
    """Today's feed run into yesterday's folder: nothing is deleted, and the user is told that
    the summary and report also hold yesterday's articles."""
    yesterday = [{"id": "a", "text": _TWO[0]}, {"id": "b", "text": _TWO[1]}, {"id": "c", "text": ""}]
    first = _batch_rows(yesterday, tmp_path, tiny_model)
    assert _failed(first, 1, 3) and "also holds" not in first.stderr, first.stderr
    today = _batch_rows(yesterday[:1], tmp_path, tiny_model)
    assert today.returncode == 0, today.stderr
    assert "also holds 2 article(s) of an earlier input that are not in this one" in today.stderr
    summary = (tmp_path / "out" / "summary.csv").read_text(encoding="utf-8")
    assert "\nb," in summary  # kept, as the note says
    again = _batch_rows(yesterday, tmp_path, tiny_model)
    assert _failed(again, 1, 3) and "also holds" not in again.stderr, again.stderr


@pytest.mark.parametrize("folds", [False, True], ids=["filesystem that tells case apart", "filesystem that folds case"])
def test_ids_that_differ_only_in_case_never_share_a_result_file(tiny_model: Path, tmp_path: Path, monkeypatch,
                                                                folds: bool):
    """On macOS and Windows "Paris.jsonl" and "paris.jsonl" are one file: the later article
    would silently replace the earlier one's result. There it is refused, saying why; where
    the filesystem tells them apart, both are checked."""
    from mtcheck import Checker
    from mtcheck.batch import layout
    from mtcheck.batch.run import run_batch
    from mtcheck.corpus import ArticleInput
    from mtcheck.engines.hf import HFEngine

    if folds:
        monkeypatch.setattr(layout, "folds_case", lambda folder: True)
    elif layout.folds_case(tmp_path):
        pytest.skip("this machine's filesystem folds case")
    articles = [ArticleInput(id="Paris", text=_TWO[0], references=()),
                ArticleInput(id="paris", text=_TWO[1], references=(), position=1)]
    make = lambda: Checker(engine=HFEngine(str(tiny_model), beam_size=1, local_files_only=True),  # noqa: E731
                           detectors=["reference-divergence"])
    output = tmp_path / "out"
    outcome = run_batch(articles, make, output, progress=False)
    kept = json.loads((output / "articles" / "Paris.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert kept["text"] == _TWO[0]
    if folds:
        assert (outcome.checked, outcome.failed) == (1, 1)
        [refused] = [json.loads(p.read_text(encoding="utf-8")) for p in (output / "failed").glob("*.json")]
        assert refused["position"] == 1 and "'paris' differs from 'Paris'" in refused["reason"]
    else:
        assert (outcome.checked, outcome.failed) == (2, 0)


def test_the_case_probe_leaves_nothing_behind(tmp_path: Path):
    from mtcheck.batch.layout import folds_case

    folds_case(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_second_batch_on_the_same_output_refuses(tmp_path: Path):
    from mtcheck.batch.layout import output_lock
    from mtcheck.errors import MtcheckError

    output = tmp_path / "out"
    with output_lock(output):
        code = ("import sys; from pathlib import Path; from mtcheck.batch.layout import output_lock\n"
                "with output_lock(Path(sys.argv[1])): pass")
        other = subprocess.run([sys.executable, "-c", code, str(output)], capture_output=True, text=True)
        assert other.returncode != 0 and "another mtcheck batch" in other.stderr
        with pytest.raises(MtcheckError, match="another mtcheck batch"):
            with output_lock(output):
                pass
    with output_lock(output):  # released: the next batch gets it
        pass


def test_ids_that_look_like_formulas_reach_summary_csv_as_text_and_scores_stay_numbers(tiny_model: Path, tmp_path: Path):
    rows = [{"id": "=HYPERLINK(\"http://x\")", "text": _TWO[0], "references": []},
            {"id": "@sum", "text": _TWO[1], "references": []}]
    output = tmp_path / "out"
    result = _batch_rows(rows, tmp_path, tiny_model)
    assert result.returncode == 0, result.stderr
    ids = pd.read_csv(output / "summary.csv")["article_id"].tolist()
    assert sorted(ids) == sorted("'" + r["id"] for r in rows)
    # No article has a reference, so none has a BLEU: the column is still numbers, so that the
    # summaries of several runs concatenate into one table.
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(output / "summary.parquet")
    assert {schema.field(c).type for c in ("bleu", "chrf", "ter", "mqm_estimate")} == {pa.float64()}
    assert str(schema.field("article_id").type) == "string" and schema.field("critical").type == pa.int64()


def test_the_summary_table_keeps_each_value_and_marks_a_missing_score_missing():
    from mtcheck.batch.report import SUMMARY_COLUMNS, summary_table

    full = {c: n for n, c in enumerate(SUMMARY_COLUMNS)} | {
        "article_id": "l'été \"2024\"\n", "language": "fr", "bleu": 12.5, "chrf": 40.25, "ter": 80.0, "mqm_estimate": 3.0}
    # No reference: no BLEU (None), a score stored as NaN, a count the result did not have.
    sparse = {k: v for k, v in full.items() if k != "critical"} | {"article_id": "b", "bleu": None,
                                                                      "chrf": float("nan")}
    table = summary_table([full, sparse])
    assert table.column_names == list(SUMMARY_COLUMNS)
    first, second = table.to_pylist()
    assert first == full
    assert second["bleu"] is None and second["chrf"] is None and second["critical"] is None
    assert second["ter"] == 80.0 and second["position"] == full["position"]
    empty = summary_table([])
    assert empty.num_rows == 0 and empty.schema == table.schema


@pytest.mark.parametrize("name,content,message", [
    ("no-text.csv", "id,body\na,Le président a parlé.\n", "has no 'text' column"),
    ("empty.jsonl", "\n\n", "holds no articles"),
    ("empty.csv", "", "holds no articles"),
])
def test_a_source_wrong_as_a_whole_exits_2_before_writing(tmp_path: Path, name: str, content: str, message: str):
    source, output = tmp_path / name, tmp_path / "out"
    source.write_text(content, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mtcheck.cli", "batch", str(source), "-o", str(output),
                             "--engine", "apertium", "-q"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert str(source) in line and message in line
    assert not output.exists(), "nothing is written for a source that cannot be read"


def test_a_mistyped_local_path_is_not_looked_up_on_the_hub(tmp_path: Path):
    (tmp_path / "corpora").mkdir()
    typo = tmp_path / "corpora" / "artciles"
    result = subprocess.run([sys.executable, "-m", "mtcheck.cli", "batch", str(typo), "-o", str(tmp_path / "out"),
                             "--engine", "apertium", "-q"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "no such file or folder" in result.stderr
    assert not (tmp_path / "out").exists()


class _CountingEngine:
    """A real engine, with a count of the calls made to it."""

    def __init__(self, engine):
        self.engine, self.calls, self.sentences = engine, 0, 0
        self.name, self.signature = engine.name, engine.signature

    def translate(self, texts):
        self.calls += 1
        self.sentences += len(texts)
        return self.engine.translate(texts)


def test_a_batch_translates_several_articles_in_one_engine_call_with_the_same_results(
        tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import mtcheck.batch.run as batch_run
    from mtcheck import Checker, Reference
    from mtcheck.batch.run import run_batch
    from mtcheck.corpus import ArticleInput
    from mtcheck.engines.cache import CachedEngine, TranslationCache
    from mtcheck.engines.hf import HFEngine

    texts = ["Le président a parlé hier soir. La source a refusé.", "La frappe a eu lieu. Le président a parlé hier soir.",
             "Les alliés ont livré des armes.", "Le pays a gagné la guerre. Il a remercié les alliés.",
             "La source a refusé la frappe."]
    articles = [ArticleInput(id=f"a{i}", text=t, references=(Reference(id="r", text="The president spoke."),),
                             position=i) for i, t in enumerate(texts)]
    engine = HFEngine(str(tiny_model), beam_size=1, local_files_only=True)

    def run(name: str) -> tuple[_CountingEngine, dict[str, bytes]]:
        counting = _CountingEngine(engine)
        store = TranslationCache(tmp_path / f"{name}.sqlite")
        make = lambda: Checker(engine=CachedEngine(counting, store), reverse_engine=None, cache=store,  # noqa: E731
                               detectors=["reference-divergence"], combiner=None)
        run_batch(iter(articles), make, tmp_path / name, progress=False)
        return counting, _article_files(tmp_path / name)

    together, together_files = run("together")
    monkeypatch.setattr(batch_run, "PREFETCH_ARTICLES", 1)
    alone, alone_files = run("alone")
    assert together.calls == 1 and alone.calls == len(articles)
    distinct = {s for t in texts for s in t.replace(". ", ".\n").splitlines()}
    assert together.sentences == len(distinct), "each distinct sentence is translated once"
    assert together_files == alone_files and len(together_files) == len(articles)


def test_without_a_cache_file_a_batch_still_translates_a_window_in_one_call(
        tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from mtcheck import Checker
    from mtcheck.batch.run import run_batch
    from mtcheck.corpus import ArticleInput

    monkeypatch.setenv("MTCHECK_CACHE", str(tmp_path / "cache"))
    texts = ["Le président a parlé hier soir. La source a refusé.", "La frappe a eu lieu. Le président a parlé hier soir.",
             "Les alliés ont livré des armes."]
    articles = [ArticleInput(id=f"a{i}", text=t, references=(), position=i) for i, t in enumerate(texts)]
    checker = Checker.from_config(engine="hf", model=str(tiny_model), beam_size=1, cache=False,
                                  detectors=["reference-divergence"], flag_model="none")
    counting = _CountingEngine(checker.engine.engine)  # type: ignore[union-attr]
    checker.engine.engine = counting  # type: ignore[union-attr]
    run_batch(iter(articles), lambda: checker, tmp_path / "out", progress=False)
    assert counting.calls == 1 and counting.sentences == 4  # four distinct sentences, one call
    assert not (tmp_path / "cache" / "translations.sqlite").exists()


def _two_windows(engine_class, tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args):
    """Four one-sentence articles in windows of two, the engine wrapped in ``engine_class``:
    the articles, the checker factory and the wrapper (its second call is the second window)."""
    import mtcheck.batch.run as batch_run
    from mtcheck import Checker
    from mtcheck.corpus import ArticleInput
    from mtcheck.engines.cache import CachedEngine, TranslationCache
    from mtcheck.engines.hf import HFEngine

    texts = ["Le président a parlé hier soir.", "La frappe a eu lieu.", "Les alliés ont livré des armes.",
             "Le pays a gagné la guerre."]
    articles = [ArticleInput(id=f"a{i}", text=t, references=(), position=i) for i, t in enumerate(texts)]
    monkeypatch.setattr(batch_run, "PREFETCH_ARTICLES", 2)
    engine = engine_class(HFEngine(str(tiny_model), beam_size=1, local_files_only=True), *args)
    store = TranslationCache(tmp_path / "cache.sqlite")
    make = lambda: Checker(engine=CachedEngine(engine, store), reverse_engine=None, cache=store,  # noqa: E731
                           detectors=["reference-divergence"], combiner=None)
    return articles, make, engine


class _WaitingEngine(_CountingEngine):
    """Its second call (the second window) notes whether the first window's first article is
    written yet, then waits for it: a batch that checks one window while the engine translates
    the next writes it during the wait; one that does one thing at a time wrote it before."""

    def __init__(self, engine, written: Path):
        super().__init__(engine)
        self.written = written
        self.written_before = self.written_during = False

    def translate(self, texts):
        if self.calls == 1:
            self.written_before = self.written.exists()
            deadline = time.monotonic() + 20
            while not self.written.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            self.written_during = not self.written_before and self.written.exists()
        return super().translate(texts)


def test_a_batch_checks_one_window_while_the_engine_translates_the_next(
        tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from mtcheck.batch.run import run_batch

    articles, make, engine = _two_windows(_WaitingEngine, tiny_model, tmp_path, monkeypatch,
                                          tmp_path / "out" / "articles" / "a0.jsonl")
    outcome = run_batch(iter(articles), make, tmp_path / "out", progress=False)
    assert engine.written_during, "the first window is checked while the second is translated"
    assert engine.calls == 2 and outcome.checked == len(articles)


class _FailingSecondCall(_CountingEngine):
    def translate(self, texts):
        if self.calls == 1:
            self.calls += 1
            raise RuntimeError("the engine crashed")
        return super().translate(texts)


def test_an_engine_crash_in_a_later_window_keeps_the_results_before_it(
        tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from mtcheck.batch.run import run_batch

    articles, make, _ = _two_windows(_FailingSecondCall, tiny_model, tmp_path, monkeypatch)
    with pytest.raises(RuntimeError, match="the engine crashed"):
        run_batch(iter(articles), make, tmp_path / "out", progress=False)
    assert sorted(p.name for p in (tmp_path / "out" / "articles").iterdir()) == ["a0.jsonl", "a1.jsonl"]


class _SlowSecondCall(_CountingEngine):
    """Its second call (the next window) takes until ``release`` is set."""

    def __init__(self, engine):
        super().__init__(engine)
        self.release = threading.Event()

    def translate(self, texts):
        if self.calls == 1:
            self.release.wait(60)
        return super().translate(texts)


def test_ctrl_c_while_the_next_window_is_translated_reaches_the_caller_at_once(
        tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import mtcheck.batch.run as batch_run
    from mtcheck.batch.run import run_batch

    articles, make, engine = _two_windows(_SlowSecondCall, tiny_model, tmp_path, monkeypatch)
    checked = batch_run.check_one

    def interrupted_after_one(*args, **kwargs):
        checked(*args, **kwargs)
        raise KeyboardInterrupt
    monkeypatch.setattr(batch_run, "check_one", interrupted_after_one)
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            run_batch(iter(articles), make, tmp_path / "out", progress=False)
        assert time.monotonic() - started < 30, "the interrupt waited for the next window's translation"
    finally:
        engine.release.set()
    assert [p.name for p in (tmp_path / "out" / "articles").iterdir()] == ["a0.jsonl"]


def test_references_in_french_fail_their_article_on_every_run(tiny_model: Path, tmp_path: Path):
    """The references' language is checked when an article is checked, not on reading (a rerun
    that reuses every article loads no language identifier): a bad article still fails each time."""
    french = ["Le président a autorisé les frappes contre les cibles militaires en Russie mardi soir.",
              "Les systèmes de défense aérienne doivent protéger les villes ukrainiennes."]
    rows = [{"id": "a", "text": _TWO[0], "references": []}, {"id": "b", "text": _TWO[1], "references": french}]
    output = tmp_path / "out"
    for _ in range(2):
        result = _batch_rows(rows, tmp_path, tiny_model)
        assert _failed(result, 1, 2), result.stderr
        assert "1 failed" in result.stderr
        errors = [json.loads(line) for line in (output / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
        assert [e["article_id"] for e in errors] == ["b"]
        assert "not English" in errors[0]["reason"] and "in.jsonl:2:" in errors[0]["reason"]  # names file and line
