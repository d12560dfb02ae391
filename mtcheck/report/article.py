"""The result of checking one article, and its renderings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas

from ..neural import NeuralScore
from ..qe.model import MQM_WEIGHTS
from ..types import Alignment, BackTranslation, Flag, MetricScore, PairScores, Segment




@dataclass(frozen=True)
class RunSignature:
    """Everything that determines a run's output, so that any number can be reproduced."""

    mtcheck: str
    segmenter: str
    engine: str
    detectors: tuple[str, ...]
    aligner: str
    sacrebleu: str
    metrics: dict[str, str] = field(default_factory=dict)
    # Each detector's settings (thresholds, lexicon files, model): two runs whose flags can
    # differ never share a signature, as sacrebleu's signatures carry every option.
    detector_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Flags below this severity are dropped from the report.
    min_severity: str = "minor"
    # The detection model that turned the detectors' flags into the report's ("none": the
    # detectors' flags, merged, as they are).
    flag_model: str = "none"
    # The decoding settings of a neural engine that its own signature leaves out (batch token
    # budget, threads, device); "" for an engine that does not decode. Recorded, but not part of
    # the signature string: they change speed, not results, and the string is what decides
    # whether a batch rerun may reuse an article's stored result.
    decoding: str = field(default="", compare=False)
    # Flags not raised, as detector/category/severity ("*": any); empty for most runs.
    drop: tuple[str, ...] = ()
    # Software outside mtcheck whose output the flags read, by role: Grammalecte's version,
    # the en→fr engine that gives the references' own French. Upgraded, it can change flags.
    tools: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return (
            f"mtcheck:{self.mtcheck}|seg:{self.segmenter}|engine:[{self.engine}]|align:{self.aligner}"
            f"|detectors:{','.join(self._detector_part(n) for n in self.detectors)}|min_severity:{self.min_severity}"
            f"|flag_model:{self.flag_model}"
            + (f"|drop:{','.join(self.drop)}" if self.drop else "")
            + (f"|tools:{','.join(f'{k}=[{v}]' for k, v in sorted(self.tools.items()))}" if self.tools else "")
            + f"|sacrebleu:{self.sacrebleu}"
        )

    def _detector_part(self, name: str) -> str:
        options = self.detector_options.get(name)
        if not options:
            return name
        settings = ";".join(f"{k}={json.dumps(v, ensure_ascii=False, sort_keys=True)}" for k, v in sorted(options.items()))
        return f"{name}[{settings}]"


