"""A persistent translation cache: one SQLite file, safe for several writing processes.

Beside translations it keeps the results of other slow, deterministic analyses of a text
(the grammar checker's errors), under the analyser's own signature.

Entries are keyed by the engine signature (engine, model and revision or content hash,
decoding settings, library versions) and the exact source text, so results of different
engines or settings are never mixed. SQLite's WAL journal and a busy timeout let several
processes read and write one file at once; every write is a transaction, so a killed
process leaves either the whole entry or nothing. Within a process, one connection is shared by
the threads that use it (the batch translates the next articles while it checks these), one
statement at a time.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import glob
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..types import TokenScore, Translation, WordLink
from .base import Engine
from ..files import default_cache_dir  # noqa: F401 - where it was first defined; still imported from here

_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    signature TEXT NOT NULL,
    source TEXT NOT NULL,
    payload TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (signature, source)
);
CREATE TABLE IF NOT EXISTS analyses (
    signature TEXT NOT NULL,
    source TEXT NOT NULL,
    payload TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (signature, source)
)
"""


def cached_analyses(cache: TranslationCache | None, signature: str, sources: Sequence[str],
                    analyse: Callable[[str], Any]) -> dict[str, Any]:
    """``analyse(source)`` for each of ``sources``, taken from ``cache`` where it holds it and
    stored there when computed; without a cache, everything is computed."""
    found = cache.get_analyses(signature, sources) if cache else {}
    fresh = [(s, analyse(s)) for s in dict.fromkeys(sources) if s not in found]
    if fresh and cache:
        cache.put_analyses(signature, fresh)
    found.update(fresh)
    return found


def open_cache(path: Path | None = None) -> "TranslationCache":
    """The translation cache at ``path``, or the default one (``default_cache_dir()/translations.sqlite``)."""
    return TranslationCache(path or default_cache_dir() / "translations.sqlite")


