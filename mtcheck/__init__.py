"""mtcheck: finds what a machine translation got wrong in a French news article.

Segments the article, back-translates each sentence to English, aligns the
back-translations with the English originals the article quotes, scores them with
sacrebleu and flags the French spans that look mistranslated.
"""

from .version import __version__
from .batch.run import check_corpus, summary_frame  # noqa: E402
from .checker import Checker, check, check_article  # noqa: E402
from .batch.hf_datasets import score_dataset  # noqa: E402
from .corpus import ArticleInput, read_article, read_references  # noqa: E402
from .engines import EngineSpec, load_engine  # noqa: E402
from .errors import ConfigError, EngineError, InputError, MtcheckError  # noqa: E402
from .report import ArticleReport, RunSignature  # noqa: E402
from .resources import ResourceError, sample_folder  # noqa: E402
from .segment import segment  # noqa: E402
from .types import (  # noqa: E402
    Alignment,
    BackTranslation,
    Category,
    Flag,
    Reference,
    Rendering,
    Segment,
    Severity,
    Translation,
)

__all__ = [
    "__version__", "Checker", "check", "check_article", "sample_folder", "ResourceError", "check_corpus", "summary_frame", "score_dataset", "ArticleInput", "read_article", "read_references",
    "EngineSpec", "load_engine", "MtcheckError", "InputError", "EngineError", "ConfigError",
    "ArticleReport", "RunSignature", "segment", "Alignment", "BackTranslation", "Category", "Flag",
    "Reference", "Rendering", "Segment", "Severity", "Translation",
]
