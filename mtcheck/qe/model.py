"""mtcheck's detection model, stored as readable JSON.

Logistic regression over named features (:mod:`mtcheck.qe.features`, the detectors' hits):
the probability that a word is part of an error is ``sigmoid(bias + Σ weight × value)``.
Kept as a JSON file of named weights rather than a pickle so that it loads without the
library that trained it, cannot run code when loaded, and can be read and diffed like any
other data file. ``scripts/train_combiner.py`` writes it.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..files import atomic_write
from ..resources import read_bundled
from ..types import Flag, Severity

# Where the bundled detection model lives (scripts/train_combiner.py writes it there).
BUNDLED_DETECTION_MODEL = ("models", "detection.json")
SEVERITIES = tuple(s.value for s in Severity)
# What an error of each severity costs in an MQM score (WMT20 QE task 3's weights).
MQM_WEIGHTS = {"minor": 1.0, "major": 5.0, "critical": 10.0}
# Fewer flagged training words than this and a detector's measured precision says more about
# chance than about the detector: its flags then count at the confidence the detector states.
MIN_DETECTOR_EVIDENCE = 100


@dataclass(frozen=True)
class LinearScore:
    """``bias + Σ weight × value`` over named features."""

    weights: Mapping[str, float]
    bias: float = 0.0

    def __call__(self, features: Mapping[str, float]) -> float:
        return self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())

    def to_json(self) -> dict[str, Any]:
        return {"bias": round(self.bias, 5), "weights": {k: round(w, 4) for k, w in sorted(self.weights.items())}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LinearScore:
        return cls({str(k): float(v) for k, v in data["weights"].items()}, float(data.get("bias", 0.0)))


@dataclass(frozen=True)
class DetectionModel:
    """The three parts of mtcheck's detection model (:mod:`mtcheck.qe.combiner`).

    ``words``: logit of a word being part of an error; ``threshold``: the probability above
    which a word is flagged, chosen in training for ``target_precision``; ``severities``: one
    score per MQM severity over the word's logit and the detector flags on it (softmax);
    ``document``: the article's MQM estimate from document features; ``unexplained_threshold``:
    the probability a word no detector flagged needs (higher: no rule explains it);
    ``detector_precision``:
    the share of BAD words among the training words each detector flagged, for the detectors
    that flagged at least :data:`MIN_DETECTOR_EVIDENCE` of them.
    """

    words: LinearScore
    threshold: float
    severities: Mapping[str, LinearScore]
    document: LinearScore
    target_precision: float | None = None
    severe_threshold: float | None = None
    unexplained_threshold: float | None = None
    detector_precision: Mapping[str, float] = field(default_factory=dict)
    about: Mapping[str, Any] = field(default_factory=dict)
    # The SHA-256 of the file the model was read from, which names it in signatures without
    # serialising its 50,000 weights again on every run (None: not read from a file).
    file_digest: str | None = field(default=None, compare=False, repr=False)

    def weighed(self, detector: str) -> bool:
        """Whether the training data held enough of ``detector``'s flags to measure it."""
        return detector in self.detector_precision

    def flag_precision(self, flag: Flag) -> float:
        """How likely a word under ``flag`` is wrong on the detector's record: its precision
        measured in training, or the confidence it states where it was not measured."""
        return self.detector_precision.get(flag.detector, flag.confidence)

    def flags_word(self, probability: float, explained: bool) -> bool:
        """Whether a word of this probability is flagged; ``explained``: a detector flagged it."""
        if not explained and self.unexplained_threshold is not None:
            return probability >= max(self.threshold, self.unexplained_threshold)
        return probability >= self.threshold

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.words(features)
        return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0

    def contributions(self, features: Mapping[str, float]) -> list[tuple[str, float]]:
        """Each feature's share of the word logit, largest first."""
        parts = [(name, self.words.weights.get(name, 0.0) * value) for name, value in features.items()]
        return sorted((p for p in parts if p[1]), key=lambda p: -p[1])

    def severity_probabilities(self, features: Mapping[str, float], probability: float) -> dict[str, float]:
        """P(minor), P(major), P(critical) for a word the model flags."""
        p = min(max(probability, 1e-6), 1 - 1e-6)
        inputs = {"logit": math.log(p / (1 - p)), **{k: v for k, v in features.items() if k.startswith("hit_")}}
        scores = {s: self.severities[s](inputs) for s in SEVERITIES if s in self.severities}
        top = max(scores.values())
        exp = {s: math.exp(v - top) for s, v in scores.items()}
        total = sum(exp.values())
        return {s: v / total for s, v in exp.items()}

    def expected_penalty(self, features: Mapping[str, float], probability: float) -> float:
        """The MQM weight an error here would cost, averaged over its likely severities."""
        return sum(MQM_WEIGHTS[s] * p for s, p in self.severity_probabilities(features, probability).items())

    def severity(self, features: Mapping[str, float], probability: float) -> Severity:
        """The likeliest severity of an error here; minor below ``severe_threshold``."""
        if self.severe_threshold is not None and probability < self.severe_threshold:
            return Severity.MINOR
        probabilities = self.severity_probabilities(features, probability)
        return Severity(max(probabilities, key=probabilities.__getitem__))

    def document_mqm(self, features: Mapping[str, float]) -> float:
        """The article's MQM estimate (100: no error), at least 0."""
        return min(100.0, max(0.0, self.document(features)))

    @cached_property  # every report names the model: hash its 50,000 weights once
    def signature(self) -> str:
        """Names this model in run signatures: what it was trained as, and a digest of the
        model as :meth:`save` writes it (of its file, when it was read from one)."""
        digest = self.file_digest or hashlib.sha256(self._saved_text().encode("utf-8")).hexdigest()
        return f"{self.about.get('name', 'detection')}@{digest[:10]}"

    def _saved_text(self) -> str:
        return json.dumps(self.to_json(), indent=1, ensure_ascii=False) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "target_precision": self.target_precision,
                "severe_threshold": self.severe_threshold, "unexplained_threshold": self.unexplained_threshold,
                "words": self.words.to_json(), "severity": {s: m.to_json() for s, m in self.severities.items()},
                "document": self.document.to_json(), "detector_precision": dict(sorted(self.detector_precision.items())),
                "about": dict(self.about)}

    def save(self, path: Path) -> None:
        atomic_write(Path(path), self._saved_text())

    @classmethod
    def load(cls, path: Path | str | None = None) -> DetectionModel:
        """Read a model file (the bundled one when ``path`` is None)."""
        if path is None:
            name = "mtcheck/resources/" + "/".join(BUNDLED_DETECTION_MODEL)
            return cls.from_json(read_bundled(*BUNDLED_DETECTION_MODEL), name)
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"{path}: detection model not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read the detection model ({exc})") from None
        return cls.from_json(text, str(path))

    @classmethod
    def from_json(cls, text: str, path: str) -> DetectionModel:
        """A model from its JSON ``text``; ``path`` names it in every error."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}, line {exc.lineno}: not valid JSON ({exc.msg})") from None
        missing = [k for k in ("words", "threshold", "severity", "document") if k not in data]
        if missing:
            raise ConfigError(f"{path}: a detection model needs {', '.join(missing)}")
        try:
            severity = {str(s): LinearScore.from_json(m) for s, m in data["severity"].items()}
            unknown = set(severity) - set(SEVERITIES)
            if unknown or not severity:
                raise ValueError(f"severities must be among {', '.join(SEVERITIES)}, not {sorted(unknown)}")
            threshold = float(data["threshold"])
            if not 0.0 < threshold < 1.0:
                raise ValueError(f"threshold must lie between 0 and 1, not {threshold}")
            target = data.get("target_precision")
            severe = data.get("severe_threshold")
            unexplained = data.get("unexplained_threshold")
            return cls(words=LinearScore.from_json(data["words"]), threshold=threshold, severities=severity,
                       document=LinearScore.from_json(data["document"]),
                       target_precision=float(target) if target is not None else None,
                       severe_threshold=float(severe) if severe is not None else None,
                       unexplained_threshold=float(unexplained) if unexplained is not None else None,
                       detector_precision={str(k): float(v) for k, v in data.get("detector_precision", {}).items()},
                       about=data.get("about", {}), file_digest=hashlib.sha256(text.encode("utf-8")).hexdigest())
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise ConfigError(f"{path}: malformed detection model ({exc})") from None
