"""The per-sentence table printed by ``mtcheck check`` (rich renders and wraps it)."""

from __future__ import annotations

import io
import re
import shutil
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:  # annotations only: the report calls this module, not the other way round
    from .article import ArticleReport

_SEVERITY_STYLE = {"critical": "bold red", "major": "red", "minor": "yellow"}
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


def render_table(report: ArticleReport, width: int | None = None) -> str:
    """The report as text: one row per sentence, then the ranked flags, then article scores."""
    width = width or max(100, shutil.get_terminal_size((140, 20)).columns)
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None)
    refs = {a.reference.id: a.reference for a in report.alignments}

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
        ref_ids = report.reference_ids(seg.index)
        scores = report.segment_scores(seg.index)
        flags = Text()
        for f in report.flags_in(seg):
            flags.append(f"{f.severity.value} {f.category.value}: ", style=_SEVERITY_STYLE[f.severity.value])
            flags.append(f"«{printable(f.text)}»\n")
        table.add_row(
            str(seg.index),
            Text(printable(seg.text)),
            Text(printable(bt.text)),
            Text(printable("\n".join(f"[{rid}] {refs[rid].text}" for rid in ref_ids)) or "-"),
            f"{scores['chrf']:.1f}" if scores else "-",
            flags,
        )
    console.print(table)

    if report.flags:
        console.print(f"\nFlags, most serious first ({len(report.flags)}):")
        for n, f in enumerate(report.flags, 1):
            console.print(printable(
                f"{n:>3}. [{f.severity.value}/{f.category.value}] {f.start}-{f.end} «{f.text}» ({f.detector})")
                + f"\n     {printable(f.message)}\n     suggestion: {printable(f.suggestion) or '-'}",
                highlight=False, markup=False,
            )
    missing = [a.reference.id for a in report.alignments if not a.found]
    if missing:
        console.print(f"\nReferences not found in the article: {printable(', '.join(missing))}", markup=False)
    # One original translated twice is worth comparing even where no word is flagged.
    repeated = [(a.reference.id, [r.segment_indices[0] for r in a.renderings])
                for a in report.alignments if len(a.renderings) > 1]
    if repeated:
        console.print("\nQuotes rendered more than once (compare the renderings): " + "; ".join(
            f"{printable(rid)} in segments {', '.join(map(str, segs))}" for rid, segs in repeated), markup=False,
            soft_wrap=True)
    if report.scores:
        console.print("\nArticle scores (aligned pairs):", markup=False)
        for m in report.scores.values():
            console.print(f"  {m.name:<5} {m.score:6.2f}   {m.signature}", markup=False, highlight=False)
    console.print(f"\nrun signature: {report.signature}", markup=False, highlight=False)
    return buffer.getvalue()
