"""The per-sentence table printed by ``mtcheck check`` (rich renders and wraps it).

At the terminal's width: from ``STACKED_BELOW`` columns down, one block per sentence (French,
back-translation, reference, flags, each wrapped to the width) instead of six columns too
narrow to read. Severities are coloured on a terminal (not with NO_COLOR, nor in a file); the
severity is also written out, so nothing depends on the colour.
"""

from __future__ import annotations

import io
import re
import shutil
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:  # annotations only: the report calls this module, not the other way round
    from .article import ArticleReport

_SEVERITY_STYLE = {"critical": "bold red", "major": "red", "minor": "yellow"}
STACKED_BELOW = 110  # columns: below this, six columns leave each under 20 characters
# Control characters would act on the terminal (an escape sequence recolours it, a carriage
# return overwrites the line) and bidirectional overrides reorder what is shown (a flag could
# read as other words): each is shown as a visible sign instead, so the text reads as written.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible_sign(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ␛ for ESC, ␍ for CR
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


def printable(text: str) -> str:
    """``text`` with control and bidirectional-override characters shown as visible signs."""
    return _CONTROL.sub(_visible_sign, text)


def render_table(report: ArticleReport, width: int | None = None, color: bool = False) -> str:
    """The report as text: the sentences (a table, or stacked blocks below STACKED_BELOW
    columns), then the ranked flags, then article scores. ``width``: the terminal's when None;
    ``color``: ANSI colours for the severities."""
    width = width or shutil.get_terminal_size((140, 20)).columns
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, color_system="standard" if color else None,
                      no_color=not color, highlight=False)
    if width < STACKED_BELOW:
        _print_stacked(console, report)
    else:
        _print_columns(console, report)
    _print_details(console, report)
    # rich pads every line to the width: trailing spaces only make a narrow terminal wrap.
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))


def _flag_lines(report: ArticleReport, segment) -> Text:
    flags = Text()
    for f in report.flags_in(segment):
        if flags:
            flags.append("\n")
        flags.append(f"{f.severity.value} {f.category.value}: ", style=_SEVERITY_STYLE[f.severity.value])
        flags.append(f"«{printable(f.text)}»")
    return flags


def _reference_text(report: ArticleReport, index: int) -> Text:
    # What the segment renders: the whole reference, or the sentence of it that it renders.
    rendered = [f"[{a.reference.id}] {a.rendered_text(r)}" for a in report.alignments for r in a.renderings
                if index in r.segment_indices]
    return Text(printable("\n".join(dict.fromkeys(rendered))) or "-")


def _print_columns(console: Console, report: ArticleReport) -> None:
    # Article text is text: an editor's "[sic]" or a stray "[/]" must print as written, so every
    # cell is a Text (rich reads plain strings as markup).
    table = Table(title=Text(printable(f"mtcheck: {report.article_id}")), show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("French", ratio=3)
    table.add_column("Back-translation", ratio=3)
    table.add_column("Reference", ratio=3)
    table.add_column("chrF", justify="right", no_wrap=True)
    table.add_column("Flags", ratio=2)
    for bt in report.back_translations:
        seg = bt.segment
        scores = report.segment_scores(seg.index)
        table.add_row(str(seg.index), Text(printable(seg.text)), Text(printable(bt.text)),
                      _reference_text(report, seg.index), f"{scores['chrf']:.1f}" if scores else "-",
                      _flag_lines(report, seg))
    console.print(table)


def _print_stacked(console: Console, report: ArticleReport) -> None:
    console.print(Text(printable(f"mtcheck: {report.article_id}"), style="bold"))
    for bt in report.back_translations:
        seg = bt.segment
        scores = report.segment_scores(seg.index)
        title = f"{seg.index}" + (f" · chrF {scores['chrf']:.1f}" if scores else "")
        block = Table.grid(padding=(0, 1), expand=True)
        block.add_column(no_wrap=True, style="bold")
        block.add_column(ratio=1, overflow="fold")
        block.add_row("French", Text(printable(seg.text)))
        block.add_row("Back", Text(printable(bt.text)))
        block.add_row("Ref", _reference_text(report, seg.index))
        flags = _flag_lines(report, seg)
        if flags:
            block.add_row("Flags", flags)
        console.print(Group(Rule(Text(title), align="left", characters="─"), block))


def _print_details(console: Console, report: ArticleReport) -> None:
    if report.flags:
        console.print(f"\nFlags, most serious first ({len(report.flags)}):")
        listing = Table.grid(padding=(0, 1), expand=True)
        listing.add_column(justify="right", no_wrap=True)
        listing.add_column(ratio=1, overflow="fold")
        for n, f in enumerate(report.flags, 1):
            entry = Text()
            entry.append(f"[{f.severity.value}/{f.category.value}]", style=_SEVERITY_STYLE[f.severity.value])
            entry.append(printable(f" {f.start}-{f.end} «{f.text}» ({f.detector})"))
            entry.append(f"\n{printable(f.message)}\nsuggestion: {printable(f.suggestion) or '-'}")
            listing.add_row(f"{n}.", entry)
        console.print(listing)
    missing = [a.reference.id for a in report.alignments if not a.found]
    if missing:
        console.print(f"\nReferences not found in the article: {printable(', '.join(missing))}", markup=False)
    # One original translated twice is worth comparing even where no word is flagged.
    repeated = [(a.reference.id, [r.segment_indices[0] for r in a.renderings])
                for a in report.alignments if len(a.renderings) > 1]
    if repeated:
        console.print("\nQuotes rendered more than once (compare the renderings): " + "; ".join(
            f"{printable(rid)} in segments {', '.join(map(str, segs))}" for rid, segs in repeated), markup=False)
    if report.scores:
        console.print("\nArticle scores (aligned pairs):", markup=False)
        for m in report.scores.values():
            console.print(f"  {m.name:<5} {m.score:6.2f}   {m.signature}", markup=False, highlight=False)
    console.print(f"\nrun signature: {report.signature}", markup=False, highlight=False)
