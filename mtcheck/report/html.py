"""HTML renderings: one article with its flagged spans highlighted, and the batch report.

Jinja2 renders them with autoescaping on, so text from an article or a reference is always
text in the page, never markup or script.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jinja2

from . import plots


@dataclass(frozen=True)
class Piece:
    """A run of the article's text, highlighted when ``flag`` is set."""

    text: str
    flag: Mapping[str, Any] | None = None
    back_translation: str = ""
    reference: str = ""


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("mtcheck.resources", "templates"),
        autoescape=True,  # article text is untrusted input
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def article_pieces(text: str, flags: Sequence[Mapping[str, Any]], segments: Sequence[Mapping[str, Any]],
                   references: Sequence[Mapping[str, Any]]) -> list[Piece]:
    """The article cut at flag boundaries; each flagged piece carries its evidence."""
    by_segment = {s["index"]: s for s in segments}
    refs_by_segment: dict[int, list[str]] = {}
    for ref in references:
        for index in ref.get("segment_indices", []):
            refs_by_segment.setdefault(index, []).append(ref["text"])
    pieces, cursor = [], 0
    for flag in sorted(flags, key=lambda f: (f["start"], -f["end"])):
        if flag["start"] < cursor:
            continue  # merged flags do not overlap; this guards hand-made input
        if flag["start"] > cursor:
            pieces.append(Piece(text[cursor:flag["start"]]))
        index = flag.get("segment_index")
        if index is None:
            index = next((s["index"] for s in segments if s["start"] <= flag["start"] < s["end"]), None)
        segment = by_segment.get(index, {})
        evidence = flag.get("evidence") or {}
        reference = evidence.get("reference") or " / ".join(refs_by_segment.get(index, []))
        pieces.append(Piece(text[flag["start"]:flag["end"]], flag, segment.get("back_translation", ""), reference))
        cursor = flag["end"]
    if cursor < len(text):
        pieces.append(Piece(text[cursor:]))
    return pieces


def article_html(article_id: str, text: str, flags: Sequence[Mapping[str, Any]],
                 segments: Sequence[Mapping[str, Any]], references: Sequence[Mapping[str, Any]],
                 scores: Mapping[str, float] | None = None, standalone: bool = False) -> str:
    """One article with highlighted flags; ``standalone`` adds the page's styles (for notebooks)."""
    template = _environment().get_template("article.html.j2")
    return template.render(article_id=article_id, pieces=article_pieces(text, flags, segments, references),
                           scores=scores or {}, flags=flags, standalone=standalone)


def batch_report_html(summaries: Sequence[Mapping[str, Any]], errors: Sequence[Mapping[str, Any]],
                      details: Sequence[Mapping[str, Any]], flag_categories: Counter, title: str,
                      review_base: str | None = None) -> str:
    """The batch report: summary table worst first, plots, and the worst articles in full.

    ``review_base``: where a review server shows an article (its id appended); the report it
    serves links every article there, the file on disk links the worst to their own section.
    """
    chrf = [s["scores"].get("chrf") for s in summaries]
    has_chrf = [c for c in chrf if c is not None]
    quality = [s["mqm_estimate"] for s in summaries]
    figures = []
    if summaries:
        figures.append(("Estimated MQM score per article", plots.score_distribution(quality, "estimated MQM")))
        if has_chrf:
            figures.append(("chrF per article", plots.score_distribution(has_chrf, "chrF")))
        figures.append(("Score vs article length", plots.score_vs_length(
            [s["characters"] for s in summaries], quality, "estimated MQM")))
    if flag_categories:
        figures.append(("Flags by category", plots.flags_by_category(flag_categories)))
    template = _environment().get_template("report.html.j2")
    return template.render(title=title, summaries=summaries, errors=errors, details=details, figures=figures,
                           review_base=review_base,
                           totals=Counter({k: sum(s["flag_counts"][k] for s in summaries)
                                           for k in ("critical", "major", "minor")}))
