"""The protocol every detector implements, and the context it reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..types import Alignment, BackTranslation, Flag, Reference, Segment


@dataclass(frozen=True)
class DetectionContext:
    """Everything a detector may look at for one article. Detectors must not mutate it."""

    text: str
    segments: Sequence[Segment]
    back_translations: Sequence[BackTranslation]
    references: Sequence[Reference]
    alignments: Sequence[Alignment]

    def back_translation(self, segment_index: int) -> BackTranslation:
        return self.back_translations[segment_index]


@runtime_checkable
class Detector(Protocol):
    """Finds awkward or wrong French spans; returns flags with article offsets."""

    name: str

    def detect(self, context: DetectionContext) -> list[Flag]: ...
