"""Scoring a Hugging Face ``datasets.Dataset`` in place: one row per article, new columns added."""

from __future__ import annotations

import json
from typing import Any

from ..checker import Checker
from .sources import Columns, parse_references


def score_dataset(dataset: Any, checker: Checker | None = None, columns: Columns = Columns()) -> Any:
    """``dataset`` with score and flag columns added (``datasets.Dataset.map``, so cached and resumable).

    New columns: ``mtcheck_bleu``, ``mtcheck_chrf``, ``mtcheck_ter`` (None without references),
    ``mtcheck_mqm_estimate``, ``mtcheck_critical/major/minor`` (flag counts) and ``mtcheck_flags``
    (the flags as a JSON list).
    """
    checker = checker or Checker()

    def score(row: dict[str, Any], index: int) -> dict[str, Any]:
        article_id = str(row.get(columns.id) or f"row-{index + 1}")
        references = parse_references(row.get(columns.references), f"row {index + 1}")
        report = checker.check(row[columns.text], references, article_id=article_id)
        data = report.to_dict()
        return {
            **{f"mtcheck_{m}": data["scores"].get(m, {}).get("score") for m in ("bleu", "chrf", "ter")},
            "mtcheck_mqm_estimate": data["mqm_estimate"],
            **{f"mtcheck_{k}": v for k, v in data["flag_counts"].items()},
            "mtcheck_flags": json.dumps(data["flags"], ensure_ascii=False),
        }

    # The checker holds a loaded model: fingerprinting it for the map cache would hash the model.
    return dataset.map(score, with_indices=True, new_fingerprint=None, load_from_cache_file=False)
