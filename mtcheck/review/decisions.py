"""Reviewers' decisions on a run's flags, kept in one SQLite file beside the run.

Every decision is a row that is never rewritten: accepting a flag, rejecting it, changing its
severity or category, or adding a span mtcheck missed. What an item stands at is its latest
decision not undone, whoever made it; undo marks a reviewer's latest decision as undone (and
when), so the history of who decided what stays whole. WAL mode lets several reviewers'
requests read while one writes; each operation opens its own connection, so the store is
safe to use from the server's worker threads.
"""

from __future__ import annotations

import sqlite3
import unicodedata
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import MtcheckError
from ..types import Category, Severity
from .follow import Followed, context_of, follow
from .run import ReviewArticle

VERDICTS = ("accept", "reject")
ADDED = "added-"  # the prefix of an added span's item id
MAX_TEXT = 2000  # characters in a suggestion or a note
MAX_REVIEWER = 80
_LATER_COLUMNS = ("context_before", "context_after", "flag_detector", "flag_category", "flag_severity")
CHANGED = "the article changed since this page was loaded (the run was checked again): reload the page"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL,
    item TEXT NOT NULL,          -- the run's flag id, or added-… for a span a reviewer added
    verdict TEXT NOT NULL,       -- accept | reject
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    suggestion TEXT NOT NULL,
    note TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    created_at TEXT NOT NULL,
    undone_at TEXT,
    context_before TEXT,         -- the article's text just before and after the words (see .follow)
    context_after TEXT,
    flag_detector TEXT,          -- the flag as the run raised it when decided (NULL for an added span)
    flag_category TEXT,
    flag_severity TEXT
);
CREATE INDEX IF NOT EXISTS decisions_item ON decisions (article_id, item);
"""


class DecisionError(MtcheckError):
    """A decision that cannot be stored (unknown flag, offsets outside the article, …)."""


@dataclass(frozen=True)
class Decision:
    id: int
    article_id: str
    item: str
    verdict: str
    start: int
    end: int
    text: str
    category: str
    severity: str
    suggestion: str
    note: str
    reviewer: str
    created_at: str
    context_before: str | None = None  # the article's text next to the words when decided (None: not kept then)
    context_after: str | None = None
    # The flag as raised when decided: a later run may no longer raise it (calibration turned its
    # detector off), and calibration still counts the decision for that detector.
    flag_detector: str | None = None
    flag_category: str | None = None
    flag_severity: str | None = None

    @property
    def added(self) -> bool:
        return self.item.startswith(ADDED)

    @property
    def flag_id(self) -> str | None:
        """The run's flag this decision is about (None for a span a reviewer added)."""
        return None if self.added else self.item