@dataclass
class TranslationCache:
    """Translations stored in SQLite at ``path``; a damaged file is set aside and rebuilt."""

    path: Path
    timeout_s: float = 60.0
    _conn: sqlite3.Connection | None = field(default=None, init=False, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = self._open()
        except sqlite3.OperationalError as exc:  # locked past the timeout, or no permission: not damage
            raise OSError(0, f"cannot open the translation cache: {exc} (--cache another file, or --no-cache)",
                          str(self.path)) from exc
        except sqlite3.DatabaseError as exc:
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            # One damaged copy is evidence worth keeping; a pile of them only fills the disk.
            older = list(self.path.parent.glob(f"{glob.escape(self.path.name)}.corrupt-*"))
            for copy in older:
                copy.unlink(missing_ok=True)
            self.path.replace(aside)
            for leftover in ("-wal", "-shm"):  # the damaged file's journal would be replayed into the new one
                self.path.with_name(self.path.name + leftover).unlink(missing_ok=True)
            removed = " (the earlier damaged copy removed)" if older else ""
            warnings.warn(f"translation cache {self.path} was unreadable ({exc}); set aside as {aside.name}"
                          f"{removed} and rebuilt empty", stacklevel=2)
            self._conn = self._open()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.timeout_s, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA busy_timeout={int(self.timeout_s * 1000)}")
            conn.executescript(_SCHEMA)
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("quick_check failed")
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    @property
    def connection(self) -> sqlite3.Connection:
        assert self._conn is not None
        return self._conn

    def get_many(self, signature: str, sources: Sequence[str]) -> dict[str, Translation]:
        return {source: _decode(payload) for source, payload in self._select("translations", signature, sources)}

    def put_many(self, signature: str, items: Sequence[tuple[str, Translation]]) -> None:
        self._insert("translations", signature, [(source, _encode(t)) for source, t in items])

    def get_analyses(self, signature: str, sources: Sequence[str]) -> dict[str, Any]:
        """Stored results of a deterministic, slow analysis (Grammalecte's errors, …) of each source."""
        return {source: json.loads(payload) for source, payload in self._select("analyses", signature, sources)}

    def put_analyses(self, signature: str, items: Sequence[tuple[str, Any]]) -> None:
        self._insert("analyses", signature,
                     [(source, json.dumps(result, ensure_ascii=False)) for source, result in items])

    def _select(self, table: str, signature: str, sources: Sequence[str]) -> list[tuple[str, str]]:
        unique = list(dict.fromkeys(sources))
        rows: list[tuple[str, str]] = []
        with self._lock:
            for start in range(0, len(unique), 500):  # SQLite caps the number of parameters
                chunk = unique[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows += self.connection.execute(
                    f"SELECT source, payload FROM {table} WHERE signature = ? AND source IN ({marks})",
                    [signature, *chunk],
                ).fetchall()
        return rows

    def _insert(self, table: str, signature: str, rows: Sequence[tuple[str, str]]) -> None:
        now = time.time()
        with self._lock, self.connection:  # one transaction: all or nothing
            self.connection.execute("BEGIN IMMEDIATE")
            self.connection.executemany(
                f"INSERT OR REPLACE INTO {table} (signature, source, payload, created) VALUES (?, ?, ?, ?)",
                [(signature, source, payload, now) for source, payload in rows],
            )

    def stats(self) -> dict[str, object]:
        with self._lock:
            rows = self.connection.execute(
                "SELECT signature, COUNT(*) FROM translations GROUP BY signature ORDER BY COUNT(*) DESC"
            ).fetchall()
            analyses = self.connection.execute("SELECT COUNT(*) FROM analyses").fetchone()[0]
        return {
            "path": str(self.path),
            "entries": sum(n for _, n in rows),
            "analyses": analyses,
            "bytes": self.path.stat().st_size if self.path.exists() else 0,
            "signatures": {sig: n for sig, n in rows},
        }

    def clear(self, signature: str | None = None) -> int:
        with self._lock:
            with self.connection:
                self.connection.execute("BEGIN IMMEDIATE")
                if signature:
                    cur = self.connection.execute("DELETE FROM translations WHERE signature = ?", (signature,))
                    self.connection.execute("DELETE FROM analyses WHERE signature = ?", (signature,))
                else:
                    cur = self.connection.execute("DELETE FROM translations")
                    self.connection.execute("DELETE FROM analyses")
            self.connection.execute("VACUUM")
        return cur.rowcount

    def export(self) -> Iterator[dict[str, object]]:
        """Every entry as a JSON-ready record (``signature``, ``source`` and the translation)."""
        for signature, source, payload in self.connection.execute(
            "SELECT signature, source, payload FROM translations ORDER BY signature, source"
        ):
            yield {"signature": signature, "source": source, **json.loads(payload)}

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@dataclass
class RecentTranslations:
    """The latest ``capacity`` translations, in memory only: what a run without a cache file
    keeps, so that a batch still translates a window of articles in one engine call and then
    hands each article its sentences (the same translations: they are the engine's own)."""

    capacity: int = 20_000
    _entries: OrderedDict[tuple[str, str], Translation] = field(default_factory=OrderedDict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def get_many(self, signature: str, sources: Sequence[str]) -> dict[str, Translation]:
        with self._lock:
            return {s: self._entries[(signature, s)] for s in sources if (signature, s) in self._entries}

    def put_many(self, signature: str, items: Sequence[tuple[str, Translation]]) -> None:
        with self._lock:
            for source, translation in items:
                self._entries[(signature, source)] = translation
                self._entries.move_to_end((signature, source))
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)


@dataclass
class CachedEngine:
    """Wraps an engine: cached sources skip it entirely, new ones are translated and stored."""

    engine: Engine
    cache: TranslationCache | RecentTranslations
    hits: int = field(default=0, init=False)
    misses: int = field(default=0, init=False)
    # One translation at a time: the batch translates the next articles on another thread, and
    # an engine (a torch model, an Apertium pipeline, a lazy load) is not made to be entered twice.
    _engine_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)
    _count_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.engine.name

    @property
    def signature(self) -> str:
        return self.engine.signature

    def translate(self, texts: Sequence[str]) -> list[Translation]:
        signature = self.engine.signature
        cached = self.cache.get_many(signature, texts)
        missing = [t for t in dict.fromkeys(texts) if t not in cached]
        if missing:
            with self._engine_lock:
                # Another thread may have translated some of them while this one waited.
                cached.update(self.cache.get_many(signature, missing))
                missing = [t for t in missing if t not in cached]
                if missing:
                    fresh = self.engine.translate(missing)
                    self.cache.put_many(signature, list(zip(missing, fresh)))
                    cached.update(zip(missing, fresh))
        with self._count_lock:
            self.misses += len(missing)
            self.hits += len(texts) - len(missing)
        return [cached[t] for t in texts]


def translation_record(t: Translation) -> dict[str, object]:
    """A translation as a JSON-ready dict: the cache's payload, and each record of an export."""
    return {
        "text": t.text,
        "engine": t.engine,
        "token_scores": [[s.token, s.logprob] for s in t.token_scores],
        "links": [[l.target_start, l.target_end, l.source_start, l.source_end] for l in t.links],
    }


def translation_from_record(obj: dict) -> Translation:
    """The inverse of :func:`translation_record` (scores and links may be absent)."""
    return Translation(
        text=obj["text"],
        engine=obj["engine"],
        token_scores=tuple(TokenScore(tok, lp) for tok, lp in obj.get("token_scores", [])),
        links=tuple(WordLink(*link) for link in obj.get("links", [])),
    )


def _encode(t: Translation) -> str:
    return json.dumps(translation_record(t), ensure_ascii=False)


def _decode(payload: str) -> Translation:
    return translation_from_record(json.loads(payload))
