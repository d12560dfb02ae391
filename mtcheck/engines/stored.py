"""Back-translations stored with a corpus, so that a regression gate needs no model.

A corpus keeps ``backtranslations.jsonl``: what ``mtcheck cache export`` writes (one record per
engine signature and source sentence). :class:`StoredEngine` answers from it; a sentence it
does not hold (a new or changed segment) goes to a fallback engine, which must have the same
signature, and is kept so that the file can be updated.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EngineError, InputError
from ..files import atomic_write
from ..jsonl import dumps_line
from ..types import Translation
from .base import Engine
from .cache import translation_from_record, translation_record


def read_stored(path: Path) -> dict[str, dict[str, Translation]]:
    """signature → source → translation, from a cache export (JSONL)."""
    table: dict[str, dict[str, Translation]] = {}
    if not path.exists():
        return table
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            table.setdefault(r["signature"], {})[r["source"]] = translation_from_record(r)
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputError(path, f"not a back-translation record ({exc.__class__.__name__}: {exc})", line=n) from None
    return table


def write_stored(path: Path, table: dict[str, dict[str, Translation]]) -> None:
    """Write the table sorted, so that the file diffs cleanly in version control."""

    lines = []
    for signature in sorted(table):
        for source in sorted(table[signature]):
            lines.append(dumps_line({"signature": signature, "source": source,
                                     **translation_record(table[signature][source])}))
    atomic_write(path, "".join(lines))


@dataclass
class StoredEngine:
    """Answers from stored translations of one signature; misses go to ``fallback`` (built on first need)."""

    signature: str
    stored: dict[str, Translation]
    fallback: Callable[[], Engine] | None = None
    added: dict[str, Translation] = field(default_factory=dict, init=False)
    _engine: Engine | None = field(default=None, init=False, repr=False)

    @classmethod
    def open(cls, path: Path, fallback: Callable[[], Engine] | None, rebuild: bool = False) -> StoredEngine:
        """The stored translations of ``path`` (one engine signature); with none, the fallback's signature."""
        table = {} if rebuild else read_stored(path)
        if len(table) > 1:
            raise InputError(path, f"holds back-translations of {len(table)} engine signatures; keep one")
        if table:
            (signature, stored), = table.items()
            return cls(signature, stored, fallback)
        if fallback is None:
            raise EngineError(f"{path}: no stored back-translations and no engine to make them (pass --engine)")
        engine = fallback()
        stored_engine = cls(engine.signature, {}, fallback)
        stored_engine._engine = engine
        return stored_engine

    def save(self, path: Path) -> None:
        write_stored(path, {self.signature: {**self.stored, **self.added}})

    @property
    def name(self) -> str:
        return self.signature.split("|", 1)[0].split(" ", 1)[0] or "stored"

    def translate(self, texts: Sequence[str]) -> list[Translation]:
        missing = [t for t in dict.fromkeys(texts) if t not in self.stored and t not in self.added]
        if missing:
            self.added.update(zip(missing, self._fallback_engine(len(missing)).translate(missing)))
        return [self.stored.get(t) or self.added[t] for t in texts]

    def _fallback_engine(self, missing: int) -> Engine:
        if self._engine is None:
            if self.fallback is None:
                raise EngineError(f"{missing} sentence(s) have no stored back-translation for [{self.signature}] "
                                  "and no engine was given to translate them (pass --engine)")
            self._engine = self.fallback()
            if self._engine.signature != self.signature:
                raise EngineError(f"the stored back-translations were made by [{self.signature}] but the engine "
                                  f"here is [{self._engine.signature}]; rebuild them with --rebuild-cache")
        return self._engine
