"""An engine that loads its model only when a sentence needs translating.

A rerun whose every sentence is in the translation cache, or whose every article has a stored
result, never needs the model; loading it (torch, the weights, a CTranslate2 conversion) would
be most of such a run's time. The cache is keyed by the engine's signature, so the signature
must be known first: engines that can tell it from their files alone say so with
``signature_without_loading``, and the loaded engine must then have exactly that signature.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..errors import EngineError
from ..types import Translation
from .base import Engine


@dataclass
class LazyEngine:
    """Stands for an engine with a known ``signature``; ``load`` builds it on first need."""

    name: str
    signature: str  # type: ignore[assignment]  # a plain attribute satisfies the protocol's property
    load: Callable[[], Engine] = field(repr=False)
    _engine: Engine | None = field(default=None, init=False, repr=False)

    @property
    def loaded(self) -> bool:
        return self._engine is not None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            engine = self.load()
            if engine.signature != self.signature:
                raise EngineError(f"the {self.name} engine loaded as [{engine.signature}], not the "
                                  f"[{self.signature}] its files announced; the model changed while mtcheck ran?")
            self._engine = engine
        return self._engine

    def translate(self, texts: Sequence[str]) -> list[Translation]:
        return self.engine.translate(texts) if texts else []
