"""mtcheck review: the web app over a real batch run, its decisions, export and calibration.

The run is made by `mtcheck batch` (tiny Marian model) on the bundled sample and a
hand-translated article; the app is exercised through Starlette's ASGI test client, and the
browser tests (tests/test_review_browser.py) drive the real server in headless Chromium.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mtcheck.review.app import MAX_BODY, ReviewSettings, create_app
from mtcheck.review.calibrate import calibrate
from mtcheck.review.decisions import DecisionStore
from mtcheck.review.export import read_gold, read_records, review_records, wmt_rows
from mtcheck.review.run import ReviewRun
from tests.conftest import ROOT, SAMPLE_DIR

starlette_testclient = pytest.importorskip("starlette.testclient")


def make_run(root: Path, model: Path) -> Path:
    """A batch run of two articles: the machine-translated sample and a professional translation."""
    source = root / "articles"
    shutil.copytree(SAMPLE_DIR, source / "ukraine-atacms")
    shutil.copytree(ROOT / "tests" / "data" / "professional" / "ecb-rates", source / "ecb-rates")
    output = root / "run"
    done = subprocess.run([sys.executable, "-m", "mtcheck.cli", "batch", str(source), "-o", str(output), "--engine",
                           "hf", "--model", str(model), "--beam-size", "1", "--no-cache"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return output


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory, tiny_model: Path) -> Path:
    return make_run(tmp_path_factory.mktemp("review"), tiny_model)


@pytest.fixture()
def run_copy(batch_run: Path, tmp_path: Path) -> Path:
    """A fresh copy of the run for each test: decisions of one test never leak into another."""
    copy = tmp_path / "run"
    shutil.copytree(batch_run, copy)
    return copy


@pytest.fixture()
def client(run_copy: Path):
    run = ReviewRun.open(run_copy)
    settings = ReviewSettings(allowed_hosts=["testserver"])
    with starlette_testclient.TestClient(create_app(run, settings=settings)) as test_client:
        test_client.run, test_client.settings = run, settings
        test_client.headers["X-CSRF-Token"] = settings.csrf
        yield test_client


def _flags_by_detector(run: ReviewRun) -> dict[str, list]:
    found: dict[str, list] = {}
    for article in run.articles:
        for flag in article.flags:
            found.setdefault(flag.detector, []).append((article, flag))
    return found


class _ArticleText(HTMLParser):
    """The text inside #text, and each piece's data-start, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.text, self.starts = 0, "", []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id") == "text":
            self.depth = 1
        elif self.depth:
            self.depth += 1
            if "data-start" in attributes:
                self.starts.append((int(attributes["data-start"]), len(self.text)))

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text += data


def test_article_list_is_worst_first_with_progress_and_filters(client):
    run = client.run
    page = client.get("/")
    assert page.status_code == 200
    ids = [a.article_id for a in run.articles]
    assert sorted(ids, key=lambda i: run.article(i).mqm_estimate) == ids
    assert page.text.index(ids[0]) < page.text.index(ids[-1])
    rows = client.get("/api/articles").json()["articles"]
    assert [r["article_id"] for r in rows] == ids
    assert all(r["reviewed"] == 0 and r["flags"] == len(run.article(r["article_id"]).flags) for r in rows)

    detector, [(article, flag), *_] = next(iter(_flags_by_detector(run).items()))
    client.post(f"/api/decide/{article.article_id}", json={"item": flag.id, "verdict": "accept", "reviewer": "Ana"})
    rows = client.get("/api/articles").json()["articles"]
    assert next(r for r in rows if r["article_id"] == article.article_id)["reviewed"] == 1
    accepted = client.get("/api/articles", params={"state": "accepted"}).json()["articles"]
    assert [r["article_id"] for r in accepted] == [article.article_id] and accepted[0]["matching"] == 1
    by_detector = client.get("/api/articles", params={"detector": detector}).json()["articles"]
    assert {r["article_id"] for r in by_detector} == {a.article_id for a, _ in _flags_by_detector(run)[detector]}
    assert client.get("/", params={"state": "added"}).text.count("No article matches") == 1


