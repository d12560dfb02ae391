"""The batch wing: many articles from folders, tables or datasets, checked resumably into an output folder.

The names below are imported on first use (PEP 562), as ``mtcheck``'s are: a rerun that finds
every article unchanged reads its output folder without importing the pipeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_names import lazy_names

# Public name → the module that defines it.
_EXPORTS = {"BatchOutcome": "outcome", "check_corpus": "run", "run_batch": "run", "summary_frame": "run"}
__all__ = list(_EXPORTS)


__getattr__ = lazy_names(__name__, _EXPORTS, globals())


if TYPE_CHECKING:  # what type checkers and IDEs see
    from .outcome import BatchOutcome
    from .run import check_corpus, run_batch, summary_frame
