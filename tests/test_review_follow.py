"""Review decisions follow the article's text when it changes and the run is checked again.

A reviewer's decision stores offsets into the article. After the newsroom edits the article
and the batch runs again, those offsets name other words: the decision must move with its
words, land on the flag now raised there, or, where its words are gone, be kept apart
(stale) instead of exporting a gold span at the wrong place.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from mtcheck.review.app import ReviewSettings, create_app
from mtcheck.review.calibrate import calibrate
from mtcheck.review.decisions import DecisionStore
from mtcheck.review.export import records_and_stale, review_records, write_export
from mtcheck.review.run import ReviewArticle, ReviewFlag, ReviewRun, flag_id
from tests.conftest import ROOT, SAMPLE_DIR
from tests.test_review import starlette_testclient

TEXT = ("Le président a déclaré que les Patriotes se mettent au chômage dans les entrepôts. "
        "Il a ajouté que de nombreux pays de la région de Kharkiv ont besoin de défense.")


def article(text: str, flags: tuple[tuple[str, str, str], ...] = ()) -> ReviewArticle:
    """An article whose flags sit on the first occurrence of each (words, detector, category)."""
    made = []
    for words, detector, category in flags:
        start = text.index(words)
        raw = {"start": start, "end": start + len(words), "detector": detector, "category": category}
        made.append(ReviewFlag(flag_id("a1", raw), start, start + len(words), words, category, "major", detector,
                               "", "", 0.5, 0, {}))
    return ReviewArticle("a1", text, (), tuple(made), 10.0, {}, ())


def add(store: DecisionStore, on: ReviewArticle, words: str, inside: str = "") -> None:
    """A reviewer adds ``words``: the first occurrence, or the one in the first ``inside``."""
    start = on.text.index(inside) + inside.index(words) if inside else on.text.index(words)
    store.add(on, {"start": start, "end": start + len(words), "category": "mistranslation", "severity": "major",
                   "reviewer": "ann"})


def where(store: DecisionStore, now: ReviewArticle) -> list[tuple[str, str]]:
    """Each standing decision as the words its offsets name in the article now, and its item."""
    return sorted((now.text[d.start:d.end], item) for item, d in store.standing(now).decisions.items())


def test_a_decision_moves_with_its_words_when_text_is_added_above(tmp_path):
    store = DecisionStore(tmp_path / "review.sqlite")
    add(store, article(TEXT), "entrepôts")
    edited = article("Une phrase ajoutée en tête de l’article.\n\n" + TEXT)
    [(words, _)] = where(store, edited)
    assert words == "entrepôts"
    assert not store.standing(edited).stale


def test_a_flag_decision_lands_on_the_flag_now_raised_on_its_words(tmp_path):
    flags = (("les Patriotes se mettent", "grammar", "grammar"),)
    before, after = article(TEXT, flags), article("Titre.\n\n" + TEXT, flags)
    assert before.flags[0].id != after.flags[0].id  # the offsets moved, and a flag's id comes from them
    store = DecisionStore(tmp_path / "review.sqlite")
    store.decide(before, {"item": before.flags[0].id, "verdict": "reject", "reviewer": "ann"})
    followed = store.standing(after)
    assert list(followed.decisions) == [after.flags[0].id]
    assert followed.decisions[after.flags[0].id].verdict == "reject"


def test_a_decision_whose_words_are_gone_is_stale(tmp_path):
    store = DecisionStore(tmp_path / "review.sqlite")
    add(store, article(TEXT), "se mettent au chômage")
    add(store, article(TEXT), "entrepôts")
    fixed = article(TEXT.replace("se mettent au chômage", "restent inutilisés"))
    assert [words for words, _ in where(store, fixed)] == ["entrepôts"]
    [stale] = store.standing(fixed).stale
    assert stale.text == "se mettent au chômage"


def test_of_several_occurrences_the_one_in_the_same_context_is_chosen(tmp_path):
    store = DecisionStore(tmp_path / "review.sqlite")
    add(store, article(TEXT), "de", inside="région de Kharkiv")
    edited = article("Il a parlé de la guerre et de la paix. " + TEXT.replace("Il a ajouté", "Puis il a ajouté"))
    [decision] = store.standing(edited).decisions.values()
    assert edited.text[decision.start - 7:decision.end + 8] == "région de Kharkiv"


def test_common_words_whose_surroundings_changed_are_stale_not_guessed(tmp_path):
    store = DecisionStore(tmp_path / "review.sqlite")
    add(store, article(TEXT), "de", inside="région de Kharkiv")
    rewritten = article(TEXT.replace("de la région de Kharkiv ont besoin", "ont grand besoin, au dire de tous,"))
    assert rewritten.text.count("de") > 1
    assert not store.standing(rewritten).decisions
    assert len(store.standing(rewritten).stale) == 1


def test_a_short_word_left_once_in_a_rewritten_sentence_is_stale_not_guessed(tmp_path):
    store = DecisionStore(tmp_path / "review.sqlite")
    add(store, article(TEXT), "besoin")
    rewritten = article(TEXT.replace("ont besoin de défense.", "en ont, dit-il, un besoin urgent."))
    assert rewritten.text.count("besoin") == 1
    assert [d.text for d in store.standing(rewritten).stale] == ["besoin"]


def test_a_flag_accepted_earlier_that_the_run_no_longer_raises_stays_in_view(tmp_path):
    """After calibration turns a detector off, the errors reviewers accepted from it are still
    errors: the page shows them, and a reviewer can take one back."""
    flagged = article(TEXT, (("les Patriotes se mettent", "grammar", "grammar"),))
    store = DecisionStore(tmp_path / "review.sqlite")
    store.decide(flagged, {"item": flagged.flags[0].id, "verdict": "accept", "reviewer": "ann"})
    unflagged = article(TEXT)  # the same text, checked again without that detector
    run = ReviewRun(tmp_path / "report.json", store.path, (unflagged,))
    settings = ReviewSettings(allowed_hosts=["testserver"])
    with starlette_testclient.TestClient(create_app(run, store, settings)) as client:
        client.headers["X-CSRF-Token"] = settings.csrf
        [item] = client.get("/api/article/a1").json()["items"]
        assert (item["text"], item["state"]) == ("les Patriotes se mettent", "accepted")
        # A detector raised it, not the reviewer: told apart from a span a reviewer added.
        assert (item["origin"], item["detector"]) == ("earlier-flag", "grammar")
        assert "no longer raises" in item["message"]
        taken_back = client.post("/api/decide/a1", json={"item": item["id"], "verdict": "reject", "reviewer": "bob"})
        assert taken_back.status_code == 200, taken_back.text
        assert client.get("/api/article/a1").json()["items"] == []
    assert [(r["text"], r["decision"]) for r in review_records(run, store)] == [("les Patriotes se mettent", "reject")]


def test_calibration_still_counts_decisions_on_flags_the_run_no_longer_raises(tmp_path):
    """Calibration turned a detector off; the reviewers' decisions on its flags are still its
    record: a later calibration counts them for that detector, as raised when decided."""
    flags = tuple((words, "grammar", "grammar") for words in ("les Patriotes se mettent", "dans les entrepôts",
                                                              "de nombreux pays"))
    flagged = article(TEXT, flags)
    store = DecisionStore(tmp_path / "review.sqlite")
    for flag, verdict in zip(flagged.flags, ("accept", "reject", "reject")):
        store.decide(flagged, {"item": flag.id, "verdict": verdict, "reviewer": "ann", "severity": "minor"})
    run = ReviewRun(tmp_path / "report.json", store.path, (article(TEXT),))  # checked again without grammar
    records = review_records(run, store)
    assert {(r["detector"], r["flag_severity"], r["severity"]) for r in records} == {("grammar", "major", "minor")}
    [row] = calibrate(records, min_decisions=3).rows
    assert (row.detector, row.precision.accepted, row.precision.decided) == ("grammar", 1, 3)


def test_a_flag_decided_again_after_it_moved_is_one_stale_decision_when_its_words_go(tmp_path):
    flags = (("les Patriotes se mettent", "grammar", "grammar"),)
    before, moved = article(TEXT, flags), article("Titre.\n\n" + TEXT, flags)
    store = DecisionStore(tmp_path / "review.sqlite")
    store.decide(before, {"item": before.flags[0].id, "verdict": "accept", "reviewer": "ann"})
    store.decide(moved, {"item": moved.flags[0].id, "verdict": "reject", "reviewer": "bob"})  # its new id
    gone = article("Titre.\n\n" + TEXT.replace("les Patriotes se mettent", "les systèmes Patriot restent"))
    [stale] = store.standing(gone).stale
    assert (stale.verdict, stale.reviewer) == ("reject", "bob")


def test_a_database_made_before_contexts_were_kept_is_upgraded_in_place(tmp_path):
    path = tmp_path / "review.sqlite"
    with sqlite3.connect(path) as db:  # the schema of the first release, one decision in it
        db.executescript("""CREATE TABLE decisions (id INTEGER PRIMARY KEY AUTOINCREMENT, article_id TEXT NOT NULL,
            item TEXT NOT NULL, verdict TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            text TEXT NOT NULL, category TEXT NOT NULL, severity TEXT NOT NULL, suggestion TEXT NOT NULL,
            note TEXT NOT NULL, reviewer TEXT NOT NULL, created_at TEXT NOT NULL, undone_at TEXT);""")
        start = TEXT.index("entrepôts")
        db.execute('INSERT INTO decisions (article_id, item, verdict, start, "end", text, category, severity, '
                   "suggestion, note, reviewer, created_at) VALUES ('a1', 'added-1', 'accept', ?, ?, 'entrepôts', "
                   "'mistranslation', 'major', '', '', 'ann', '2026-01-01T00:00:00Z')", (start, start + 9))
    db.close()
    store = DecisionStore(path)
    assert where(store, article(TEXT)) == [("entrepôts", "added-1")]
    # Without a stored context the words are followed where they are the article's only such words.
    assert where(store, article("Titre.\n\n" + TEXT)) == [("entrepôts", "added-1")]
    add(store, article(TEXT), "Kharkiv")  # new decisions keep their context in the upgraded database
    assert sqlite3.connect(path).execute(
        "SELECT context_before FROM decisions WHERE text = 'Kharkiv'").fetchone()[0].endswith("de la région de ")


def _benchmark(name: str) -> ModuleType:
    """A script of benchmarks/ (not a package), imported from its file."""
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _batch(source: Path, output: Path, model: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "mtcheck.cli", "batch", str(source), "-o", str(output), "--engine",
                           "hf", "--model", str(model), "--beam-size", "1", "--no-cache", "--quiet"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr


def test_a_run_checked_again_after_the_article_changed(tmp_path, tiny_model):
    """The whole path a newsroom takes: review, edit the article, batch again, review and export."""
    source, output = tmp_path / "articles", tmp_path / "run"
    shutil.copytree(SAMPLE_DIR, source / "sample")
    _batch(source, output, tiny_model)
    run = ReviewRun.open(output)
    [first] = run.articles
    assert first.flags, "the sample must draw flags for this test to mean anything"
    flagged = first.flags[0]
    store = DecisionStore(run.database)
    store.decide(first, {"item": flagged.id, "verdict": "accept", "reviewer": "ann"})
    missed = first.text.index("entrepôts")
    store.add(first, {"start": missed, "end": missed + 9, "category": "mistranslation", "severity": "major",
                      "reviewer": "ann"})

    before_edit = tmp_path / "before-edit.jsonl"
    write_export(run, store, before_edit)

    settings = ReviewSettings(allowed_hosts=["testserver"])
    with starlette_testclient.TestClient(create_app(run, store, settings)) as client:
        client.headers["X-CSRF-Token"] = settings.csrf
        article_file = source / "sample" / "article.fr.txt"
        article_file.write_text("Une phrase ajoutée en tête.\n\n" + article_file.read_text(encoding="utf-8"),
                                encoding="utf-8")
        _batch(source, output, tiny_model)  # while the server runs

        # The server reads the run again: the page is the new text, the decisions on its words.
        shown = client.get("/api/article/sample").json()
        assert shown["text"].startswith("Une phrase ajoutée en tête.")
        decided = {i["text"]: i for i in shown["items"] if i["state"] in ("accepted", "added")}
        assert set(decided) == {flagged.text, "entrepôts"}
        for item in decided.values():
            assert shown["text"][item["start"]:item["end"]] == item["text"]
        # A page loaded before the rerun names flags by their old ids: the answer says what to do.
        stale_page = client.post("/api/decide/sample", json={"item": flagged.id, "verdict": "reject",
                                                             "reviewer": "ann"})
        assert stale_page.status_code == 400 and "reload the page" in stale_page.json()["error"]
        # The page sends the words the reviewer saw: offsets of the old text name other words now.
        old_offsets = client.post("/api/add/sample", json={
            "start": missed, "end": missed + 9, "text": "entrepôts", "category": "mistranslation",
            "severity": "major", "reviewer": "ann"})
        assert old_offsets.status_code == 400 and "'entrepôts' is no longer there" in old_offsets.json()["error"]
        count = store.count()
        moved = decided["entrepôts"]
        wrong_words = client.post("/api/decide/sample", json={"item": moved["id"], "text": "autre chose",
                                                              "verdict": "reject", "reviewer": "ann"})
        assert wrong_words.status_code == 400 and "reload the page" in wrong_words.json()["error"]
        assert store.count() == count  # nothing stored from a page that shows other words
        same_words = client.post("/api/decide/sample", json={"item": moved["id"], "text": "entrepôts",
                                                             "verdict": "accept", "reviewer": "ann"})
        assert same_words.status_code == 200, same_words.text

    exported = tmp_path / "review.jsonl"
    done = subprocess.run([sys.executable, "-m", "mtcheck.cli", "review", str(output), "--export", str(exported)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    now = ReviewRun.open(output).articles[0].text
    records = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    assert sorted(now[r["start"]:r["end"]] for r in records) == sorted([flagged.text, "entrepôts"])
    assert "left out" not in done.stderr
    # Scoring mtcheck on the reviewers' gold: an export older than the run is refused, not scored
    # at offsets that now name other words; the fresh export scores.
    reviewed_documents = _benchmark("flags").reviewed_documents
    with pytest.raises(SystemExit, match="changed since the export"):
        reviewed_documents(output, before_edit)
    [document] = reviewed_documents(output, exported)
    assert sorted(now[g.start:g.end] for g in document.gold) == sorted([flagged.text, "entrepôts"])

    # The newsroom fixes the flagged words: that decision has nothing left to point at.
    article_file.write_text(article_file.read_text(encoding="utf-8").replace(flagged.text, "[corrigé]", 1),
                            encoding="utf-8")
    _batch(source, output, tiny_model)
    done = subprocess.run([sys.executable, "-m", "mtcheck.cli", "review", str(output), "--export", str(exported)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "1 decision(s) left out" in done.stderr and repr(flagged.text) in done.stderr
    rerun = ReviewRun.open(output)
    assert [r["text"] for r in review_records(rerun, store)] == ["entrepôts"]
    assert [d.text for d in records_and_stale(rerun, store)[1]] == [flagged.text]
    with starlette_testclient.TestClient(create_app(rerun, store, settings)) as client:
        page = client.get("/article/sample").text
        listed = client.get("/api/articles").json()["articles"]
    assert "1 earlier decision was made on words this article no longer holds" in page
    assert [(row["article_id"], row["stale"]) for row in listed] == [("sample", 1)]
