"""Detectors, registered by name."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

from ..errors import ConfigError
from .agreement import AgreementDetector
from .bare_infinitive import BareInfinitiveDetector
from .causative_infinitive import CausativeInfinitiveDetector
from .base import INSTALLED_NEEDS, BaseDetector, DetectionContext, Detector, Need
from .confidence import ConfidenceDetector
from .english_order import EnglishOrderDetector
from .euphony import EuphonyDetector
from .grammar import GrammarDetector
from .lexicon import LexiconDetector
from .names import NameInflectionDetector
from .numbers import NumberDetector
from .place_preposition import PlacePrepositionDetector
from .pronoun_number import PronounNumberDetector
from .reference_divergence import ReferenceDivergence
from .repeated_quote import RepeatedQuoteDetector
from .residue import ResidueDetector
from .speaker_gender import SpeakerGenderDetector
from .tense import TenseDetector
from .spelling import SpellingDetector
from .truncation import TruncationDetector
from .untranslated import UntranslatedDetector

# One line per detector, in the order they run (and in which merged flags name them).
DETECTORS: tuple[type[Detector], ...] = (
    ReferenceDivergence,
    LexiconDetector,
    NumberDetector,
    NameInflectionDetector,
    RepeatedQuoteDetector,
    TruncationDetector,
    ResidueDetector,
    UntranslatedDetector,
    ConfidenceDetector,
    GrammarDetector,
    EnglishOrderDetector,
    SpellingDetector,
    AgreementDetector,
    BareInfinitiveDetector,
    CausativeInfinitiveDetector,
    SpeakerGenderDetector,
    EuphonyDetector,
    PlacePrepositionDetector,
    PronounNumberDetector,
    TenseDetector,
)
REGISTRY: dict[str, type[Detector]] = {d.name: d for d in DETECTORS}
# Why some are not default, measured with benchmarks/flags.py (Apertium; sample and WMT20 QE
# en-fr dev data): the round trip of ``confidence`` flags BAD words at the base rate on the
# sample (precision 0.17) and lowers MCC on both sets, and its probability signal is
# unmeasured on a real model.
# The detectors' flags are evidence for the detection model (mtcheck.qe.combiner), which
# decides which of them, and which other words, the report flags.
# The detectors that need Grammalecte (grammar 1.00 sample / 0.56 dev precision, english-order
# 0.80–0.85 dev, spelling 1.00 / 0.61, agreement 1.00 / 0.64, bare-infinitive,
# causative-infinitive, speaker-gender, euphony, place-preposition) or Apertium's taggers
# (pronoun-number; tense 0.50 sample, 0.62 dev documents 1–300) join the default set wherever
# that software is installed.


def missing_software(needs: frozenset[Need]) -> list[str]:
    """What of the installed software in ``needs`` this machine lacks."""
    from ..engines.apertium import apertium_problem
    from ..lang.grammalecte import grammalecte_module

    missing = []
    if Need.GRAMMALECTE in needs and grammalecte_module() is None:
        missing.append("Grammalecte")
    if Need.APERTIUM in needs and apertium_problem(("fr-es", "eng-spa")) is not None:
        missing.append("Apertium (fr-es, eng-spa)")
    return missing


def default_detectors() -> tuple[str, ...]:
    """The detectors a run uses when none are named: every default one whose software is installed."""
    return tuple(d.name for d in DETECTORS if d.default and not missing_software(d.needs & INSTALLED_NEEDS))


# The default set without the optional software, for documentation and tests.
DEFAULT_DETECTORS = tuple(d.name for d in DETECTORS if d.default and not d.needs & INSTALLED_NEEDS)


def build_detectors(names: Sequence[str] | None = None,
                    options: Mapping[str, Mapping[str, Any]] | None = None) -> list[Detector]:
    """Instantiate the detectors named (the default set when none), each with its options."""
    names = list(names) if names else list(default_detectors())
    options = options or {}
    unknown = [n for n in list(names) + list(options) if n not in REGISTRY]
    if unknown:
        raise ConfigError(f"unknown detector(s) {', '.join(unknown)}; available: {', '.join(REGISTRY)}")
    for name, settings in options.items():
        if problem := option_problem(name, settings):
            raise ConfigError(problem[1])
    detectors = []
    for name in names:
        try:
            detectors.append(REGISTRY[name](**options.get(name, {})))
        except TypeError as exc:
            raise ConfigError(f"detector {name}: {exc}") from None
    return detectors


def option_problem(name: str, settings: Mapping[str, Any]) -> tuple[str, str] | None:
    """The first setting the detector does not have, or of the wrong type, and a message naming
    it, what it expects and what it got (``min_similarity = "abc"``); None when all are right."""
    cls = REGISTRY[name]
    if not dataclasses.is_dataclass(cls):
        return None
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init and f.name != "cache"}
    hints = typing.get_type_hints(cls)
    for key, value in settings.items():
        if key not in fields:
            return key, f"[detector.{name}] has no setting {key!r}; its settings: {', '.join(fields) or 'none'}"
        expected = _expected(value, hints.get(key, Any))
        if expected:
            return key, f"[detector.{name}] {key} must be {expected}, not {value!r}"
    return None


def _expected(value: Any, hint: Any) -> str | None:
    """What ``hint`` expects, when ``value`` is not that; None when it is (or the hint is not checked)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        wants = [_expected(value, h) for h in typing.get_args(hint) if h is not type(None)]
        if value is None and type(None) in typing.get_args(hint):
            return None
        return None if None in wants else " or ".join(w for w in wants if w)
    if origin in (list, tuple, Sequence):
        if not isinstance(value, (list, tuple)):
            return "a list"
        item = (typing.get_args(hint) or (Any,))[0]
        problems = [_expected(v, item) for v in value]
        return next((f"a list of which each is {p}" for p in problems if p), None)
    if hint is bool:
        return None if isinstance(value, bool) else "true or false"
    if hint is int:
        return None if isinstance(value, int) and not isinstance(value, bool) else "a whole number"
    if hint is float:
        return None if isinstance(value, (int, float)) and not isinstance(value, bool) else "a number"
    if hint is str:
        return None if isinstance(value, str) else "a string (in quotes)"
    if isinstance(hint, type) and issubclass(hint, PurePath):
        return None if isinstance(value, (str, PurePath)) else "a file path (a string)"
    return None


__all__ = ["BaseDetector", "DetectionContext", "Detector", "Need", "DETECTORS", "REGISTRY", "DEFAULT_DETECTORS", "default_detectors", "build_detectors",
           "option_problem"]