def test_article_page_shows_the_exact_text_with_every_flag_and_a_legend(client):
    article = client.run.articles[0]
    page = client.get(f"/article/{article.article_id}")
    assert page.status_code == 200
    parser = _ArticleText()
    parser.feed(page.text)
    assert parser.text == article.text  # selection offsets in the page are offsets into the article
    assert all(start == position for start, position in parser.starts)
    for flag in article.flags:
        assert f'data-flag="{flag.id}"' in page.text
    assert 'class="legend"' in page.text and "critical" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text  # no inline script: the CSP would block it
    for segment in article.segments:  # back-translation beside each segment
        assert segment.back_translation.replace("'", "&#39;").replace('"', "&#34;")[:40] in page.text.replace("&quot;", "&#34;")
    assert client.get("/article/no-such-article").status_code == 404


def test_decisions_are_attributed_timestamped_and_the_latest_stands(client):
    article = next(a for a in client.run.articles if a.flags)
    flag = article.flags[0]
    url = f"/api/decide/{article.article_id}"
    first = client.post(url, json={"item": flag.id, "verdict": "accept", "reviewer": "Ana", "severity": "critical",
                                   "suggestion": "les systèmes Patriot", "note": "name of a weapon"})
    assert first.status_code == 200, first.text
    item = first.json()["item"]
    assert (item["state"], item["severity"], item["reviewer"]) == ("accepted", "critical", "Ana")
    assert item["flag_severity"] == flag.severity and item["decided_at"]
    second = client.post(url, json={"item": flag.id, "verdict": "reject", "reviewer": "Bruno"}).json()["item"]
    assert (second["state"], second["reviewer"]) == ("rejected", "Bruno")
    assert second["severity"] == flag.severity  # Bruno's decision does not inherit Ana's edit
    state = {i["id"]: i for i in client.get(f"/api/article/{article.article_id}").json()["items"]}
    assert state[flag.id]["state"] == "rejected"

    # Undo is per reviewer: Ana's undo takes back Ana's decision, Bruno's still stands.
    undone = client.post("/api/undo", json={"reviewer": "Ana", "article_id": article.article_id}).json()
    assert undone["undone"]["reviewer"] == "Ana"
    assert undone["item"]["state"] == "rejected"
    undone = client.post("/api/undo", json={"reviewer": "Bruno", "article_id": article.article_id}).json()
    assert undone["item"]["state"] == "pending"
    assert client.post("/api/undo", json={"reviewer": "Bruno"}).json() == {"undone": None}


def test_a_missed_span_is_added_with_the_text_taken_from_the_article(client):
    article = client.run.articles[0]
    start = article.text.index("armes")
    span = {"start": start, "end": start + 5, "category": "terminology", "severity": "major", "reviewer": "Ana"}
    # The words the page says it showed must be the article's there: nothing else is stored.
    wrong = client.post(f"/api/add/{article.article_id}", json={**span, "text": "not what the article says"})
    assert wrong.status_code == 400 and "reload the page" in wrong.json()["error"]
    answer = client.post(f"/api/add/{article.article_id}", json={**span, "text": "armes"})
    assert answer.status_code == 200, answer.text
    item = answer.json()["item"]
    assert (item["origin"], item["text"], item["state"]) == ("added", "armes", "added")
    page = client.get(f"/article/{article.article_id}").text
    assert f'data-added="{item["id"]}"' in page
    # Rejecting an added span takes it out of the gold annotation, and of the page.
    client.post(f"/api/decide/{article.article_id}", json={"item": item["id"], "verdict": "reject", "reviewer": "Ana"})
    assert f'data-added="{item["id"]}"' not in client.get(f"/article/{article.article_id}").text


@pytest.mark.parametrize("change, status", [
    ({"item": "no-such-flag"}, 400),
    ({"verdict": "maybe"}, 400),
    ({"category": "style"}, 400),
    ({"severity": "fatal"}, 400),
    ({"reviewer": ""}, 400),
    ({"reviewer": "a\x00b"}, 400),
    ({"note": "x" * 2001}, 400),
])
def test_bad_decisions_are_refused_and_nothing_is_stored(client, change, status):
    article = next(a for a in client.run.articles if a.flags)
    body = {"item": article.flags[0].id, "verdict": "accept", "reviewer": "Ana", **change}
    answer = client.post(f"/api/decide/{article.article_id}", json=body)
    assert answer.status_code == status and answer.json()["error"]
    assert DecisionStore(client.run.database).count() == 0


