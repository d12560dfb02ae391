"""HTML renderings: one article with its flagged spans highlighted, and the batch report.

Jinja2 renders them with autoescaping on, so text from an article or a reference is always
text in the page, never markup or script.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2

from . import charts


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


def references_by_segment(references: Sequence[Mapping[str, Any]]) -> dict[int, list[str]]:
    """Each segment's aligned reference texts, from reference records (``segment_indices``)."""
    found: dict[int, list[str]] = {}
    for ref in references:
        for index in ref.get("segment_indices", []):
            found.setdefault(index, []).append(ref["text"])
    return found


def article_pieces(text: str, flags: Sequence[Mapping[str, Any]], segments: Sequence[Mapping[str, Any]],
                   references: Sequence[Mapping[str, Any]]) -> list[Piece]:
    """The article cut at flag boundaries; each flagged piece carries its evidence."""
    by_segment = {s["index"]: s for s in segments}
    refs_by_segment = references_by_segment(references)
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


# A histogram of fewer articles than this shows bars, not a distribution.
MIN_FOR_DISTRIBUTION = 5


def report_figures(summaries: Sequence[Mapping[str, Any]],
                   flag_categories: Counter) -> tuple[list[tuple[str, charts.Chart]], str]:
    """The charts that say something about this run, each with its caption, and a note on those left out."""
    quality = [s["mqm_estimate"] for s in summaries]
    chrf = [s["scores"].get("chrf") for s in summaries if s["scores"].get("chrf") is not None]
    figures = []
    if len(quality) >= MIN_FOR_DISTRIBUTION and len(set(quality)) > 1:
        figures.append(("Estimated MQM score per article", charts.histogram(quality, "estimated MQM")))
    if len(chrf) >= MIN_FOR_DISTRIBUTION and len(set(chrf)) > 1:
        figures.append(("chrF per article", charts.histogram(chrf, "chrF")))
    if len(quality) >= 3:
        figures.append(("Score vs article length", charts.scatter(
            [s["characters"] for s in summaries], quality, [s["article_id"] for s in summaries],
            "characters", "estimated MQM")))
    if flag_categories:
        figures.append(("Flags by category", charts.category_bars(flag_categories, "Flags by category", "flags")))
    note = ""
    if len(quality) < MIN_FOR_DISTRIBUTION:
        note = (f"Score distributions are drawn from {MIN_FOR_DISTRIBUTION} articles up (this run has "
                f"{len(quality)}); the table below gives every score.")
    return figures, note


@lru_cache(maxsize=1)
def _table_script() -> str:
    return resources.files("mtcheck.resources").joinpath("templates", "report-table.js").read_text(encoding="utf-8")


def _script_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


# The report is one file opened from disk: inline styles, inline SVG charts, and its one inline
# script allowed by its hash (the table's sorting and filtering); nothing else runs or loads.
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; "
              f"script-src {_script_hash(_table_script())}; base-uri 'none'; form-action 'none'")


def article_page_html(article_id: str, article: str, segments: Sequence[Mapping[str, Any]], title: str) -> str:
    """One article's own page in a batch report folder (``pages/``): its flags, then every sentence."""
    return _environment().get_template("article-page.html.j2").render(
        article_id=article_id, article=article, segments=segments, title=title)


def batch_report_html(summaries: Sequence[Mapping[str, Any]], errors: Sequence[Mapping[str, Any]],
                      details: Sequence[Mapping[str, Any]], flag_categories: Counter, title: str,
                      review_base: str | None = None) -> str:
    """The batch report: summary table worst first, plots, and the worst articles in full.

    ``review_base``: where a review server shows an article (its id appended); the report it
    serves links every article there, the file on disk links the worst to their own section.
    """
    figures, note = report_figures(summaries, flag_categories)
    template = _environment().get_template("report.html.j2")
    return template.render(title=title, summaries=summaries, errors=errors, details=details, figures=figures,
                           review_base=review_base, plot_note=note, csp=REPORT_CSP, script=_table_script(),
                           totals=Counter({k: sum(s["flag_counts"][k] for s in summaries)
                                           for k in ("critical", "major", "minor")}))
