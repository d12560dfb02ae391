"""The values that flow through the pipeline.

Every span is a pair of Python string offsets into the original French article, so
``article[start:end]`` is always the text a value is about.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

# In a module of its own, so that `mtcheck segment` loads none of the other types.
from .segment_type import Segment as Segment

T = TypeVar("T")


class Severity(StrEnum):
    """MQM severities, ordered from least to most serious."""

    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.MINOR: 1, Severity.MAJOR: 2, Severity.CRITICAL: 3}


class Category(StrEnum):
    """Error categories, a coarse cut of the MQM typology."""

    MISTRANSLATION = "mistranslation"
    TERMINOLOGY = "terminology"
    GRAMMAR = "grammar"
    FLUENCY = "fluency"
    INCONSISTENCY = "inconsistency"
    OMISSION = "omission"
    ARTIFACT = "artifact"


@dataclass(frozen=True)
class Reference:
    """An English original that the article quotes or reports."""

    id: str
    text: str
    source: str | None = None
    speaker: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class WordLink:
    """An English word of a translation and the source character span it came from.

    ``target_*`` index the English text; ``source_*`` index the text that was translated
    (for a :class:`BackTranslation`, the French article).
    """

    target_start: int
    target_end: int
    source_start: int
    source_end: int


@dataclass(frozen=True)
class TokenScore:
    """One output token of a neural engine and its log-probability under the model."""

    token: str
    logprob: float


@dataclass(frozen=True)
class Translation:
    """What an engine returns for one source string."""

    text: str
    engine: str
    token_scores: tuple[TokenScore, ...] = ()
    links: tuple[WordLink, ...] = ()


@dataclass(frozen=True)
class BackTranslation:
    """The English back-translation of one segment, with links into the article."""

    segment: Segment
    text: str
    engine: str
    token_scores: tuple[TokenScore, ...] = ()
    links: tuple[WordLink, ...] = ()

    def french_span(self, target_start: int, target_end: int) -> tuple[int, int] | None:
        """Article span of the French words that the English span ``[target_start, target_end)`` came from."""
        spans = [
            (link.source_start, link.source_end)
            for link in self.links
            if link.target_start < target_end and target_start < link.target_end
            and link.source_end > link.source_start
        ]
        if not spans:
            return None
        return min(s for s, _ in spans), max(e for _, e in spans)


@dataclass(frozen=True)
class Rendering:
    """One French passage that renders a reference: its segments, article span and back-translation."""

    segment_indices: tuple[int, ...]
    start: int
    end: int
    back_translation: str
    similarity: float
    method: str
    # The sentences of the reference that the passage renders, when it renders only those (one
    # sentence of a long speech); None when it renders the whole reference.
    reference_part: str | None = None


@dataclass(frozen=True)
class Alignment:
    """A reference and every French passage that renders it.

    ``renderings`` is empty when the reference is not found in the article; it has two
    entries when the article renders the same reference twice.
    """

    reference: Reference
    renderings: tuple[Rendering, ...]
    similarity: float
    note: str | None = None

    @property
    def found(self) -> bool:
        return bool(self.renderings)

    @property
    def segment_indices(self) -> tuple[int, ...]:
        return tuple(sorted({i for r in self.renderings for i in r.segment_indices}))

    def rendered_text(self, rendering: Rendering) -> str:
        """The English that ``rendering`` renders: the reference's part it renders, or all of it."""
        return rendering.reference_part or self.reference.text


@dataclass(frozen=True)
class MetricScore:
    """One sacrebleu score with the signature that makes it reproducible."""

    name: str
    score: float
    signature: str


@dataclass(frozen=True)
class PairScores:
    """Scores of one aligned pair: back-translation of the segment(s) vs the reference."""

    reference_id: str
    segment_indices: tuple[int, ...]
    hypothesis: str
    reference: str
    metrics: dict[str, float]


@dataclass(frozen=True)
class Flag:
    """A span of the French article that a detector finds awkward or wrong."""

    start: int
    end: int
    text: str
    category: Category
    severity: Severity
    message: str
    detector: str
    evidence: dict[str, str] = field(default_factory=dict)
    suggestion: str = ""
    confidence: float = 0.5
    segment_index: int | None = None


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