@pytest.mark.parametrize("span", [(-1, 4), (10, 5), (0, 10**6), (3, 3), ("0", 4), (True, 4)])
def test_added_spans_outside_the_article_are_refused(client, span):
    article = client.run.articles[0]
    answer = client.post(f"/api/add/{article.article_id}", json={
        "start": span[0], "end": span[1], "category": "grammar", "severity": "minor", "reviewer": "Ana"})
    assert answer.status_code == 400 and answer.json()["error"]
    assert DecisionStore(client.run.database).count() == 0


def test_requests_without_csrf_token_from_another_site_or_too_big_are_refused(client):
    article = next(a for a in client.run.articles if a.flags)
    url = f"/api/decide/{article.article_id}"
    body = {"item": article.flags[0].id, "verdict": "accept", "reviewer": "Ana"}
    assert client.post(url, json=body, headers={"X-CSRF-Token": ""}).status_code == 403
    assert client.post(url, json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post(url, json=body, headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.post(url, json={**body, "note": "x" * MAX_BODY}).status_code == 413
    chunked = client.post(url, content=iter([b"{" + b" " * MAX_BODY, b"}"]))  # no Content-Length
    assert chunked.status_code == 413
    assert client.post(url, content=b"not json").status_code == 400
    assert client.post(url, json=[1, 2]).status_code == 400
    assert client.post("/api/decide/no-such-article", json=body).status_code == 404
    assert client.get("/", headers={"Host": "attacker.example"}).status_code == 400  # DNS rebinding
    assert DecisionStore(client.run.database).count() == 0


def test_an_access_token_guards_every_request(run_copy):
    run = ReviewRun.open(run_copy)
    settings = ReviewSettings(token="s3cret", allowed_hosts=["testserver"])
    with starlette_testclient.TestClient(create_app(run, settings=settings), follow_redirects=False) as anonymous:
        assert anonymous.get("/").status_code == 401
        assert anonymous.get("/api/articles").status_code == 401
        assert anonymous.get("/?token=wrong").status_code == 401
        entry = anonymous.get("/?token=s3cret")
        assert entry.status_code == 303 and "token" not in entry.headers["location"]
        assert anonymous.get("/").status_code == 200  # the cookie set by the link
    with starlette_testclient.TestClient(create_app(run, settings=settings)) as scripted:
        assert scripted.get("/api/articles", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_decisions_survive_a_restart_in_a_wal_database(run_copy):
    run = ReviewRun.open(run_copy)
    article = next(a for a in run.articles if a.flags)
    DecisionStore(run.database).decide(article, {"item": article.flags[0].id, "verdict": "reject", "reviewer": "Ana"})
    again = ReviewRun.open(run_copy)  # a new server reads the same run: the flag ids are the same
    assert [f.id for f in again.article(article.article_id).flags] == [f.id for f in article.flags]
    assert DecisionStore(again.database).current(article.article_id)[article.flags[0].id].verdict == "reject"
    with sqlite3.connect(run.database) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert run.database.parent == run_copy


def test_export_writes_mqm_annotations_as_jsonl_and_wmt20_tsv(run_copy, tmp_path):
    run = ReviewRun.open(run_copy)
    store = DecisionStore(run.database)
    article = next(a for a in run.articles if len(a.flags) >= 2 and len(a.segments) >= 2)
    kept, thrown = article.flags[0], article.flags[1]
    store.decide(article, {"item": kept.id, "verdict": "accept", "reviewer": "Ana", "severity": "critical"})
    store.decide(article, {"item": thrown.id, "verdict": "reject", "reviewer": "Ana"})
    # A missed error over the end of one sentence and the start of the next.
    first, second = article.segments[0], article.segments[1]
    added = store.add(article, {"start": first.end - 4, "end": second.start + 3, "category": "omission",
                                "severity": "minor", "reviewer": "Bruno"})

    jsonl, tsv = tmp_path / "review.jsonl", tmp_path / "annotations.tsv"
    for path in (jsonl, tsv):
        done = subprocess.run([sys.executable, "-m", "mtcheck.cli", "review", str(run_copy), "--export", str(path)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    records = read_records(jsonl)
    by_origin = {(r["origin"], r["decision"]): r for r in records}
    assert len(records) == 3
    assert by_origin[("flag", "accept")]["flag_id"] == kept.id and by_origin[("flag", "accept")]["severity"] == "critical"
    assert by_origin[("flag", "accept")]["detector"] == kept.detector
    assert by_origin[("flag", "reject")]["flag_id"] == thrown.id
    assert by_origin[("added", "accept")]["flag_id"] is None and by_origin[("added", "accept")]["reviewer"] == "Bruno"
    assert by_origin[("added", "accept")]["text"] == article.text[added.start:added.end]
    assert all(r["decided_at"] for r in records)

    lines = tsv.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == ["document_id", "segment_id", "annotation_start", "annotation_length",
                                    "severity", "severity_weight", "category"]
    rows = [dict(zip(lines[0].split("\t"), line.split("\t"))) for line in lines[1:]]
    assert len(rows) == 2  # the accepted flag and the added span; the rejected flag is no error
    segments = {s.index: s for s in article.segments}
    for row in rows:
        pieces = zip(*(row[k].split(" ") for k in ("segment_id", "annotation_start", "annotation_length")))
        text = [segments[int(s)].text[int(o):int(o) + int(n)] for s, o, n in pieces]
        assert all(text)
        if row["category"] == "omission":
            assert len(text) == 2 and text == [article.text[first.end - 4:first.end], article.text[second.start:second.start + 3]]
    gold = read_gold(jsonl)
    assert sorted((g.start, g.end) for g in gold[article.article_id]) == sorted([(kept.start, kept.end),
                                                                               (added.start, added.end)])
    assert {r["document_id"] for r in wmt_rows(run, review_records(run, store))} == {article.article_id}


def test_review_of_a_check_json_report(tmp_path, tiny_model):
    report = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", "mtcheck.cli", "check", "--engine", "hf", "--model", str(tiny_model),
                           "--beam-size", "1", "--no-cache", "--format", "json", "-o", str(report)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    run = ReviewRun.open(report)
    assert run.database == tmp_path / "report.json.review.sqlite"
    [article] = run.articles
    assert article.text == (SAMPLE_DIR / "article.fr.txt").read_text(encoding="utf-8")
    assert len(article.flags) == len(json.loads(report.read_text())["flags"])


def test_review_refuses_what_is_not_a_run(tmp_path):
    for target, problem in ((tmp_path / "missing", "no such run"), (tmp_path, "not a batch output folder")):
        done = subprocess.run([sys.executable, "-m", "mtcheck.cli", "review", str(target), "--no-browser"],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and problem in done.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"article": ', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mtcheck.cli", "review", str(bad), "--no-browser"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and f"{bad}:1" in done.stderr
    exposed = subprocess.run([sys.executable, "-m", "mtcheck.cli", "review", str(tmp_path / "x.json"), "--host", "0.0.0.0"],
                             capture_output=True, text=True, timeout=60)
    assert exposed.returncode == 2


def test_calibration_turns_off_exactly_the_detectors_below_the_precision_asked(run_copy, tmp_path, tiny_model):
    run = ReviewRun.open(run_copy)
    flagged = sorted(((d, f) for d, f in _flags_by_detector(run).items() if d != "model" and len(f) >= 3),
                     key=lambda kv: -len(kv[1]))
    assert len(flagged) >= 2, f"the run needs 3 flags from each of two detectors: {_flags_by_detector(run)}"
    (bad, bad_flags), (good, good_flags) = flagged[0], flagged[1]
    store = DecisionStore(run.database)
    # Synthetic decisions: the first detector is right once in five, the second always.
    for n, (article, flag) in enumerate(bad_flags[:5]):
        store.decide(article, {"item": flag.id, "verdict": "accept" if n == 0 else "reject", "reviewer": "Ana"})
    for article, flag in good_flags[:5]:
        store.decide(article, {"item": flag.id, "verdict": "accept", "reviewer": "Ana"})
    config = tmp_path / "calibrated.toml"
    done = subprocess.run([sys.executable, "-m", "mtcheck.cli", "calibrate", str(run_copy), "--min-precision", "0.7",
                           "--min-decisions", str(min(5, len(good_flags))), "-o", str(config)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "turn off" in done.stdout and "before" in done.stdout

    from mtcheck.config import load_config

    settings = load_config(config)
    assert set(run.detectors) - set(settings.detectors or ()) == {bad}
    assert good in (settings.detectors or ())
    assert settings.flag_model == "bundled"  # the run's own model setting, so check runs as the batch did

    report = tmp_path / "after.json"
    done = subprocess.run([sys.executable, "-m", "mtcheck.cli", "check", str(SAMPLE_DIR / "article.fr.txt"),
                           "--refs", str(SAMPLE_DIR / "references.en.jsonl"), "--config", str(config),
                           "--engine", "hf", "--model", str(tiny_model), "--beam-size", "1", "--no-cache",
                           "--format", "json", "-o", str(report)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    after = json.loads(report.read_text())
    assert not [f for f in after["flags"] if f["detector"] == bad]
    assert bad not in after["signature"]["detectors"] and good in after["signature"]["detectors"]


def test_calibration_precision_and_intervals():
    records = ([{"article_id": "a", "origin": "flag", "detector": "lexicon", "flag_category": "terminology",
                 "flag_severity": "major", "decision": "accept"}] * 8
               + [{"article_id": "a", "origin": "flag", "detector": "lexicon", "flag_category": "fluency",
                   "flag_severity": "minor", "decision": "reject"}] * 6
               + [{"article_id": "b", "origin": "flag", "detector": "spelling", "flag_category": "fluency",
                   "flag_severity": "minor", "decision": "reject"}] * 2)
    result = calibrate(records, min_precision=0.5, min_decisions=5, detectors=("lexicon", "spelling", "names"))
    rows = {r.label: r for r in result.rows}
    assert rows["lexicon"].action == "keep" and abs(rows["lexicon"].precision.value - 8 / 14) < 1e-9
    assert rows["lexicon fluency/minor"].action == "drop"  # the detector stays, its bad group goes
    assert rows["spelling"].action == "too few decisions"  # two decisions say little
    low, high = rows["lexicon"].precision.interval()
    assert low < 8 / 14 < high and 0 < low and high < 1
    assert result.turned_off == () and [str(r) for r in result.drop] == ["lexicon/fluency/minor"]
    assert (result.before.accepted, result.before.decided) == (8, 16)
    assert (result.after.accepted, result.after.decided) == (8, 10)


def test_calibrated_config_works_with_regress(run_copy, tmp_path):
    config = tmp_path / "drop.toml"
    config.write_text('detectors = ["lexicon", "numbers"]\n[[drop]]\ndetector = "lexicon"\n', encoding="utf-8")
    corpus = ROOT / "data" / "corpora" / "debian-faq"
    baseline = tmp_path / "baseline.json"
    done = subprocess.run([sys.executable, "-m", "mtcheck.cli", "regress", str(corpus), "--baseline", str(baseline),
                           "--update-baseline", "--config", str(config), "--flag-model", "none"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    written = json.loads(baseline.read_text())
    assert written["detectors"] == ["lexicon", "numbers"]
    flags = [a for c in written["corpora"].values() for a in c.get("articles", {}).values()]
    assert flags  # the corpus was scored with the config's detectors


def test_a_drop_rule_removes_exactly_its_flags_and_changes_the_run_signature(tmp_path, tiny_model, sample):
    from mtcheck import Checker

    plain = Checker.from_config(engine="hf", model=str(tiny_model), beam_size=1, cache=False)
    before = plain.check(sample.text, sample.references, article_id=sample.id)
    [dropped_detector, *_] = sorted({f.detector for f in before.flags if f.detector != "model"})
    config = tmp_path / "drop.toml"
    config.write_text(f'[[drop]]\ndetector = "{dropped_detector}"\n', encoding="utf-8")
    checker = Checker.from_config(config, engine="hf", model=str(tiny_model), beam_size=1, cache=False)
    after = checker.check(sample.text, sample.references, article_id=sample.id)
    assert not [f for f in after.flags if f.detector == dropped_detector]
    assert [f for f in before.flags if f.detector != dropped_detector] == list(after.flags)
    assert f"drop:{dropped_detector}/*/*" in str(after.signature) and "drop:" not in str(before.signature)
