"""The batch wing: many articles from folders, tables or datasets, checked resumably into an output folder."""

from .run import BatchOutcome, check_corpus, run_batch, summary_frame

__all__ = ["BatchOutcome", "check_corpus", "run_batch", "summary_frame"]
