"""Reviewers' decisions as annotations: JSONL (mtcheck's own) and the WMT20 QE task-3 TSV.

The JSONL holds one record per decided item: span offsets into the article, category,
severity, the verdict, who decided and when, and the flag it came from (None for a span a
reviewer added). Accepted flags and added spans are the gold annotation of the reviewed
articles: :func:`read_gold` reads them back for ``benchmarks/flags.py`` and ``mtcheck calibrate``.

The TSV follows WMT20 QE task 3's ``annotations.tsv`` (one row per error; an error over
several sentences lists each piece, space-separated), with the article id as a first
column so that one file holds every article: ``segment_id`` is the sentence's index in the
run, ``annotation_start`` an offset into that sentence. Categories are mtcheck's (a coarse
cut of MQM), not WMT's finer names.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..files import atomic_write
from ..jsonl import dumps_line
from ..qe.model import MQM_WEIGHTS
from .decisions import Decision, DecisionStore
from .follow import Followed, follow
from .run import ReviewArticle, ReviewRun

TSV_COLUMNS = ("document_id", "segment_id", "annotation_start", "annotation_length", "severity",
               "severity_weight", "category")


@dataclass(frozen=True)
class GoldSpan:
    article_id: str
    start: int
    end: int
    category: str
    severity: str
    text: str = ""  # the words as the reviewer saw them: a run whose article changed since is caught


def review_records(run: ReviewRun, store: DecisionStore) -> list[dict[str, Any]]:
    """One record per decided item, articles in the run's order, items in the article's, at
    the offsets their words have in the article now. Decisions whose words are no longer in
    the article (it changed after they were made) are left out: see :func:`records_and_stale`."""
    return records_and_stale(run, store)[0]


def records_and_stale(run: ReviewRun, store: DecisionStore) -> tuple[list[dict[str, Any]], list[Decision]]:
    """From one reading of the decisions: the records of :func:`review_records`, and the
    standing decisions whose words the run's articles no longer hold (stale)."""
    records: list[dict[str, Any]] = []
    stale: list[Decision] = []
    for article, followed in followed_decisions(run, store):
        mine = sorted(followed.decisions.values(), key=lambda d: (d.start, d.end, d.id))
        records.extend(_record(article, d) for d in mine)
        stale.extend(followed.stale)
    return records, stale


def followed_decisions(run: ReviewRun, store: DecisionStore) -> list[tuple[ReviewArticle, Followed]]:
    """Every article of the run with its decisions followed into its current text."""
    by_article: dict[str, list[Decision]] = defaultdict(list)
    for decision in store.current().values():
        by_article[decision.article_id].append(decision)
    return [(article, follow(article, by_article.get(article.article_id, ()))) for article in run.articles]


def _record(article: ReviewArticle, decision: Decision) -> dict[str, Any]:
    flag = article.flag(decision.item)
    segment = article.segment_at(decision.start)
    return {
        "article_id": article.article_id, "start": decision.start, "end": decision.end, "text": decision.text,
        "category": decision.category, "severity": decision.severity, "decision": decision.verdict,
        "origin": "added" if decision.added else "flag",
        # A flag this run no longer raises is reported as it was raised when decided.
        "flag_id": decision.flag_id, "detector": flag.detector if flag else decision.flag_detector,
        "flag_category": flag.category if flag else decision.flag_category,
        "flag_severity": flag.severity if flag else decision.flag_severity,
        "suggestion": decision.suggestion, "note": decision.note,
        "reviewer": decision.reviewer, "decided_at": decision.created_at,
        "segment_index": segment.index if segment else None,
    }


def write_export(run: ReviewRun, store: DecisionStore, path: str | Path) -> tuple[int, list[Decision]]:
    """Write the decisions to ``path`` (``.jsonl`` or ``.tsv``): the number of records written,
    and the stale decisions left out (see :func:`records_and_stale`)."""
    path = Path(path)
    if path.suffix not in (".jsonl", ".tsv"):
        raise InputError(path, "the export file must end in .jsonl (every decision) or .tsv (WMT20 QE task 3)")
    records, stale = records_and_stale(run, store)
    if path.suffix == ".jsonl":
        atomic_write(path, "".join(dumps_line(r) for r in records))
        return len(records), stale
    rows = wmt_rows(run, records)
    atomic_write(path, tsv_text(rows))
    return len(rows), stale


def wmt_rows(run: ReviewRun, records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The gold errors (accepted flags, added spans) as WMT20 task-3 rows, cut at sentence ends."""
    rows = []
    for record in records:
        if record["decision"] != "accept":
            continue
        article = run.article(record["article_id"])
        assert article is not None
        pieces = [(s.index, max(record["start"], s.start) - s.start, min(record["end"], s.end) - max(record["start"], s.start))
                  for s in article.segments if s.start < record["end"] and record["start"] < s.end]
        pieces = [p for p in pieces if p[2] > 0] or [(record["segment_index"] or 0, 0, record["end"] - record["start"])]
        rows.append({
            "document_id": record["article_id"],
            "segment_id": " ".join(str(p[0]) for p in pieces),
            "annotation_start": " ".join(str(p[1]) for p in pieces),
            "annotation_length": " ".join(str(p[2]) for p in pieces),
            "severity": record["severity"], "severity_weight": MQM_WEIGHTS[record["severity"]],
            "category": record["category"],
        })
    return rows


def tsv_text(rows: Sequence[Mapping[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=TSV_COLUMNS, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


_RECORD_KEYS = ("article_id", "start", "end", "category", "severity", "decision", "origin")


def read_records(path: str | Path) -> list[dict[str, Any]]:
    """The records of an exported JSONL, each checked; a bad one names the file and line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read the review export: {getattr(exc, 'strerror', None) or exc}") from None
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(path, f"not JSON: {exc.msg}", line=number) from None
        missing = [k for k in _RECORD_KEYS if not isinstance(record, dict) or k not in record]
        if missing:
            raise InputError(path, f"not a review export record: no {', '.join(missing)}", line=number)
        if not (isinstance(record["start"], int) and isinstance(record["end"], int) and record["start"] < record["end"]):
            raise InputError(path, "start and end must be offsets with start < end", line=number)
        if record["decision"] not in ("accept", "reject"):
            raise InputError(path, f"decision must be accept or reject, not {record['decision']!r}", line=number)
        records.append(record)
    return records


def read_gold(path: str | Path) -> dict[str, list[GoldSpan]]:
    """The gold spans of an exported JSONL (accepted flags and added spans), by article id."""
    gold: dict[str, list[GoldSpan]] = {}
    for record in read_records(path):
        if record["decision"] == "accept":
            gold.setdefault(str(record["article_id"]), []).append(GoldSpan(
                str(record["article_id"]), record["start"], record["end"], str(record["category"]),
                str(record["severity"]), str(record.get("text") or "")))
    return gold
