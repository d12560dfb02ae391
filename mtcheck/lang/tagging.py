"""Words tagged by Apertium's own morphological analysers and part-of-speech taggers.

Debian's ``apertium-fr-es`` and ``apertium-eng-spa`` ship a French and an English analyser
and a statistical tagger: the first stages of their translation modes. Running only those
stages gives each word its lemma and tags, offline: "them" is ``prn obj p3 mf pl``, the
clitic "la" of "la transmettre" is ``prn pro p3 f sg``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from ..errors import EngineError
from .apertium import ModeRun, apertium_problem, by_paragraph, mode_file, package_version, run_streamed, streamed_stages


class AnalysisStore(Protocol):
    """Where tagged texts are kept between runs (the translation cache is one)."""

    def get_analyses(self, signature: str, sources: Sequence[str]) -> dict[str, Any]: ...

    def put_analyses(self, signature: str, items: Sequence[tuple[str, Any]]) -> None: ...

# A lexical unit with its surface form: "^la/le<prn><pro><p3><f><sg>$"; unknown words are
# "^xyz/*xyz$".
_UNIT = re.compile(r"\^((?:[^/$\\]|\\.)*)/((?:[^$\\]|\\.)*)\$")
_TAG = re.compile(r"<([^>]+)>")
# Apertium's verb tags: lexical verbs, être / be, avoir / have, modals, do, auxiliaries.
VERB_KINDS = frozenset({"vblex", "vbser", "vbhaver", "vbmod", "vbdo", "vaux"})
# The language data package behind each mode's analyser and tagger.
_PACKAGES = {"fr-es": "apertium-fr-es", "eng-spa": "apertium-eng-spa"}


@dataclass(frozen=True)
class TaggedWord:
    """A word of a text with the lemma and tags the tagger chose, and where it lies in the text."""

    surface: str
    lemma: str
    tags: tuple[str, ...]
    start: int
    end: int

    def has(self, *tags: str) -> bool:
        return all(t in self.tags for t in tags)

    @property
    def kind(self) -> str:
        """The part of speech: the first tag ("vblex", "prn", "n"…), "" for an unknown word."""
        return self.tags[0] if self.tags else ""

    @property
    def is_verb(self) -> bool:
        return self.kind in VERB_KINDS


@dataclass
class ApertiumTagger:
    """Tags texts with the analyser and tagger of one Apertium mode ("fr-es": French, "eng-spa": English)."""

    mode: str
    timeout_s: float = 120.0
    _stages: tuple[Path, Path] = field(init=False, repr=False)
    _pipelines: dict[str, ModeRun] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problem = apertium_problem((self.mode,))
        if problem:
            raise EngineError(problem)
        self._stages = _analyser_and_model(mode_file(self.mode))

    @classmethod
    def french(cls) -> "ApertiumTagger":
        return cls("fr-es")

    @classmethod
    def english(cls) -> "ApertiumTagger":
        return cls("eng-spa")

    @cached_property
    def signature(self) -> str:
        """What decides the tags: the mode and the installed versions of its data."""
        versions = "+".join(package_version(p) for p in ("apertium", _PACKAGES.get(self.mode, self.mode)))
        return f"apertium-tagger|mode:{self.mode}|versions:{versions}"

    def tag(self, texts: Sequence[str], cache: AnalysisStore | None = None) -> list[list[TaggedWord]]:
        """Each text's words. Texts the cache does not hold are tagged in one pipeline run, one
        paragraph a text (:func:`~mtcheck.engines.apertium.by_paragraph`)."""
        if not texts:
            return []
        stored = cache.get_analyses(self.signature, texts) if cache else {}
        fresh = [t for t in dict.fromkeys(texts) if t not in stored]
        if fresh:
            tagged = dict(zip(fresh, self._tag(fresh)))
            if cache:
                cache.put_analyses(self.signature, [(t, [list(_record(w)) for w in words])
                                                    for t, words in tagged.items()])
            stored.update({t: [_record(w) for w in words] for t, words in tagged.items()})
        return [[TaggedWord(surface, lemma, tuple(tags), start, end) for surface, lemma, tags, start, end in stored[t]]
                for t in texts]

    def _tag(self, texts: list[str]) -> list[list[TaggedWord]]:
        tagged = by_paragraph(self._run, [" ".join(t.split()) for t in texts])
        return [_words(text, out) for text, out in zip(texts, tagged)]

    def _run(self, text: str) -> str:
        analyser, model = self._stages
        commands = (["apertium-destxt"], ["lt-proc", str(analyser)], ["apertium-tagger", "-g", "-p", str(model)],
                    ["apertium-retxt"])
        stages = [f"lt-proc -z '{analyser}'", f"apertium-tagger -g -p '{model}'"]
        return run_streamed(self._pipelines, [("apertium-tagger", lambda: streamed_stages(stages), commands)],
                            text, self.timeout_s)


def _analyser_and_model(mode: Path) -> tuple[Path, Path]:
    """The analyser and tagger model named in the first stages of an Apertium mode file."""
    pipeline = mode.read_text(encoding="utf-8")
    analyser = re.search(r"lt-proc(?: -\w+)* '?([^' ]+\.automorf\.bin)", pipeline)
    model = re.search(r"apertium-tagger [^|]*?'?([^' ]+\.prob)", pipeline)
    if analyser is None or model is None:
        raise EngineError(f"{mode}: no analyser or tagger stage found")
    return Path(analyser.group(1)), Path(model.group(1))


def _record(word: TaggedWord) -> tuple:
    return (word.surface, word.lemma, list(word.tags), word.start, word.end)


def _words(text: str, tagged: str) -> list[TaggedWord]:
    words, cursor = [], 0
    for unit in _UNIT.finditer(tagged):
        surface = unit.group(1).replace("\\", "")
        analysis = unit.group(2).replace("\\", "")
        start = text.find(surface, cursor)
        if start < 0:
            continue  # a full stop the deformatter added
        cursor = start + len(surface)
        lemma = analysis.split("<", 1)[0].lstrip("*")
        words.append(TaggedWord(surface, lemma, tuple(_TAG.findall(analysis)), start, cursor))
    return words
