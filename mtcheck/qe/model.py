"""mtcheck's detection model, stored as readable JSON.

Two stages. A logistic regression over named features (:mod:`mtcheck.qe.features`, the
detectors' hits) gives each word a first error probability ``sigmoid(bias + Σ weight ×
value)``; it holds the 50,000 word identities, which only a linear model can learn from
this much data. Gradient-boosted trees (:class:`TreeEnsemble`) then read that probability
with its neighbours', the segment's and the article's, and the dense features, and learn
what a sum cannot: that a capital letter means one thing with a reference and another
without one, that errors come in runs, that an article with many likely errors has more.

Kept as a JSON file of named weights and tree nodes rather than a pickle so that it loads
without the library that trained it, cannot run code when loaded, and can be read and
diffed like any other data file. ``scripts/train_combiner.py`` writes it.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..files import atomic_write
from ..resources import read_bundled_bytes
from ..types import Flag, Severity

# Where the bundled detection model lives (scripts/train_combiner.py writes it there).
BUNDLED_DETECTION_MODEL = ("models", "detection.json")
SEVERITIES = tuple(s.value for s in Severity)
# What an error of each severity costs in an MQM score (WMT20 QE task 3's weights).
MQM_WEIGHTS = {"minor": 1.0, "major": 5.0, "critical": 10.0}
# Fewer flagged training words than this and a detector's measured precision says more about
# chance than about the detector: its flags then count at the confidence the detector states.
MIN_DETECTOR_EVIDENCE = 100
_TREES = "@trees@"  # where the saved text puts the trees, one a line


def sigmoid(z: float) -> float:
    """The probability of a logit (0 far below, where exp would overflow)."""
    return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0


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
        weights = data["weights"]
        if not isinstance(weights, dict):
            raise TypeError(f"weights must be an object of feature name → number, not {type(weights).__name__}")
        # The parsed object as it is (JSON's keys are strings): copying 50,000 weights into a
        # new dict took a tenth of what the model costs a check; the types are checked at once.
        kinds = set(map(type, weights.values()))
        if not kinds <= {float, int}:
            raise TypeError(f"weights must be numbers, not {sorted(k.__name__ for k in kinds - {float, int})}")
        return cls(weights, float(data.get("bias", 0.0)))


@dataclass(frozen=True)
class TreeEnsemble:
    """A sum of regression trees over named features (scikit-learn's histogram gradient
    boosting, exported node by node): ``bias + Σ leaf value``, a logit.

    ``trees`` holds each tree as rows ``[feature, threshold, left, right, missing_left, value]``
    with ``feature`` -1 on a leaf; a feature not given reads 0, and NaN (a neighbour that does
    not exist) takes the side training sent missing values to.
    """

    features: Sequence[str]
    trees: Sequence[Sequence[Sequence[float]]]
    bias: float = 0.0

    def logits(self, columns: Mapping[str, Any]) -> list[float]:
        """The logit of each row of ``columns`` (feature name → a numpy column; NaN: missing,
        a feature not there: 0). Every (row, tree) pair walks down at once, and only the pairs
        not yet at a leaf take the next step: an article's thousand words through three
        hundred trees in milliseconds, not seconds."""
        import numpy as np

        rows = len(next(iter(columns.values()))) if columns else 0
        if not rows:
            return []
        zeros = np.zeros(rows)
        x = np.vstack([np.asarray(columns.get(name, zeros), dtype=float) for name in self.features])
        # Each feature twice, its missing values read as -inf and as +inf: a node whose missing
        # values go left reads the first copy, the others the second, so that one comparison
        # (value > threshold: right) decides every step, missing or not.
        missing = np.isnan(x)
        x = np.concatenate([np.where(missing, -np.inf, x), np.where(missing, np.inf, x)]).ravel()
        column, threshold, child, inner, value, roots = self._flat
        # Tree by tree, row by row within a tree: the pairs of one tree's nodes lie together.
        at = np.repeat(roots, rows)
        row = np.tile(np.arange(rows), len(roots))
        column = column * rows
        walking = np.flatnonzero(inner[at])
        while walking.size:
            node = at[walking]
            node = child[2 * node + (x[row[walking] + column[node]] > threshold[node])]
            at[walking] = node
            walking = walking[inner[node]]
        # Summed row by row in the trees' order (the same float sum as a row of trees).
        return list(self.bias + np.ascontiguousarray(value[at].reshape(len(roots), rows).T).sum(axis=1))

    @cached_property
    def _flat(self):
        """The trees' nodes end to end: the feature copy each node reads (see :meth:`logits`),
        its threshold, its children (left, right) as flat indices, whether it is a split (not a
        leaf), its value, and where each tree's root is."""
        import numpy as np

        nodes = self._nodes
        sizes = [len(tree) for tree in self.trees]
        roots = np.cumsum([0] + sizes[:-1])
        offset = np.repeat(roots, sizes)
        feature = nodes[:, 0].astype(np.intp)
        inner = feature >= 0
        left = np.where(inner, nodes[:, 2].astype(np.intp) + offset, 0)
        right = np.where(inner, nodes[:, 3].astype(np.intp) + offset, 0)
        column = np.where(inner, feature + np.where(nodes[:, 4] > 0, 0, len(self.features)), 0)
        # An infinite threshold (a split of the missing values from the rest) as the largest
        # float: the same side for every value, and a missing one read as +inf still goes right.
        threshold = np.minimum(nodes[:, 1], np.finfo(float).max)
        return column, threshold, np.column_stack([left, right]).ravel(), inner, nodes[:, 5].copy(), roots

    @cached_property
    def _nodes(self):
        """Every node as a row of six numbers, checked (a ValueError naming the first bad node):
        all at once, as a model holds some 20,000 nodes and loads with every check."""
        import numpy as np

        bad = next((node for tree in self.trees for node in tree if len(node) != 6), None)
        if bad is not None or not all(self.trees):
            raise ValueError(f"a tree node must be [feature, threshold, left, right, missing_left, value], "
                             f"not {bad if bad is not None else []}")
        nodes = np.fromiter(chain.from_iterable(chain.from_iterable(self.trees)), dtype=float).reshape(-1, 6)
        size = np.repeat([len(tree) for tree in self.trees], [len(tree) for tree in self.trees])
        inner = nodes[:, 0] >= 0
        within = (0 < nodes[:, 2]) & (nodes[:, 2] < size) & (0 < nodes[:, 3]) & (nodes[:, 3] < size)
        wrong = (nodes[:, 0] >= len(self.features)) | (inner & ~within)
        if wrong.any():
            raise ValueError(f"a tree node must be [feature, threshold, left, right, missing_left, value] within "
                             f"its tree and the {len(self.features)} features, not {nodes[wrong][0].tolist()}")
        return nodes

    def to_json(self) -> dict[str, Any]:
        return {"bias": self.bias, "features": list(self.features),
                "trees": [[[int(n[0]), float(n[1]), int(n[2]), int(n[3]), int(n[4]), float(n[5])]
                           for n in tree] for tree in self.trees]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TreeEnsemble:
        ensemble = cls([str(f) for f in data["features"]], data["trees"], float(data.get("bias", 0.0)))
        ensemble._nodes  # checked now: a bad model fails where it is read, not at its first article
        return ensemble


def _logit(probability: float) -> float:
    """The logit the severity scores read, the probability kept off 0 and 1."""
    p = min(max(probability, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _softmax(scores: Mapping[str, float]) -> dict[str, float]:
    top = max(scores.values())
    exp = {s: math.exp(v - top) for s, v in scores.items()}
    total = sum(exp.values())
    return {s: v / total for s, v in exp.items()}


def _expected_weight(severities: Mapping[str, float]) -> float:
    """The MQM weight of an error of these severity probabilities."""
    return sum(MQM_WEIGHTS[s] * p for s, p in severities.items())


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
    that flagged at least :data:`MIN_DETECTOR_EVIDENCE` of them (what the second stage reads);
    ``detector_precision_by_reference``: the same measured apart in segments with a reference
    (``"with"``) and without one (``"without"``), what a flag counts at on its own (None: a model
    trained before they were told apart, whose one record serves); ``context``: the second stage,
    over the first stage's probabilities in context (:func:`mtcheck.qe.combiner.context_features`),
    whose probability the thresholds apply to (None: the first stage's stands).
    """

    words: LinearScore
    threshold: float
    severities: Mapping[str, LinearScore]
    document: LinearScore
    target_precision: float | None = None
    severe_threshold: float | None = None
    unexplained_threshold: float | None = None
    detector_precision: Mapping[str, float] = field(default_factory=dict)
    detector_precision_by_reference: Mapping[str, Mapping[str, float]] | None = None
    about: Mapping[str, Any] = field(default_factory=dict)
    context: TreeEnsemble | None = None
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

    def flag_evidence(self, flag: Flag, referenced: bool) -> float:
        """What a word under ``flag`` counts at on its own, beside the model's probability: the
        detector's precision measured in training on segments like its own (``referenced``:
        with a reference), or the confidence it states where it was not measured so.

        Kept apart by reference status because a detector that reads the original acts
        otherwise without one: the truncation rule lets an ellipsis pass where the original
        trails off too, and without an original flags every one, so that its precision
        measured without references (0.2) says nothing of its flags beside one."""
        if self.detector_precision_by_reference is None:
            return self.flag_precision(flag)
        return self.detector_precision_by_reference["with" if referenced else "without"].get(
            flag.detector, flag.confidence)

    def flags_word(self, probability: float, explained: bool) -> bool:
        """Whether a word of this probability is flagged; ``explained``: a detector flagged it."""
        if not explained and self.unexplained_threshold is not None:
            return probability >= max(self.threshold, self.unexplained_threshold)
        return probability >= self.threshold

    def probability(self, features: Mapping[str, float]) -> float:
        return sigmoid(self.words(features))

    def context_probabilities(self, columns: Mapping[str, Any]) -> list[float]:
        """The second stage's probability for each word, from its context features' columns."""
        assert self.context is not None
        return [sigmoid(z) for z in self.context.logits(columns)]

    def contributions(self, features: Mapping[str, float]) -> list[tuple[str, float]]:
        """Each feature's share of the word logit, largest first."""
        parts = [(name, self.words.weights.get(name, 0.0) * value) for name, value in features.items()]
        return sorted((p for p in parts if p[1]), key=lambda p: -p[1])

    def severity_probabilities(self, features: Mapping[str, float], probability: float) -> dict[str, float]:
        """P(minor), P(major), P(critical) for a word the model flags."""
        inputs = [("logit", _logit(probability)), *((k, v) for k, v in features.items() if k.startswith("hit_"))]
        return _softmax({s: score.bias + sum([score.weights.get(name, 0.0) * value for name, value in inputs])
                         for s, score in self._severity_scores})

    @cached_property
    def _severity_scores(self) -> list[tuple[str, LinearScore]]:
        return [(s, self.severities[s]) for s in SEVERITIES if s in self.severities]

    def expected_penalty(self, features: Mapping[str, float], probability: float) -> float:
        """The MQM weight an error here would cost, averaged over its likely severities."""
        return _expected_weight(self.severity_probabilities(features, probability))

    def expected_penalties(self, evidence: Sequence[Mapping[str, float]], probabilities: Sequence[float]) -> list[float]:
        """:meth:`expected_penalty` of each word of an article (``evidence``: the detector
        features on it). Most words carry none, and then the severity scores read the logit
        alone: those skip gathering the word's inputs, with the same arithmetic in the same order."""
        logit_only = [(s, score.bias, score.weights.get("logit", 0.0)) for s, score in self._severity_scores]
        penalties = []
        for features, probability in zip(evidence, probabilities):
            if features:
                penalties.append(self.expected_penalty(features, probability))
                continue
            logit = _logit(probability)
            penalties.append(_expected_weight(_softmax({s: bias + weight * logit for s, bias, weight in logit_only})))
        return penalties

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
        data = self.to_json()
        if self.context is None:
            return json.dumps(data, indent=1, ensure_ascii=False) + "\n"
        # One tree a line: indented node by node, the trees alone would fill 100,000 lines.
        trees, data["context"]["trees"] = data["context"]["trees"], _TREES
        block = "[\n" + ",\n".join("   " + json.dumps(tree) for tree in trees) + "\n  ]"
        return json.dumps(data, indent=1, ensure_ascii=False).replace(json.dumps(_TREES), block, 1) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "target_precision": self.target_precision,
                "severe_threshold": self.severe_threshold, "unexplained_threshold": self.unexplained_threshold,
                "words": self.words.to_json(), "severity": {s: m.to_json() for s, m in self.severities.items()},
                "document": self.document.to_json(), "detector_precision": dict(sorted(self.detector_precision.items())),
                "detector_precision_by_reference": (
                    {kind: dict(sorted(records.items())) for kind, records in self.detector_precision_by_reference.items()}
                    if self.detector_precision_by_reference is not None else None),
                "context": self.context.to_json() if self.context is not None else None,
                "about": dict(self.about)}

    def save(self, path: Path) -> None:
        atomic_write(Path(path), self._saved_text())

    @classmethod
    def load(cls, path: Path | str | None = None) -> DetectionModel:
        """Read a model file (the bundled one when ``path`` is None)."""
        if path is None:
            name = "mtcheck/resources/" + "/".join(BUNDLED_DETECTION_MODEL)
            return cls.from_json(read_bundled_bytes(*BUNDLED_DETECTION_MODEL), name)
        path = Path(path)
        try:
            text = path.read_bytes()  # orjson reads UTF-8 itself (and names bad UTF-8 as bad JSON)
        except FileNotFoundError:
            raise ConfigError(f"{path}: detection model not found") from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the detection model ({exc})") from None
        return cls.from_json(text, str(path))

    @classmethod
    def from_json(cls, text: str | bytes, path: str) -> DetectionModel:
        """A model from its JSON ``text`` (or its UTF-8 bytes); ``path`` names it in every error."""
        import orjson

        raw = text.encode("utf-8") if isinstance(text, str) else text
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
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
            by_reference = data.get("detector_precision_by_reference")
            if by_reference is not None and set(by_reference) != {"with", "without"}:
                raise ValueError(f"detector_precision_by_reference needs 'with' and 'without', not {sorted(by_reference)}")
            return cls(words=LinearScore.from_json(data["words"]), threshold=threshold, severities=severity,
                       document=LinearScore.from_json(data["document"]),
                       target_precision=float(target) if target is not None else None,
                       severe_threshold=float(severe) if severe is not None else None,
                       unexplained_threshold=float(unexplained) if unexplained is not None else None,
                       detector_precision={str(k): float(v) for k, v in data.get("detector_precision", {}).items()},
                       detector_precision_by_reference=(
                           {kind: {str(k): float(v) for k, v in records.items()} for kind, records in by_reference.items()}
                           if by_reference is not None else None),
                       context=TreeEnsemble.from_json(data["context"]) if data.get("context") else None,
                       about=data.get("about", {}), file_digest=hashlib.sha256(raw).hexdigest())
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise ConfigError(f"{path}: malformed detection model ({exc})") from None
