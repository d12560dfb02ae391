"""Known machine-translation calques and false friends, from YAML lexicons.

``mtcheck/resources/lexicons/*.yaml`` ships documented English→French calques (each entry cites its
source); users add files of their own. A match needs no engine and no reference.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# libyaml's safe loader where PyYAML was built with it (ten times faster), else PyYAML's own.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

from ..errors import ConfigError
from ..resources import bundled_files
from ..types import Category, Flag, Severity
from .base import BaseDetector, DetectionContext

_REQUIRED = ("id", "pattern", "category", "severity", "explanation", "suggestion", "source")


@dataclass(frozen=True)
class LexiconEntry:
    id: str
    pattern: re.Pattern[str]
    category: Category
    severity: Severity
    explanation: str
    suggestion: str
    source: str
    # A sentence the pattern must match: documents the entry and lets a test check its pattern.
    example: str | None = None
    # Correct French the pattern must leave alone ("prise en charge des blessés" beside "en
    # charge de"): the tests check each, so that a pattern cannot widen past them unnoticed.
    counterexamples: tuple[str, ...] = ()


def load_lexicon(path: Path) -> list[LexiconEntry]:
    """Read one lexicon file; every problem names the file and the entry."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read lexicon: {exc}") from None
    return parse_lexicon(text, str(path))


def parse_lexicon(text: str, where: str) -> list[LexiconEntry]:
    """The entries of a lexicon's YAML ``text``; ``where`` names it in every error."""
    path = where
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:  # PyYAML's message spans lines; the mark says where
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        where = f"{path}:{mark.line + 1}" if mark is not None else path
        raise ConfigError(f"{where}: invalid YAML in lexicon: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict) or not isinstance(data.get("entries", []), list):
        raise ConfigError(f"{path}: a lexicon is a mapping with a list of entries under 'entries:'")
    entries = []
    for n, raw in enumerate(data.get("entries", []), 1):
        if not isinstance(raw, dict):
            raise ConfigError(f"{path}: entry {n} is not a mapping of id, pattern, category, ...")
        missing = [k for k in _REQUIRED if k not in raw]
        if missing:
            raise ConfigError(f"{path}: entry {n} lacks {', '.join(missing)}")
        try:
            pattern = re.compile(rf"(?<!\w)(?:{raw['pattern']})(?!\w)", re.IGNORECASE)
            counterexamples = raw.get("counterexamples") or []
            if not (isinstance(counterexamples, list) and all(isinstance(c, str) for c in counterexamples)):
                raise ValueError("counterexamples must be a list of sentences")
            entries.append(LexiconEntry(raw["id"], pattern, Category(raw["category"]), Severity(raw["severity"]),
                                        raw["explanation"], raw["suggestion"], raw["source"], raw.get("example"),
                                        tuple(counterexamples)))
        except (re.error, ValueError) as exc:
            raise ConfigError(f"{path}: entry {n} ({raw['id']}): {exc}") from None
    return entries


def load_lexicons(paths: list[Path] | None = None) -> list[LexiconEntry]:
    """The bundled lexicons plus ``paths``; a later entry replaces an earlier one with the same id."""
    by_id: dict[str, LexiconEntry] = {}
    for name, file in bundled_files("lexicons", ".yaml"):
        for entry in parse_lexicon(file.read_text(encoding="utf-8"), f"mtcheck/resources/lexicons/{name}"):
            by_id[entry.id] = entry
    for path in paths or []:
        for entry in load_lexicon(Path(path)):
            by_id[entry.id] = entry
    return list(by_id.values())


@dataclass
class LexiconDetector(BaseDetector):
    """Flags every match of a lexicon pattern in the article."""

    paths: list[Path] = field(default_factory=list)
    name: str = field(default="lexicon", init=False)

    def __post_init__(self) -> None:
        self._entries = load_lexicons(self.paths)
        entries = [[e.id, e.pattern.pattern, e.category.value, e.severity.value, e.explanation, e.suggestion,
                    e.source] for e in self._entries]
        digest = hashlib.sha256(json.dumps(entries, ensure_ascii=False).encode("utf-8")).hexdigest()
        self._digest = f"{len(entries)}@{digest[:12]}"  # once: every article's run signature names it

    def options(self) -> dict[str, Any]:
        """The lexicon files, and a digest of the entries read from them: an edited lexicon
        changes the run signature, so a batch rerun checks its articles again rather than
        reusing results that the old entries produced."""
        return {**super().options(), "entries": self._digest}

    def detect(self, context: DetectionContext) -> list[Flag]:
        flags = []
        for entry in self._entries:
            for match in entry.pattern.finditer(context.text):
                flags.append(Flag(
                    start=match.start(), end=match.end(), text=match.group(), category=entry.category,
                    severity=entry.severity, message=entry.explanation, detector=self.name,
                    evidence={"lexicon_entry": entry.id, "source": entry.source},
                    suggestion=entry.suggestion, confidence=0.8,
                ))
        return flags
