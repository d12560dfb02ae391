"""Optional neural metrics: COMET (quality estimation on the French itself) and BERTScore.

Neither package nor model ships with mtcheck. Both are used only when the user has them
(``pip install "mtcheck[neural]"`` and a model in the local cache or a local folder);
otherwise a :class:`ConfigError` says what is missing, and nothing else is affected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .errors import ConfigError
from .types import Alignment

NEURAL_METRICS = ("comet", "bertscore")


@dataclass(frozen=True)
class NeuralScore:
    metric: str
    model: str
    reference_id: str
    segment_indices: tuple[int, ...]
    score: float


_PACKAGES = {"comet": ("comet", "unbabel-comet"), "bertscore": ("bert_score", "bert-score")}


def require_neural(metric: str) -> None:
    """Fail early, before any work is done, when ``metric`` cannot run here."""
    import importlib.util

    if metric not in _PACKAGES:
        raise ConfigError(f"unknown neural metric {metric!r}; choose {', '.join(NEURAL_METRICS)}")
    module, package = _PACKAGES[metric]
    if importlib.util.find_spec(module) is None:
        raise ConfigError(f"{metric} needs the {package} package: pip install 'mtcheck[neural]'")


def neural_scores(metric: str, alignments: Sequence[Alignment], french: str, model: str | None = None) -> list[NeuralScore]:
    """Score every rendering of every found reference with ``metric``.

    ``comet`` runs a COMET quality-estimation model on (English original → French rendering),
    so it judges the published French directly; ``bertscore`` compares the back-translation
    with the reference (F1).
    """
    items = [(a.reference, r) for a in alignments for r in a.renderings]
    values = score_texts(metric, [(a.rendered_text(r), french[r.start : r.end], r.back_translation)
                                  for a in alignments for r in a.renderings], model)
    model = model or DEFAULT_MODELS[metric]
    return [NeuralScore(metric, model, ref.id, r.segment_indices, float(v)) for (ref, r), v in zip(items, values)]


DEFAULT_MODELS = {"comet": "Unbabel/wmt22-cometkiwi-da", "bertscore": "roberta-large"}


def score_texts(metric: str, items: Sequence[tuple[str, str, str]], model: str | None = None) -> list[float]:
    """One score per (English reference, French rendering, back-translation)."""
    if metric not in DEFAULT_MODELS:
        raise ConfigError(f"unknown neural metric {metric!r}; choose {', '.join(NEURAL_METRICS)}")
    model = model or DEFAULT_MODELS[metric]
    if metric == "comet":
        try:
            from comet import download_model, load_from_checkpoint
        except ImportError:
            raise ConfigError("COMET needs the unbabel-comet package: pip install 'mtcheck[neural]'") from None
        try:
            scorer = load_from_checkpoint(download_model(model) if "/" in model and not model.endswith(".ckpt") else model)
        except Exception as exc:
            raise ConfigError(f"COMET model {model!r} cannot be loaded ({exc}); pass a local checkpoint") from None
        data = [{"src": reference, "mt": french} for reference, french, _ in items]
        return [float(v) for v in scorer.predict(data, batch_size=16, gpus=0, progress_bar=False).scores] if data else []
    try:
        from bert_score import score
    except ImportError:
        raise ConfigError("BERTScore needs the bert-score package: pip install 'mtcheck[neural]'") from None
    if not items:
        return []
    try:
        _, _, f1 = score([bt for _, _, bt in items], [reference for reference, _, _ in items], model_type=model, lang="en")
    except Exception as exc:
        raise ConfigError(f"BERTScore model {model!r} cannot be loaded ({exc})") from None
    return [float(v) for v in f1]
