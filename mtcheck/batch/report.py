"""The files a batch leaves beside its per-article results: summary table, errors, HTML report.

They are rebuilt from the per-article files at the end of every run (a resumed run
included), each written atomically.
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas

from ..files import atomic_write
from ..jsonl import dumps_line
from ..report.html import article_html, batch_report_html
from .layout import read_article_records, read_errors, read_summaries

SUMMARY_COLUMNS = ("article_id", "position", "language", "characters", "segments", "references",
                   "references_found", "bleu", "chrf", "ter", "critical", "major", "minor", "mqm_estimate")


def summary_rows(output: str | Path, summaries: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """One flat row per checked article, in input order (from ``summaries`` when already read)."""
    rows = []
    for s in read_summaries(output) if summaries is None else summaries:
        rows.append({
            "article_id": s["article_id"], "position": s["position"], "language": s["language"],
            "characters": s["characters"], "segments": s["segments"], "references": s["references"],
            "references_found": s["references_found"],
            "bleu": s["scores"].get("bleu"), "chrf": s["scores"].get("chrf"), "ter": s["scores"].get("ter"),
            **s["flag_counts"], "mqm_estimate": s["mqm_estimate"],
        })
    return rows


def worst_first(summaries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(summaries, key=lambda s: (s["mqm_estimate"], s["scores"].get("chrf") or 0.0, s["article_id"]))


def write_batch_report(output: str | Path, title: str = "mtcheck batch report", detailed: int = 50) -> None:
    """Write summary.csv, summary.parquet, errors.jsonl and report.html into ``output``."""
    import pandas as pd

    output = Path(output)
    summaries = read_summaries(output)
    frame = pd.DataFrame(summary_rows(output, summaries), columns=list(SUMMARY_COLUMNS))
    atomic_write(output / "summary.csv", _formula_safe(frame).to_csv(index=False))
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    atomic_write(output / "summary.parquet", buffer.getvalue())
    errors = read_errors(output)
    atomic_write(output / "errors.jsonl", "".join(dumps_line(e) for e in errors))
    atomic_write(output / "report.html", batch_report_page(output, title, detailed, summaries=summaries, errors=errors))


def batch_report_page(output: str | Path, title: str = "mtcheck batch report", detailed: int = 50, *,
                      review_base: str | None = None, summaries: list[dict[str, Any]] | None = None,
                      errors: list[dict[str, Any]] | None = None) -> str:
    """The HTML of the batch report (``review_base``: link each article to a review server there)."""
    output = Path(output)
    summaries = worst_first(read_summaries(output) if summaries is None else summaries)
    errors = read_errors(output) if errors is None else errors
    categories: Counter = Counter()
    details = []
    for rank, summary in enumerate(summaries):
        # Every article's file is read (one at a time) for the flag categories; the worst are shown.
        records = read_article_records(output, summary["article_id"])
        flags = [r for r in records if r["type"] == "flag"]
        categories.update(f["category"] for f in flags)
        if rank >= detailed:
            continue
        details.append({"html": article_html(
            summary["article_id"], summary["text"], flags,
            [r for r in records if r["type"] == "segment"], [r for r in records if r["type"] == "reference"],
            scores={"MQM est.": summary["mqm_estimate"], **{k: v for k, v in summary["scores"].items()}})})
        summary["detailed"] = True
    return batch_report_html(summaries, errors, details, categories, title, review_base=review_base)


# A cell starting with one of these runs as a formula when the CSV is opened in a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _formula_safe(frame: "pandas.DataFrame") -> "pandas.DataFrame":
    """Text cells that a spreadsheet would run as formulas, quoted with a leading apostrophe (OWASP)."""
    import pandas as pd

    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v)
    return safe
