"""mtcheck: finds what a machine translation got wrong in a French news article.

Segments the article, back-translates each sentence to English, aligns the
back-translations with the English originals the article quotes, scores them with
sacrebleu and flags the French spans that look mistranslated.

The names below are imported on first use (PEP 562): ``import mtcheck`` and a command that
only segments do not pay for sacrebleu, numpy and the detectors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy_names import lazy_names
from .version import __version__

# Public name → the module that defines it.
_EXPORTS = {
    "check_corpus": "batch.run", "summary_frame": "batch.run",
    "Checker": "checker", "check": "checker", "check_article": "checker",
    "score_dataset": "batch.hf_datasets",
    "ArticleInput": "corpus", "read_article": "corpus", "read_references": "corpus",
    "EngineSpec": "engines", "load_engine": "engines",
    "ConfigError": "errors", "EngineError": "errors", "InputError": "errors", "MtcheckError": "errors",
    "ArticleReport": "report", "RunSignature": "report",
    "ResourceError": "resources", "sample_folder": "resources",
    "segment": "segment",
    **{name: "types" for name in ("Alignment", "BackTranslation", "Category", "Flag", "Reference", "Rendering",
                                  "Segment", "Severity", "Translation")},
}

__all__ = ["__version__", *_EXPORTS]


__getattr__ = lazy_names(__name__, _EXPORTS, globals())


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # what type checkers and IDEs see
    from .batch.hf_datasets import score_dataset
    from .batch.run import check_corpus, summary_frame
    from .checker import Checker, check, check_article
    from .corpus import ArticleInput, read_article, read_references
    from .engines import EngineSpec, load_engine
    from .errors import ConfigError, EngineError, InputError, MtcheckError
    from .report import ArticleReport, RunSignature
    from .resources import ResourceError, sample_folder
    from .segment import segment
    from .types import (Alignment, BackTranslation, Category, Flag, Reference, Rendering, Segment, Severity,
                        Translation)