class DecisionStore:
    """The decisions of one run, in ``path`` (created on first use)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            with self._connect() as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)
                columns = {row["name"] for row in db.execute("PRAGMA table_info(decisions)")}
                for column in _LATER_COLUMNS:  # a database made before these were kept
                    if column not in columns:
                        _add_column(db, column)
        except sqlite3.Error as exc:
            raise DecisionError(f"{self.path}: cannot open the review database: {exc}") from None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        db.row_factory = sqlite3.Row
        try:
            with db:  # one transaction: committed on success, rolled back on error
                yield db
        finally:
            db.close()

    def decide(self, article: ReviewArticle, payload: Mapping[str, Any]) -> Decision:
        """Store a reviewer's verdict on a flag or an added span (``payload["item"]``)."""
        item = _string(payload, "item", required=True)
        verdict = _string(payload, "verdict", required=True)
        if verdict not in VERDICTS:
            raise DecisionError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
        flag = article.flag(item)
        if flag is not None:
            start, end, base = flag.start, flag.end, {"category": flag.category, "severity": flag.severity,
                                                      "suggestion": flag.suggestion, "note": ""}
            raised = (flag.detector, flag.category, flag.severity)
        else:
            # A span a reviewer added, or a flag accepted on an earlier run that this one no longer raises.
            previous = self.standing(article).decisions.get(item)
            if previous is None:
                raise DecisionError(f"article {article.article_id!r} has no flag {item!r}: {CHANGED}")
            start, end, base = previous.start, previous.end, {
                "category": previous.category, "severity": previous.severity,
                "suggestion": previous.suggestion, "note": previous.note}
            raised = (previous.flag_detector, previous.flag_category, previous.flag_severity)
        _require_words(payload, article.text[start:end])
        return self._insert(article, item, verdict, start, end, _fields(payload, base), raised)

    def add(self, article: ReviewArticle, payload: Mapping[str, Any]) -> Decision:
        """Store a span that mtcheck missed, as an accepted error."""
        start, end = payload.get("start"), payload.get("end")
        if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
            raise DecisionError("start and end must be whole numbers (character offsets into the article)")
        _require_words(payload, article.text[start:end])
        if not 0 <= start < end <= len(article.text):
            raise DecisionError(f"span {start}–{end} is outside the article (0–{len(article.text)}) or empty")
        if not article.text[start:end].strip():
            raise DecisionError(f"span {start}–{end} holds only spaces")
        fields = _fields(payload, {"category": None, "severity": None, "suggestion": "", "note": ""})
        return self._insert(article, ADDED + uuid.uuid4().hex[:12], "accept", start, end, fields)

    def undo(self, reviewer: str, article_id: str | None = None) -> Decision | None:
        """Undo ``reviewer``'s latest decision (in ``article_id`` when given); None when there is none."""
        reviewer = _reviewer(reviewer)
        query = "SELECT * FROM decisions WHERE undone_at IS NULL AND reviewer = ?"
        args: list[Any] = [reviewer]
        if article_id is not None:
            query += " AND article_id = ?"
            args.append(article_id)
        with self._connect() as db:
            row = db.execute(query + " ORDER BY id DESC LIMIT 1", args).fetchone()
            if row is None:
                return None
            db.execute("UPDATE decisions SET undone_at = ? WHERE id = ?", (_now(), row["id"]))
        return _decision(row)

    def current(self, article_id: str | None = None) -> dict[str, Decision]:
        """Each item's standing decision, by item id (of one article, or of all as article_id/item)."""
        query = ("SELECT * FROM decisions WHERE id IN (SELECT MAX(id) FROM decisions WHERE undone_at IS NULL "
                 + ("AND article_id = ? " if article_id is not None else "") + "GROUP BY article_id, item) ORDER BY id")
        with self._connect() as db:
            rows = db.execute(query, (article_id,) if article_id is not None else ()).fetchall()
        decisions = [_decision(r) for r in rows]
        if article_id is not None:
            return {d.item: d for d in decisions}
        return {f"{d.article_id}/{d.item}": d for d in decisions}

    def standing(self, article: ReviewArticle) -> Followed:
        """The article's standing decisions, moved to where their words are in its current text
        (the article may have changed since they were made), and those whose words are gone."""
        return follow(article, self.current(article.article_id).values())

    def count(self) -> int:
        with self._connect() as db:
            return db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0]

    def _insert(self, article: ReviewArticle, item: str, verdict: str, start: int, end: int,
                fields: Mapping[str, str], raised: tuple[str | None, str | None, str | None] = (None, None, None),
                ) -> Decision:
        row = (article.article_id, item, verdict, start, end, article.text[start:end], fields["category"],
               fields["severity"], fields["suggestion"], fields["note"], fields["reviewer"], _now(),
               *context_of(article.text, start, end), *raised)
        with self._connect() as db:
            cursor = db.execute(
                'INSERT INTO decisions (article_id, item, verdict, start, "end", text, category, severity, '
                "suggestion, note, reviewer, created_at, context_before, context_after, flag_detector, "
                "flag_category, flag_severity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
            return Decision(int(cursor.lastrowid or 0), *row)


def _require_words(payload: Mapping[str, Any], words: str) -> None:
    """The words the reviewer saw (``payload["text"]``, which the page sends) must be the
    article's there now: a page loaded before the run was checked again names other words."""
    seen = payload.get("text")  # as long as the span: the app bounds the whole request
    if seen is not None and not isinstance(seen, str):
        raise DecisionError("text must be text")
    if seen is not None and seen != words:
        shown = seen if len(seen) <= 60 else seen[:59] + "…"
        raise DecisionError(f"{shown!r} is no longer there: {CHANGED}")


def _add_column(db: sqlite3.Connection, column: str) -> None:
    try:
        db.execute(f"ALTER TABLE decisions ADD COLUMN {column} TEXT")
    except sqlite3.OperationalError as exc:
        if "duplicate column" not in str(exc):  # another server opening the database added it first
            raise


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _decision(row: sqlite3.Row) -> Decision:
    return Decision(row["id"], row["article_id"], row["item"], row["verdict"], row["start"], row["end"], row["text"],
                    row["category"], row["severity"], row["suggestion"], row["note"], row["reviewer"],
                    row["created_at"], row["context_before"], row["context_after"], row["flag_detector"],
                    row["flag_category"], row["flag_severity"])


def _string(payload: Mapping[str, Any], key: str, required: bool = False, limit: int = MAX_TEXT) -> str | None:
    value = payload.get(key)
    if value is None:
        if required:
            raise DecisionError(f"{key} is missing")
        return None
    if not isinstance(value, str):
        raise DecisionError(f"{key} must be text")
    if len(value) > limit:
        raise DecisionError(f"{key} is longer than {limit} characters")
    return value


def _reviewer(value: Any) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name or len(name) > MAX_REVIEWER or any(unicodedata.category(c).startswith("C") for c in name):
        raise DecisionError(f"reviewer must be a name of 1 to {MAX_REVIEWER} printable characters")
    return name


def _fields(payload: Mapping[str, Any], base: Mapping[str, str | None]) -> dict[str, str]:
    """Category, severity, suggestion and note from ``payload``, else from ``base``; all checked."""
    fields = {key: _string(payload, key) for key in ("category", "severity", "suggestion", "note")}
    merged = {key: base[key] if value is None else value for key, value in fields.items()}
    if merged["category"] not in {c.value for c in Category}:
        raise DecisionError(f"category must be one of {', '.join(c.value for c in Category)}")
    if merged["severity"] not in {s.value for s in Severity}:
        raise DecisionError(f"severity must be one of {', '.join(s.value for s in Severity)}")
    return {**merged, "reviewer": _reviewer(payload.get("reviewer"))}  # type: ignore[dict-item]
