"""What a reviewer reviews: the articles of a run, read back from what mtcheck wrote.

A run is a ``batch`` output folder (``articles/*.jsonl``) or one ``check --format json``
report. Both become the same :class:`ReviewRun`: articles worst first, each with its text,
segments (back-translation and aligned references) and flags, every flag with an id that
stays the same when the run is read again, so decisions stored against it keep pointing at it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..batch.layout import ARTICLES, read_article_records, read_summaries
from ..batch.report import worst_first
from ..errors import InputError
from ..report.html import references_by_segment
from ..types import Reference

DATABASE = "review.sqlite"


@dataclass(frozen=True)
class ReviewFlag:
    """A flag as the run raised it; ``id`` is stable across readings of the same run."""

    id: str
    start: int
    end: int
    text: str
    category: str
    severity: str
    detector: str
    message: str
    suggestion: str
    confidence: float
    segment_index: int | None
    evidence: Mapping[str, str]


@dataclass(frozen=True)
class ReviewSegment:
    index: int
    start: int
    end: int
    text: str
    back_translation: str
    references: tuple[str, ...]


@dataclass(frozen=True)
class ReviewArticle:
    article_id: str
    text: str
    segments: tuple[ReviewSegment, ...]
    flags: tuple[ReviewFlag, ...]
    mqm_estimate: float
    scores: Mapping[str, float | None]
    detectors: tuple[str, ...]
    flag_model: str = "none"  # as the run signature names it
    references: tuple[Reference, ...] = ()  # as the run read them: what a rerun checks against

    def flag(self, flag_id: str) -> ReviewFlag | None:
        return next((f for f in self.flags if f.id == flag_id), None)

    def segment_at(self, offset: int) -> ReviewSegment | None:
        return next((s for s in self.segments if s.start <= offset < s.end), None)


@dataclass(frozen=True)
class ReviewRun:
    """The articles of one run, worst first, and where the reviewers' decisions live."""

    source: Path
    database: Path
    articles: tuple[ReviewArticle, ...]

    def article(self, article_id: str) -> ReviewArticle | None:
        return next((a for a in self.articles if a.article_id == article_id), None)

    @property
    def detectors(self) -> tuple[str, ...]:
        """Every detector any article of the run ran, in the order the run lists them."""
        seen: dict[str, None] = {}
        for article in self.articles:
            seen.update(dict.fromkeys(article.detectors))
        return tuple(seen)

    @property
    def flag_model_setting(self) -> str | None:
        """The ``flag_model`` setting that runs as this run did: "none", "bundled", or None (unknown)."""
        models = {a.flag_model for a in self.articles}
        if models == {"none"}:
            return "none"
        if all(m.startswith("mtcheck-detection@") for m in models):
            return "bundled"
        return None

    def stamp(self) -> tuple[int, int]:
        """What changes when the run is written again: a batch (re)writing an article's file
        in ``articles/``, or a report file written anew."""
        target = self.source / ARTICLES if self.source.is_dir() else self.source
        try:
            info = target.stat()
        except OSError:
            return 0, 0
        return info.st_mtime_ns, info.st_size

    @classmethod
    def open(cls, path: str | Path) -> ReviewRun:
        """Read a batch output folder or a ``check --format json`` report."""
        path = Path(path)
        if path.is_dir():
            if not (path / ARTICLES).is_dir():
                raise InputError(path, f"not a batch output folder (no {ARTICLES}/); run `mtcheck batch ... "
                                       f"--output {path}` first, or give a `check --format json` report")
            summaries = worst_first(read_summaries(path))
            if not summaries:
                raise InputError(path, "the batch holds no checked article yet")
            articles = tuple(_batch_article(s, read_article_records(path, s["article_id"])) for s in summaries)
            return cls(path, path / DATABASE, articles)
        if not path.exists():
            raise InputError(path, "no such run: give a batch output folder or a `check --format json` report")
        return cls(path, path.with_name(path.name + "." + DATABASE), (_report_article(path),))


def flag_id(article_id: str, flag: Mapping[str, Any]) -> str:
    """The same flag of the same article gets the same id in every reading of the run."""
    key = json.dumps([article_id, flag["start"], flag["end"], flag["detector"], flag["category"]])
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _flags(article_id: str, flags: Sequence[Mapping[str, Any]]) -> tuple[ReviewFlag, ...]:
    return tuple(sorted((ReviewFlag(
        id=flag_id(article_id, f), start=f["start"], end=f["end"], text=f["text"], category=f["category"],
        severity=f["severity"], detector=f["detector"], message=f.get("message", ""),
        suggestion=f.get("suggestion", ""), confidence=float(f.get("confidence", 0.5)),
        segment_index=f.get("segment_index"), evidence={k: str(v) for k, v in (f.get("evidence") or {}).items()},
    ) for f in flags), key=lambda f: (f.start, f.end)))


def _segments(segments: Sequence[Mapping[str, Any]], references: Sequence[Mapping[str, Any]]) -> tuple[ReviewSegment, ...]:
    by_segment = references_by_segment(references)
    return tuple(ReviewSegment(s["index"], s["start"], s["end"], s["text"], s.get("back_translation", ""),
                               tuple(by_segment.get(s["index"], ()))) for s in segments)


def _references(records: Sequence[Mapping[str, Any]]) -> tuple[Reference, ...]:
    return tuple(Reference(id=r["id"], text=r["text"], source=r.get("source"), speaker=r.get("speaker"),
                           url=r.get("url")) for r in records)


def _batch_article(summary: Mapping[str, Any], records: Sequence[Mapping[str, Any]]) -> ReviewArticle:
    article_id = summary["article_id"]
    return ReviewArticle(
        article_id=article_id, text=summary["text"],
        segments=_segments([r for r in records if r["type"] == "segment"],
                           [r for r in records if r["type"] == "reference"]),
        flags=_flags(article_id, [r for r in records if r["type"] == "flag"]),
        mqm_estimate=float(summary["mqm_estimate"]), scores=dict(summary.get("scores") or {}),
        detectors=tuple(summary.get("detectors") or ()),
        flag_model=str(summary.get("flag_model") or _signature_part(summary.get("signature", ""), "flag_model")),
        references=_references([r for r in records if r["type"] == "reference"]))


def _signature_part(signature: str, name: str) -> str:
    """One ``name:value`` part of a run signature string (batch folders written before it was a key)."""
    match = re.search(rf"\|{name}:([^|]*)", signature)
    return match.group(1) if match else "none"


def _report_article(path: Path) -> ReviewArticle:
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read the report: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not a JSON report: {exc.msg}", line=exc.lineno) from None
    if not isinstance(report, dict) or not isinstance(report.get("article"), dict):
        raise InputError(path, "not a `mtcheck check --format json` report (no \"article\" object)")
    text = report["article"].get("text")
    if not isinstance(text, str):
        raise InputError(path, "the report holds no article text (written by mtcheck before 0.1 review); "
                               "rerun `mtcheck check --format json`")
    article_id = report["article"]["id"]
    return ReviewArticle(
        article_id=article_id, text=text, segments=_segments(report.get("segments", []), report.get("references", [])),
        flags=_flags(article_id, report.get("flags", [])), mqm_estimate=float(report.get("mqm_estimate", 0.0)),
        scores={k: v.get("score") for k, v in (report.get("scores") or {}).items()},
        detectors=tuple((report.get("signature") or {}).get("detectors") or ()),
        flag_model=str((report.get("signature") or {}).get("flag_model", "none")),
        references=_references(report.get("references", [])))
