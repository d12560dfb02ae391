"""The terminal table: readable at the terminal's width, severities in colour only where wanted."""

from __future__ import annotations

import re

import pytest

from mtcheck.report.table import STACKED_BELOW, render_table

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def report(hf_tiny, sample):
    from mtcheck import Checker

    return Checker(engine=hf_tiny).check(sample.text, sample.references, article_id=sample.id)


@pytest.mark.parametrize("width", [80, 120, 200])
def test_no_line_is_wider_than_the_terminal(report, width):
    text = render_table(report, width=width)
    too_wide = [line for line in text.splitlines() if len(line) > width]
    assert not too_wide, too_wide[:3]
    assert all(f"«{f.text.split()[0]}" in text for f in report.flags)  # every flag is listed


def test_a_narrow_terminal_gets_one_block_per_sentence(report):
    text = render_table(report, width=80)
    assert 80 < STACKED_BELOW
    lines = text.splitlines()
    assert sum(line.startswith("French ") for line in lines) == len(report.segments)
    assert sum(line.startswith("Back ") for line in lines) == len(report.segments)
    assert "┃ French" not in text
    # Each block's French, unwrapped, is the sentence as written.
    block = text.split("\n0 ")[1].split("\n1 ")[0]
    french = " ".join(l[7:].strip() for l in block.splitlines()
                      if l.startswith("French ") or (l.startswith("       ") and "Back " not in l))
    first_sentence = report.segments[0].text
    assert " ".join(first_sentence.split()) in " ".join(french.split())


@pytest.mark.parametrize("width", [120, 200])
def test_a_wide_terminal_gets_the_table(report, width):
    text = render_table(report, width=width)
    assert "┃ French" in text and "Back-translation" in text


def test_severities_are_coloured_only_when_asked(report):
    plain = render_table(report, width=80)
    coloured = render_table(report, width=80, color=True)
    assert not ANSI.search(plain)
    assert "\x1b[31m" in coloured or "\x1b[1;31m" in coloured  # major/critical in red
    assert ANSI.sub("", coloured) == plain  # the colour adds nothing a reader without it misses


def test_the_command_colours_a_terminal_but_not_with_no_color(monkeypatch):
    from mtcheck import cli

    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert cli._colour()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not cli._colour()
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setattr("sys.stdout.isatty", lambda: False)
    assert not cli._colour()
