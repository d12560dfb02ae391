"""Detectors, registered by name."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..errors import ConfigError
from .base import DetectionContext, Detector
from .reference_divergence import ReferenceDivergence

REGISTRY: dict[str, Callable[[], Detector]] = {
    "reference-divergence": ReferenceDivergence,
}
DEFAULT_DETECTORS = tuple(REGISTRY)


def build_detectors(names: Sequence[str] | None = None) -> list[Detector]:
    """Instantiate the detectors named (all registered ones by default)."""
    names = list(names) if names else list(DEFAULT_DETECTORS)
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        raise ConfigError(f"unknown detector(s) {', '.join(unknown)}; available: {', '.join(REGISTRY)}")
    return [REGISTRY[n]() for n in names]


__all__ = ["DetectionContext", "Detector", "REGISTRY", "DEFAULT_DETECTORS", "build_detectors"]
