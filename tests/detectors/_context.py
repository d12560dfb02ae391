"""Build a DetectionContext by hand, so that each detector is tested on its own cases."""

from __future__ import annotations

from mtcheck.align import ReferenceAligner
from mtcheck.detectors import DetectionContext
from mtcheck.segment import FrenchSegmenter
from mtcheck.types import BackTranslation, Reference, TokenScore, Translation


def context(french: str, references: list[str | Reference] = (), back_translations: list[str] | None = None,
            token_scores: dict[int, list[tuple[str, float]]] | None = None, links=None,
            round_trips: dict[int, str] | None = None, threshold: float = 10,
            reference_translations: dict[str, str] | None = None) -> DetectionContext:
    segments = FrenchSegmenter().segment(french)
    texts = back_translations or [s.text for s in segments]
    bts = [BackTranslation(segment=s, text=t, engine="test",
                           token_scores=tuple(TokenScore(p, lp) for p, lp in (token_scores or {}).get(s.index, [])),
                           links=tuple((links or {}).get(s.index, ())))
           for s, t in zip(segments, texts)]
    refs = [t if isinstance(t, Reference) else Reference(id=f"r{i}", text=t) for i, t in enumerate(references)]
    alignments = ReferenceAligner(threshold=threshold).align(bts, refs)
    trips = {i: Translation(text=t, engine="test") for i, t in (round_trips or {}).items()}
    translated = {rid: Translation(text=t, engine="test") for rid, t in (reference_translations or {}).items()}
    return DetectionContext(french, segments, bts, refs, alignments, reference_translations=translated,
                            round_trips=trips)
