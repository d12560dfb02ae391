"""mtcheck review in a real browser: the server `mtcheck review` starts, driven in headless Chromium.

Playwright drives Debian's chromium (``executable_path``): nothing is downloaded. The test
reviews as a person would: keyboard to accept and reject, a double-click to select a
missed word and ``m`` to add it, a reload to see the decisions kept, then the export.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import pytest

from mtcheck.review.decisions import DecisionStore
from mtcheck.review.run import ReviewFlag, ReviewRun, flag_id
from tests.test_review import make_run

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (drives the system chromium)")


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium)")


@contextmanager
def _serving(run: Path) -> Iterator[str]:
    """`mtcheck review RUN --no-browser` on a free loopback port: its address while it runs."""
    process = subprocess.Popen([sys.executable, "-m", "mtcheck.cli", "review", str(run), "--no-browser"],
                               stderr=subprocess.PIPE, text=True)
    try:
        line = process.stderr.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        assert match, f"the server printed no address: {line!r}"
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory, tiny_model: Path):
    """The review server on a batch run of two articles, and the run."""
    run = make_run(tmp_path_factory.mktemp("review-browser"), tiny_model)
    with _serving(run) as address:
        yield address, run


@pytest.fixture()
def page(server):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        errors: list[str] = []
        tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.errors = errors
        yield tab
        browser.close()


def _states(page) -> dict[str, str]:
    """Each flag's state as the page shows it (the classes of its highlighted pieces)."""
    return page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('#text .piece.flag'))
        .map(p => [p.dataset.flag, (p.className.match(/state-(\\w+)/) || [])[1]]))""")


def test_review_with_the_keyboard_add_a_missed_span_reload_and_export(server, page, tmp_path):
    base, run = server
    page.goto(base)
    first_article = page.locator("table.articles tbody tr a").first
    article_id = first_article.inner_text()
    first_article.click()
    page.wait_for_selector("#text .piece")
    page.fill("#reviewer", "Ana")
    flags = page.evaluate("() => JSON.parse(document.getElementById('items').textContent).map(i => i.id)")
    assert len(flags) >= 2
    page.locator("body").click(position={"x": 5, "y": 5})  # focus out of the name field, as a reviewer would

    page.keyboard.press("j")
    assert page.locator(f'#text .piece.current[data-flag="{flags[0]}"]').count() >= 1
    page.keyboard.press("a")  # accept the first flag; the next pending flag becomes current
    page.wait_for_function(f"() => document.querySelector('[data-flag=\"{flags[0]}\"]').classList.contains('state-accepted')")
    page.keyboard.press("r")  # reject the second
    page.wait_for_function(f"() => document.querySelector('[data-flag=\"{flags[1]}\"]').classList.contains('state-rejected')")

    # Select an unflagged word with a double-click and add it as a missed error.
    box = page.evaluate("""() => {
        const piece = Array.from(document.querySelectorAll('#text .piece:not(.flag)'))
            .find(p => /\\b[a-zà-ÿ]{6,}\\b/.test(p.textContent));
        const word = piece.textContent.match(/\\b[a-zà-ÿ]{6,}\\b/);
        const range = document.createRange();
        range.setStart(piece.firstChild, word.index + 1);
        range.setEnd(piece.firstChild, word.index + 2);
        const rect = range.getBoundingClientRect();
        return {x: rect.x + rect.width / 2, y: rect.y + rect.height / 2, word: word[0],
                start: Number(piece.dataset.start) + word.index};
    }""")
    page.mouse.dblclick(box["x"], box["y"])
    page.keyboard.press("m")
    assert page.locator("#add-text").inner_text() == box["word"]
    page.select_option("#add-category", "terminology")
    page.select_option("#add-severity", "critical")
    page.click("#add-save")
    page.wait_for_selector("#text .piece.added")

    page.reload()
    page.wait_for_selector("#text .piece")
    states = _states(page)
    assert states[flags[0]] == "accepted" and states[flags[1]] == "rejected"
    assert page.locator("#text .piece.added").inner_text() == box["word"]
    page.screenshot(path=str(tmp_path / "review-article.png"), full_page=True)
    assert (tmp_path / "review-article.png").stat().st_size > 10_000

    with urllib.request.urlopen(base + "export.jsonl") as answer:
        records = [json.loads(line) for line in answer.read().decode("utf-8").splitlines()]
    done = {(r["flag_id"], r["decision"]) for r in records if r["origin"] == "flag"}
    assert done == {(flags[0], "accept"), (flags[1], "reject")}
    [added] = [r for r in records if r["origin"] == "added"]
    assert (added["start"], added["end"], added["text"]) == (box["start"], box["start"] + len(box["word"]), box["word"])
    assert (added["category"], added["severity"], added["reviewer"], added["article_id"]) == (
        "terminology", "critical", "Ana", article_id)
    assert not page.errors, page.errors  # no script error, no CSP violation


def test_undo_with_the_keyboard_and_the_batch_report_links_to_the_review(server, page):
    base, run = server
    page.goto(base + "report.html")
    link = page.locator("table a").first
    article_id = link.inner_text()
    link.click()
    page.wait_for_selector("#text .piece")
    assert page.locator("h1").inner_text() == article_id
    page.fill("#reviewer", "Bruno")
    page.locator("body").click(position={"x": 5, "y": 5})
    target = page.locator("#text .piece.flag").last
    flag = target.get_attribute("data-flag")
    before = _states(page)[flag]
    target.click()  # a click on a flag makes it current, as j/k do
    page.keyboard.press("3")  # critical: an accepted error with its severity changed
    page.wait_for_function(f"() => document.querySelector('[data-flag=\"{flag}\"]').classList.contains('sev-critical')")
    assert _states(page)[flag] == "accepted"
    page.keyboard.press("u")  # the page reloads with what stood before Bruno's decision
    page.wait_for_function(f"() => document.querySelector('[data-flag=\"{flag}\"]').classList.contains('state-{before}')")
    assert _states(page)[flag] == before
    # Bruno's decision is gone; what stands is the earlier test's (or nothing).
    with urllib.request.urlopen(base + "export.jsonl") as answer:
        records = [json.loads(line) for line in answer.read().decode("utf-8").splitlines()]
    assert not [r for r in records if r["reviewer"] == "Bruno"]
    assert not page.errors, page.errors


def test_article_list_reads_on_a_phone(server, page, tmp_path):
    base, _ = server
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base)
    page.screenshot(path=str(tmp_path / "review-list-phone.png"), full_page=True)
    assert page.locator("table.articles tbody tr").count() == 2
    page.select_option("select[name=state]", "added")
    page.click(".filters button")
    page.wait_for_load_state("load")
    assert "state=added" in page.url
    assert not page.errors, page.errors


def test_a_flag_accepted_on_an_earlier_run_is_shown_with_its_detector(server, page, tmp_path):
    """A flag a reviewer accepted, which the run checked again no longer raises (its detector
    turned off by calibration), is still an error: the page names the detector that raised
    it, not "added", which is what a reviewer's own span says."""
    _, run = server
    copy = tmp_path / "run"
    shutil.copytree(run, copy, ignore=shutil.ignore_patterns("review.sqlite*"))  # no other test's decisions
    review = ReviewRun.open(copy)
    article = review.articles[0]
    # The first word of five letters or more that no flag of this run covers.
    word = next(m for m in re.finditer(r"\w{5,}", article.text)
                if not any(f.start < m.end() and m.start() < f.end for f in article.flags))
    raw = {"start": word.start(), "end": word.end(), "detector": "grammar", "category": "grammar"}
    earlier = ReviewFlag(flag_id(article.article_id, raw), word.start(), word.end(), word.group(), "grammar", "major",
                         "grammar", "", "", 0.5, None, {})
    DecisionStore(review.database).decide(replace(article, flags=(*article.flags, earlier)),
                                          {"item": earlier.id, "verdict": "accept", "reviewer": "ann"})
    with _serving(copy) as base:
        page.goto(base + "article/" + quote(article.article_id, safe=""))
        page.locator(f'#text .piece[data-added~="{earlier.id}"]').first.click()
        label = page.locator("#cur-label")
        sync_api.expect(label).to_contain_text("grammar, no longer raised")
        assert page.locator("#cur-text").inner_text() == word.group()
    assert not page.errors, page.errors
