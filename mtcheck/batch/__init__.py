"""The batch wing: many articles from folders, tables or datasets, checked resumably into an output folder.

The names below are imported on first use (PEP 562), as ``mtcheck``'s are: a rerun that finds
every article unchanged reads its output folder without importing the pipeline.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Public name → the module that defines it.
_EXPORTS = {"BatchOutcome": "outcome", "check_corpus": "run", "run_batch": "run", "summary_frame": "run"}
__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mtcheck.batch' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # once found, an ordinary attribute
    return value


if TYPE_CHECKING:  # what type checkers and IDEs see
    from .outcome import BatchOutcome
    from .run import check_corpus, run_batch, summary_frame
