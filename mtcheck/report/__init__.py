"""Reports: one article's results and their renderings (table, JSON, JSONL)."""

from .article import ArticleReport, RunSignature

__all__ = ["ArticleReport", "RunSignature"]
