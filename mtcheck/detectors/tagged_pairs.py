"""Each rendering of a reference, with its French and the reference's English tagged by Apertium."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ..errors import ConfigError, EngineError
from ..lang.tagging import ApertiumTagger, TaggedWord
from ..types import Alignment, Rendering
from .base import BaseDetector, DetectionContext, Need

if TYPE_CHECKING:
    from ..engines.cache import TranslationCache


@dataclass(frozen=True)
class TaggedPair:
    """A rendering and its reference; ``french`` offsets index the rendering's text."""

    alignment: Alignment
    rendering: Rendering
    french: list[TaggedWord]
    english: list[TaggedWord]


def require_taggers(detector: str) -> tuple[ApertiumTagger, ApertiumTagger]:
    """Apertium's French and English taggers, or a ConfigError naming ``detector``."""
    try:
        return ApertiumTagger.french(), ApertiumTagger.english()
    except EngineError as exc:
        raise ConfigError(f"the {detector} detector needs Apertium's taggers: {exc}") from None


def tagged_pairs(context: DetectionContext, french: ApertiumTagger, english: ApertiumTagger,
                 cache: "TranslationCache | None" = None) -> list[TaggedPair]:
    """Every rendering of every aligned reference, each text tagged once per article, whichever
    detector asks first (and once for good with a cache)."""
    return context.shared(f"tagged-pairs:{french.mode}:{english.mode}",
                          lambda: _tag(context, french, english, cache))


def _tag(context: DetectionContext, french: ApertiumTagger, english: ApertiumTagger,
         cache: "TranslationCache | None") -> list[TaggedPair]:
    pairs = [(a, r) for a in context.alignments for r in a.renderings]
    if not pairs:
        return []
    # The English each rendering renders: a whole reference, or the sentence of it that it renders.
    originals = list(dict.fromkeys(a.rendered_text(r) for a, r in pairs))
    english_words = dict(zip(originals, english.tag(originals, cache)))
    french_words = french.tag([context.text[r.start : r.end] for _, r in pairs], cache)
    return [TaggedPair(a, r, words, english_words[a.rendered_text(r)]) for (a, r), words in zip(pairs, french_words)]


@dataclass
class TaggedPairsDetector(BaseDetector):
    """Base of the detectors that read tagged renderings: it holds Apertium's taggers and the
    cache the Checker hands over (tagging takes a few Apertium runs an article; with the
    translation cache's file each text is tagged once)."""

    name: ClassVar[str]
    needs: ClassVar[frozenset[Need]] = frozenset({Need.APERTIUM, Need.REFERENCES, Need.CACHE})
    cache: "TranslationCache | None" = None

    def __post_init__(self) -> None:
        self._taggers = require_taggers(self.name)

    def pairs(self, context: DetectionContext) -> list[TaggedPair]:
        return tagged_pairs(context, *self._taggers, self.cache)
