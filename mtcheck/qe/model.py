"""A linear word-level quality-estimation model stored as readable JSON.

Logistic regression over named features (:mod:`mtcheck.qe.features`): the probability that
a word is part of an error is ``sigmoid(bias + Σ weight × value)``. Kept as a JSON file of
named weights rather than a pickle so that it loads without the library that trained it,
cannot run code when loaded, and can be read and diffed like any other data file.
``scripts/train_word_qe.py`` writes it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..files import atomic_write
from ..resources import read_bundled

# Where the bundled model lives inside the package (scripts/train_word_qe.py writes it there).
BUNDLED_MODEL = ("models", "word-qe.json")


@dataclass(frozen=True)
class LinearWordModel:
    """Named feature weights, a bias and the decision threshold chosen when training."""

    weights: Mapping[str, float]
    bias: float
    threshold: float
    # Above this probability a flag is major rather than minor.
    major_threshold: float
    # MQM penalty per word per unit of mean error probability, fitted on the training
    # documents' MQM scores: document MQM ≈ 100 − 100 × document_scale × mean probability.
    document_scale: float | None = None
    # How it was trained and what it scored on held-out data; carried along, not used.
    about: Mapping[str, Any] = field(default_factory=dict)

    def score(self, features: Mapping[str, float]) -> float:
        """The model's logit for one word."""
        return self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())

    def probability(self, features: Mapping[str, float]) -> float:
        """Probability that the word is part of an error."""
        z = self.score(features)
        return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0

    def contributions(self, features: Mapping[str, float]) -> list[tuple[str, float]]:
        """Each feature's share of the logit, largest first."""
        parts = [(name, self.weights.get(name, 0.0) * value) for name, value in features.items()]
        return sorted((p for p in parts if p[1]), key=lambda p: -p[1])

    def document_mqm(self, probabilities: Sequence[float]) -> float | None:
        """An MQM-style score (100 = no error, at least 0) from the words' error probabilities."""
        if self.document_scale is None or len(probabilities) == 0:
            return None
        mean = float(sum(probabilities)) / len(probabilities)
        return max(0.0, 100.0 - 100.0 * self.document_scale * mean)

    def save(self, path: Path) -> None:
        data = asdict(self)
        # Four decimals change no probability by more than about 1e-4 per feature and halve the file.
        data["weights"] = {name: round(w, 4) for name, w in sorted(self.weights.items())}
        atomic_write(Path(path), json.dumps(data, indent=1, ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, path: Path | str | None = None) -> LinearWordModel:
        """Read a model file (the bundled one when ``path`` is None)."""
        if path is None:
            return cls.from_json(read_bundled(*BUNDLED_MODEL), "mtcheck/resources/" + "/".join(BUNDLED_MODEL))
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"{path}: word-level QE model not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read the word-level QE model ({exc})") from None
        return cls.from_json(text, str(path))

    @classmethod
    def from_json(cls, text: str, path: str) -> LinearWordModel:
        """A model from its JSON ``text``; ``path`` names it in every error."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}, line {exc.lineno}: not valid JSON ({exc.msg})") from None
        missing = [k for k in ("weights", "bias", "threshold", "major_threshold") if k not in data]
        if missing:
            raise ConfigError(f"{path}: a word-level QE model needs {', '.join(missing)}")
        try:
            weights = {str(k): float(v) for k, v in data["weights"].items()}
            scale = data.get("document_scale")
            return cls(weights=weights, bias=float(data["bias"]), threshold=float(data["threshold"]),
                       major_threshold=float(data["major_threshold"]),
                       document_scale=float(scale) if scale is not None else None, about=data.get("about", {}))
        except (TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"{path}: malformed word-level QE model ({exc})") from None
