"""The protocol every detector implements, and the context it reads."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, runtime_checkable

from ..types import Alignment, BackTranslation, Flag, Reference, Segment, Translation

T = TypeVar("T")


@dataclass(frozen=True)
class DetectionContext:
    """Everything a detector may look at for one article. Detectors must not mutate it, except
    through :meth:`shared`, which keeps what one detector computed for the others."""

    text: str
    segments: Sequence[Segment]
    back_translations: Sequence[BackTranslation]
    references: Sequence[Reference]
    alignments: Sequence[Alignment]
    # French translations of the references (by reference id), when an en→fr engine is available.
    reference_translations: Mapping[str, Translation] = field(default_factory=dict)
    # Each segment's back-translation translated again into French (by segment index), when
    # a detector asked for round trips and an en→fr engine is available.
    round_trips: Mapping[int, Translation] = field(default_factory=dict)
    # Analyses that several detectors need (the tagged renderings), computed once per article.
    _shared: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def back_translation(self, segment_index: int) -> BackTranslation:
        return self.back_translations[segment_index]

    def shared(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()``'s result, computed by the first detector that asks for ``key``."""
        if key not in self._shared:
            self._shared[key] = compute()
        return self._shared[key]


@runtime_checkable
class Detector(Protocol):
    """Finds awkward or wrong French spans; returns flags with article offsets.

    A detector that can also estimate the article's MQM score offers
    ``assess(context) -> (flags, estimate or None)``; the Checker calls it instead of ``detect``.
    """

    name: str

    def detect(self, context: DetectionContext) -> list[Flag]: ...


_WORD = re.compile(r"\S+")


def adjacent_words(text: str, word: re.Pattern[str] = _WORD) -> Iterator[tuple[re.Match[str], re.Match[str]]]:
    """Pairs of words of ``text`` (``word`` matches one; whitespace words by default) separated by exactly one space."""
    words = list(word.finditer(text))
    for first, second in zip(words, words[1:]):
        if text[first.end() : second.start()] == " ":
            yield first, second
