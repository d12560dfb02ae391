"""What every detector is: the protocol the Checker calls, and the declarations the registry reads.

A detector declares on its class what it needs (:class:`Need`) and whether it runs by
default; the registry derives the default set from those declarations and the installed
software, and the run signature records each detector's options (:meth:`BaseDetector.options`),
so that two runs that can differ never share a signature.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import StrEnum
from pathlib import PurePath
from typing import Any, ClassVar, Protocol, runtime_checkable

from ..types import DetectionContext, Flag


class Need(StrEnum):
    """Something a detector reads beyond the French text."""

    GRAMMALECTE = "grammalecte"  # installed software: without it the detector cannot be built
    APERTIUM = "apertium"  # installed software: Apertium's fr-es and eng-spa language data
    REFERENCES = "references"  # the English originals of the article
    TOKEN_SCORES = "token-scores"  # the engine's per-token log-probabilities
    REVERSE_ENGINE = "reverse-engine"  # an en→fr engine (the references' own French)
    ROUND_TRIP = "round-trip"  # each back-translation translated into French again
    CACHE = "cache"  # a store for slow analyses, handed over by the Checker


# Needs met by software on the machine; the default set leaves out what they would break.
INSTALLED_NEEDS = frozenset({Need.GRAMMALECTE, Need.APERTIUM})


@runtime_checkable
class Detector(Protocol):
    """Finds awkward or wrong French spans; returns flags with article offsets."""

    name: str
    needs: ClassVar[frozenset[Need]]
    default: ClassVar[bool]

    def detect(self, context: DetectionContext) -> list[Flag]: ...

    def assess(self, context: DetectionContext) -> tuple[list[Flag], float | None]: ...

    def uses(self, need: Need) -> bool: ...

    def options(self) -> Mapping[str, Any]: ...


class BaseDetector:
    """The defaults of the protocol; detectors are dataclasses that derive from it.

    ``needs`` lists what the detector may read, ``default`` whether it runs when no detector
    is named (and what it needs is installed). A detector that keeps slow analyses declares
    :attr:`Need.CACHE` and a ``cache`` field, which the Checker fills with its own store.
    """

    name: str
    needs: ClassVar[frozenset[Need]] = frozenset()
    default: ClassVar[bool] = True

    def detect(self, context: DetectionContext) -> list[Flag]:
        raise NotImplementedError

    def assess(self, context: DetectionContext) -> tuple[list[Flag], float | None]:
        """The flags and, for a detector that estimates one, the article's MQM score."""
        return self.detect(context), None

    def uses(self, need: Need) -> bool:
        """Whether this instance, with its options, reads ``need`` (an option may switch one off)."""
        return need in self.needs

    def options(self) -> dict[str, Any]:
        """The settings that change this detector's flags, as the run signature records them."""
        if not dataclasses.is_dataclass(self):
            return {}
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)
                if f.init and f.name != "cache"}


def _plain(value: Any) -> Any:
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


__all__ = ["BaseDetector", "DetectionContext", "Detector", "INSTALLED_NEEDS", "Need"]


class WordClassDetector(BaseDetector):
    """Base of the detectors that read Grammalecte's dictionary: ``_classes(word)`` gives each
    reading's tags; a ConfigError naming the detector where Grammalecte is missing."""

    needs: ClassVar[frozenset[Need]] = frozenset({Need.GRAMMALECTE})

    def __post_init__(self) -> None:
        from ..lang.grammalecte import require_word_classes

        self._classes = require_word_classes(self.name)
