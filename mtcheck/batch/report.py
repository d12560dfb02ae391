"""The files a batch leaves beside its per-article results: summary table, errors, HTML report.

They are rebuilt from the per-article files at the end of every run (a resumed run
included), each written atomically.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow

from ..files import atomic_write, tree_state
from ..jsonl import dumps_line
from .layout import ARTICLES, FAILED, PAGES, read_article_records, read_errors, read_summaries, safe_name

SUMMARY_COLUMNS = ("article_id", "position", "language", "characters", "segments", "references",
                   "references_found", "bleu", "chrf", "ter", "critical", "major", "minor", "mqm_estimate")
# Each column's type, so that a column is numeric even when every article lacks it (no
# reference: no BLEU), in the Parquet file and in the DataFrame read from it.
_TEXT_COLUMNS = ("article_id", "language")
_FLOAT_COLUMNS = ("bleu", "chrf", "ter", "mqm_estimate")


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


def write_batch_report(output: str | Path, title: str = "mtcheck batch report", detailed: int = 50) -> bool:
    """Write summary.csv, summary.parquet, errors.jsonl and report.html into ``output``.

    Skipped when none of the per-article files changed since these were last written with the
    same settings (a rerun that reused every article): returns whether anything was written.
    """
    output = Path(output)
    inputs = _report_inputs(output, title, detailed)
    stamp = output / _REPORT_STAMP
    pages_there = (output / PAGES).is_dir() or not any((output / ARTICLES).glob("*.jsonl"))
    if all((output / f).exists() for f in _REPORT_FILES) and pages_there and stamp.exists() \
            and stamp.read_text() == inputs:
        return False
    import pyarrow.parquet  # a sixth of a second: not for a rerun that changed nothing

    summaries = read_summaries(output)
    rows = summary_rows(output, summaries)
    atomic_write(output / "summary.csv", summary_csv(rows))
    buffer = io.BytesIO()
    pyarrow.parquet.write_table(summary_table(rows), buffer)
    atomic_write(output / "summary.parquet", buffer.getvalue())
    errors = read_errors(output)
    atomic_write(output / "errors.jsonl", "".join(dumps_line(e) for e in errors))
    atomic_write(output / "report.html", batch_report_page(output, title, detailed, summaries=summaries, errors=errors,
                                                           pages=True))
    atomic_write(stamp, inputs)
    return True


_REPORT_FILES = ("summary.csv", "summary.parquet", "errors.jsonl", "report.html")
# What the files above were built from, as of their last writing.
_REPORT_STAMP = ".report-inputs"


def _report_inputs(output: Path, title: str, detailed: int) -> str:
    """A fingerprint of everything the report is built from: each result file's name, size and
    modification time (as make judges staleness; a reused article's file is not rewritten),
    the settings, and mtcheck's version (a new version may draw the report otherwise)."""
    import hashlib

    from ..version import __version__

    parts = [__version__, title, str(detailed), *(tree_state(output / folder) for folder in (ARTICLES, FAILED))]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def batch_report_page(output: str | Path, title: str = "mtcheck batch report", detailed: int = 50, *,
                      review_base: str | None = None, summaries: list[dict[str, Any]] | None = None,
                      errors: list[dict[str, Any]] | None = None, pages: bool = False) -> str:
    """The HTML of the batch report (``review_base``: link each article to a review server there).

    ``pages``: also write every article's own page into ``output/pages/`` (and remove the
    pages of articles no longer in the run), which the report links to.
    """
    # Here, not at the top: a rerun that changed nothing writes no report and needs no templates.
    from ..report.html import article_html, article_page_html, batch_report_html

    output = Path(output)
    summaries = worst_first(read_summaries(output) if summaries is None else summaries)
    errors = read_errors(output) if errors is None else errors
    categories: Counter = Counter()
    details = []
    written = set()
    for rank, summary in enumerate(summaries):
        # Every article's file is read (one at a time) for the flag categories and its page.
        records = read_article_records(output, summary["article_id"])
        flags = [r for r in records if r["type"] == "flag"]
        categories.update(f["category"] for f in flags)
        name = safe_name(summary["article_id"]) + ".html"
        summary["page"] = f"{PAGES}/{name}"
        if rank >= detailed and not pages:
            continue
        segments = [r for r in records if r["type"] == "segment"]
        references = [r for r in records if r["type"] == "reference"]
        html = article_html(summary["article_id"], summary["text"], flags, segments, references,
                            scores={"MQM est.": summary["mqm_estimate"], **summary["scores"]})
        if pages:
            (output / PAGES).mkdir(exist_ok=True)
            atomic_write(output / PAGES / name, article_page_html(
                summary["article_id"], html, _segment_rows(segments, references), title))
            written.add(name)
        if rank < detailed:
            details.append({"html": html})
            summary["detailed"] = True
    if pages:
        for stale in (output / PAGES).glob("*.html") if (output / PAGES).exists() else ():
            if stale.name not in written:
                stale.unlink()
    return batch_report_html(summaries, errors, details, categories, title, review_base=review_base)


def _segment_rows(segments: list[dict[str, Any]], references: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from ..report.html import references_by_segment

    by_segment = references_by_segment(references)
    return [{**s, "references": by_segment.get(s["index"], [])} for s in segments]


def summary_table(rows: list[dict[str, Any]]) -> "pyarrow.Table":
    """The summary rows as an Arrow table with one type per column (what summary.parquet holds).

    Built through Arrow's JSON reader: ``pa.array`` and ``Table.from_pylist`` import pandas on
    their first call (to look for pandas objects), as ``Schema.empty_table`` does: 0.2 s of every
    batch's report, where the table itself takes a hundredth of that.
    """
    import json

    import pyarrow as pa
    import pyarrow.json

    def kind(column: str) -> pa.DataType:
        if column in _TEXT_COLUMNS:
            return pa.string()
        return pa.float64() if column in _FLOAT_COLUMNS else pa.int64()

    schema = pa.schema([(column, kind(column)) for column in SUMMARY_COLUMNS])
    if not rows:
        return pa.Table.from_batches([], schema=schema)  # the reader refuses empty input
    # NaN (a score a result file holds as NaN) is missing, as None is: JSON has no NaN.
    lines = "".join(json.dumps({k: None if isinstance(v, float) and v != v else v for k, v in row.items()},
                               ensure_ascii=False) + "\n" for row in rows)
    options = pyarrow.json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    return pyarrow.json.read_json(io.BytesIO(lines.encode("utf-8")), parse_options=options)


# A cell starting with one of these runs as a formula when the CSV is opened in a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def summary_csv(rows: list[dict[str, Any]]) -> str:
    """The summary rows as CSV, text cells that a spreadsheet would run as formulas quoted with
    a leading apostrophe (OWASP); a missing score is an empty cell."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=SUMMARY_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: _csv_cell(value) for column, value in row.items()})
    return text.getvalue()


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if isinstance(value, float) and value != value:  # NaN: missing, as pandas wrote it
        return None
    return value
