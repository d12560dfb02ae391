"""Rule-based back-translation through Apertium, French → Spanish → English.

Apertium has no fr→en pair; Debian's ``apertium-fr-es`` and ``apertium-eng-spa`` chain
into one that works fully offline. Apertium cannot report which source word produced
which output word, so the engine also runs a *gloss*: the same text with a numbered
marker before every French word. Markers block Apertium's reordering and multi-word
rules, so the gloss is poor English, but each marker tells which French word the words
after it came from. Words of the real translation are then linked to French words
through the gloss words they match.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from ..errors import EngineError
from ..lang.apertium import (PIVOT_MODES, ModeRun, apertium_problem, by_paragraph, mode_pipeline,
                             package_version, run_streamed)
from ..types import Translation, WordLink
from ..lang.words import word_spans

if TYPE_CHECKING:
    from .base import Engine
    from .cache import TranslationCache

_MARKER = re.compile(r"\[(\d+)\]")
# A reporting clause with its subject after the verb, after a comma or a closing quote:
# "», a-t-il déclaré", ", poursuit-elle", ", ont-ils précisé". Apertium fr-es glues or drops
# its words ("hadeclarado", "continue-", "have-required"); with the subject first ("il a
# déclaré") it translates cleanly. Questions ("Est-il possible ?") are left alone.
_INVERTED_SUBJECT = re.compile(r"(?<=[,»”][ \u00a0\u202f])(\w+?)(?:-t)?-(il|elle|on|ils|elles)(?![\w-])")


@dataclass
class ApertiumEngine:
    """Apertium fr→es→en; ``pivot_modes`` names the two Apertium modes to chain."""

    pivot_modes: tuple[str, str] = PIVOT_MODES
    timeout_s: float = 600.0
    name: str = field(default="apertium", init=False)
    # Each mode's pipeline, started on first use and kept running (see ModeRun).
    _pipelines: dict[str, ModeRun] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def _from_french(self) -> bool:
        return self.pivot_modes[0].startswith("fr-")

    def __post_init__(self) -> None:
        problem = apertium_problem(self.pivot_modes)
        if problem:
            raise EngineError(problem)

    @classmethod
    def english_to_french(cls) -> "ApertiumEngine":
        """The reverse direction, en→es→fr, for checks that need French from English."""
        return cls(pivot_modes=("eng-spa", "es-fr"))

    @cached_property
    def signature(self) -> str:
        versions = "+".join(package_version(p) for p in ("apertium", "apertium-fr-es", "apertium-eng-spa"))
        # How the input is prepared changes the output, so translations cached without it must not match.
        rewrite = "+subject-first" if self._from_french else ""
        return f"apertium|modes:{'>'.join(self.pivot_modes)}|versions:{versions}|input:paragraphs{rewrite}"

    def translate(self, texts: Sequence[str]) -> list[Translation]:
        if not texts:
            return []
        flat = [t.replace("\n", " ").replace("\r", " ") for t in texts]
        # Only the translation is rewritten; the gloss keeps every French word at its place.
        english = self._run_lines([subject_first(t) for t in flat] if self._from_french else flat)
        gloss = self._run_lines([_with_markers(t) for t in flat])
        return [
            Translation(text=e, engine=self.signature, links=_links(e, g, t))
            for e, g, t in zip(english, gloss, texts)
        ]

    def _run_lines(self, lines: list[str]) -> list[str]:
        """Translate the texts in one pipeline run, one paragraph each (see :func:`by_paragraph`)."""
        return [out.strip() for out in by_paragraph(self._pipeline, lines)]

    def _pipeline(self, text: str) -> str:
        stages = [(f"apertium {mode}", lambda mode=mode: mode_pipeline(mode), [["apertium", "-u", mode]])
                  for mode in self.pivot_modes]
        return run_streamed(self._pipelines, stages, text, self.timeout_s)


def reverse_engine(cache: "TranslationCache | None" = None) -> "Engine | None":
    """The en→fr engine for checks in French (references in French, round trips): Apertium's
    en→es→fr, behind ``cache`` when one is given; None where Apertium is not installed."""
    try:
        engine = ApertiumEngine.english_to_french()
    except EngineError:
        return None
    if cache is None:
        return engine
    from .cache import CachedEngine

    return CachedEngine(engine, cache)


def subject_first(french: str) -> str:
    """``french`` with each inverted reporting clause put subject first ("a-t-il dit" → "il a dit")."""
    return _INVERTED_SUBJECT.sub(lambda m: f"{m.group(2)} {m.group(1)}", french)


def _with_markers(text: str) -> str:
    parts, cursor = [], 0
    for i, (s, e) in enumerate(word_spans(text)):
        parts.append(text[cursor:s])
        parts.append(f"[{i}]{text[s:e]}")
        cursor = e
    parts.append(text[cursor:])
    return "".join(parts)


def _gloss_words(gloss: str) -> list[tuple[str, int]]:
    """The gloss's English words, each with the index of the French word it came from."""
    words = []
    pieces = _MARKER.split(gloss)
    # pieces = [before, idx0, text0, idx1, text1, ...]
    for idx, chunk in zip(pieces[1::2], pieces[2::2]):
        for s, e in word_spans(chunk):
            words.append((chunk[s:e].lower(), int(idx)))
    return words


def _links(english: str, gloss: str, source: str) -> tuple[WordLink, ...]:
    """Link each word of ``english`` to the French word whose gloss contains the same word.

    Among several candidates the one nearest in relative position wins, which keeps
    repeated function words ("the", "of") on the right French word.
    """
    src_words = word_spans(source)
    eng_words = word_spans(english)
    # Each gloss word's French word indices, sorted, with where each first appears in the gloss
    # (ties go to the earlier one): a lookup per English word instead of a scan of the whole
    # gloss, which made long sentences quadratic.
    by_form: dict[str, list[int]] = {}
    first_seen: dict[tuple[str, int], int] = {}
    for order, (g, idx) in enumerate(_gloss_words(gloss)):
        if idx < len(src_words) and (g, idx) not in first_seen:
            first_seen[(g, idx)] = order
            by_form.setdefault(g, []).append(idx)
    for indices in by_form.values():
        indices.sort()
    links = []
    span = max(1, len(src_words) - 1)
    for pos, (s, e) in enumerate(eng_words):
        form = english[s:e].lower()
        indices = by_form.get(form)
        if not indices:
            continue
        rel = pos / max(1, len(eng_words) - 1)
        at = bisect.bisect_left(indices, rel * span)
        near = indices[max(0, at - 2) : at + 2]
        best = min(near, key=lambda idx: (abs(idx / span - rel), first_seen[(form, idx)]))
        fs, fe = src_words[best]
        links.append(WordLink(s, e, fs, fe))
    return tuple(links)