@dataclass(frozen=True)
class ArticleReport:
    """Segments, back-translations, alignments, scores and flags of one article."""

    article_id: str
    text: str
    segments: tuple[Segment, ...]
    back_translations: tuple[BackTranslation, ...]
    alignments: tuple[Alignment, ...]
    pairs: tuple[PairScores, ...]
    scores: dict[str, MetricScore]
    flags: tuple[Flag, ...]
    signature: RunSignature
    neural: tuple[NeuralScore, ...] = ()
    # A model's estimate of the article's MQM score, when one gave it, and which model:
    # "model" (the detection model) or "detector" (a detector's ``assess``).
    model_mqm: float | None = None
    model_mqm_source: str = "model"
    # What the user should know about how the article was checked (a sentence cut into windows).
    warnings: tuple[str, ...] = ()

    def flags_in(self, segment: Segment) -> list[Flag]:
        """Flags whose span starts inside ``segment``."""
        return [f for f in self.flags if segment.start <= f.start < segment.end]

    def reference_ids(self, segment_index: int) -> list[str]:
        return [a.reference.id for a in self.alignments if segment_index in a.segment_indices]

    def segment_scores(self, segment_index: int) -> dict[str, float] | None:
        """Scores of the best-matching pair that covers the segment, or None when none does."""
        covering = [p for p in self.pairs if segment_index in p.segment_indices]
        if not covering:
            return None
        return dict(max(covering, key=lambda p: p.metrics["chrf"]).metrics)

    @property
    def mqm_estimate(self) -> float:
        """An MQM-style document score, 100 = no error, at least 0; lower is worse.

        From the detection model when it ran (a regression of document MQM on its words' error
        probabilities, fitted on its training documents) or a detector's; otherwise from the flags: 100 − 100 × (weighted flags / words),
        with MQM's weights (minor 1, major 5, critical 10) each scaled by the flag's confidence.
        """
        if self.model_mqm is not None:
            return self.model_mqm
        words = max(1, len(self.text.split()))
        penalty = sum(MQM_WEIGHTS[f.severity.value] * f.confidence for f in self.flags)
        return max(0.0, 100.0 - 100.0 * penalty / words)

    @property
    def mqm_estimate_source(self) -> str:
        return self.model_mqm_source if self.model_mqm is not None else "flags"

    def severity_counts(self) -> dict[str, int]:
        counts = {"critical": 0, "major": 0, "minor": 0}
        for flag in self.flags:
            counts[flag.severity.value] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict following ``mtcheck/resources/schema/report.schema.json``."""
        return {
            "article": {"id": self.article_id, "characters": len(self.text), "text": self.text},
            "signature": {**asdict(self.signature), "detectors": list(self.signature.detectors),
                          "string": str(self.signature)},
            "scores": {name: {"score": round(m.score, 4), "signature": m.signature} for name, m in self.scores.items()},
            "flag_counts": self.severity_counts(),
            "mqm_estimate": round(self.mqm_estimate, 4),
            "mqm_estimate_source": self.mqm_estimate_source,
            "segments": [self._segment_dict(bt) for bt in self.back_translations],
            "references": [_reference_dict(a) for a in self.alignments],
            "pairs": [
                {"reference_id": p.reference_id, "segment_indices": list(p.segment_indices),
                 "hypothesis": p.hypothesis, "reference": p.reference,
                 "scores": {k: round(v, 4) for k, v in p.metrics.items()}}
                for p in self.pairs
            ],
            "flags": [_flag_dict(f) for f in self.flags],
            "neural": [asdict(n) for n in self.neural],
            "warnings": list(self.warnings),
        }

    def _segment_dict(self, bt: BackTranslation) -> dict[str, Any]:
        seg = bt.segment
        scores = self.segment_scores(seg.index)
        return {
            "index": seg.index, "start": seg.start, "end": seg.end, "text": seg.text,
            "paragraph": seg.paragraph, "quote": seg.quote,
            "back_translation": bt.text, "engine": bt.engine,
            "reference_ids": self.reference_ids(seg.index),
            "scores": {k: round(v, 4) for k, v in scores.items()} if scores else None,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def jsonl_records(self) -> Iterator[dict[str, Any]]:
        """One record per segment (type "segment") and per flag (type "flag"), each with the article id."""
        for seg in self.to_dict()["segments"]:
            yield {"type": "segment", "article_id": self.article_id, **seg}
        for flag in self.to_dict()["flags"]:
            yield {"type": "flag", "article_id": self.article_id, **flag}

    def _repr_html_(self) -> str:
        """The article with its flagged spans highlighted, for Jupyter."""
        from .html import article_html

        data = self.to_dict()
        scores = {"MQM est.": data["mqm_estimate"], **{k: v["score"] for k, v in data["scores"].items()}}
        return article_html(self.article_id, self.text, data["flags"], data["segments"], data["references"],
                            scores=scores, standalone=True)

    def segments_frame(self) -> "pandas.DataFrame":
        """One row per segment: offsets, French, back-translation, references, scores, flag counts."""
        import pandas as pd

        rows = []
        for seg in self.to_dict()["segments"]:
            flags = [f for f in self.flags if seg["start"] <= f.start < seg["end"]]
            rows.append({
                "article_id": self.article_id, **{k: seg[k] for k in ("index", "start", "end", "text")},
                "back_translation": seg["back_translation"], "reference_ids": seg["reference_ids"],
                **{k: (seg["scores"] or {}).get(k) for k in ("bleu", "chrf", "ter")},
                "flags": len(flags), "worst_severity": max((f.severity for f in flags), key=lambda v: v.rank,
                                                           default=None),
            })
        return pd.DataFrame(rows)

    def flags_frame(self) -> "pandas.DataFrame":
        """One row per flag, with its evidence flattened into columns."""
        import pandas as pd

        rows = [{"article_id": self.article_id, **{k: v for k, v in f.items() if k != "evidence"},
                 **{f"evidence.{k}": v for k, v in f["evidence"].items()}} for f in self.to_dict()["flags"]]
        columns = ["article_id", "start", "end", "text", "category", "severity", "message", "suggestion",
                   "detector", "confidence", "segment_index"]
        return pd.DataFrame(rows, columns=columns + sorted({k for r in rows for k in r} - set(columns)))

    def to_table(self, width: int | None = None, color: bool = False) -> str:
        """The text table (stacked blocks below 110 columns); ``width``: the terminal's when None."""
        from .table import render_table

        return render_table(self, width, color)


def _reference_dict(a: Alignment) -> dict[str, Any]:
    ref = a.reference
    return {
        "id": ref.id, "text": ref.text, "source": ref.source, "speaker": ref.speaker, "url": ref.url,
        "segment_indices": list(a.segment_indices),
        "similarity": round(a.similarity, 4),
        "note": a.note,
        "renderings": [
            {"segment_indices": list(r.segment_indices), "start": r.start, "end": r.end,
             "back_translation": r.back_translation, "similarity": round(r.similarity, 4), "method": r.method,
             "reference_part": r.reference_part}
            for r in a.renderings
        ],
    }


def _flag_dict(f: Flag) -> dict[str, Any]:
    return {
        "start": f.start, "end": f.end, "text": f.text,
        "category": f.category.value, "severity": f.severity.value,
        "message": f.message, "evidence": dict(f.evidence), "suggestion": f.suggestion,
        "detector": f.detector, "confidence": round(f.confidence, 4), "segment_index": f.segment_index,
    }
