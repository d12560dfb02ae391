"""A batch rerun that changes nothing, told without building the checker.

Whether an article's stored result still holds depends on the run signature, which the
checker gives: building it imports the pipeline, the detectors and sacrebleu, and reads the
detection model, which took half of a rerun whose every article was unchanged. So each run
leaves in the output folder the signature its settings gave, under the key that
:func:`mtcheck.reuse.settings_state` makes of those settings, the files they name and what
is installed (read from sizes and times, as ``mtcheck check`` keys its kept outputs). A rerun
with the same key reads the signature from there, and when every article of the source has a
stored result under it, the run is done: nothing is checked, nothing written.

Anything short of that (an article edited, added or failed before, a duplicate id, another
key) runs the batch as always, whose checker decides afresh; the remembered signature only
ever lets a run end early with the outcome the full run would have had.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..corpus import ArticleInput
from ..files import atomic_write
from .layout import ARTICLES, from_other_inputs, output_lock, prepare_output, safe_name
from .outcome import BatchOutcome
from .sources import ArticleError

MEMO = ".run-signatures.json"
# Settings a folder was run with lately: enough to switch between a few and back.
REMEMBERED_AT_MOST = 8


def settings_key(settings: Mapping[str, Any]) -> str:
    """The key of a batch's ``settings`` (the checker's options as the command line resolved them)."""
    from ..reuse import settings_state

    record = json.dumps(settings_state(settings), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(record.encode("utf-8")).hexdigest()


def remembered_signature(output: Path, key: str) -> str | None:
    """The run signature that settings with ``key`` gave in ``output``, or None."""
    signature = _memo(output).get(key)
    return signature if isinstance(signature, str) else None


def remember_signature(output: Path, key: str, signature: str) -> None:
    """Keep ``signature`` as what settings with ``key`` give (the most recent first)."""
    memo = {key: signature, **{k: v for k, v in _memo(output).items() if k != key}}
    atomic_write(output / MEMO, json.dumps(dict(list(memo.items())[:REMEMBERED_AT_MOST]), indent=1))


def unchanged_outcome(articles: Iterable[ArticleInput | ArticleError], output: Path, key: str) -> BatchOutcome | None:
    """The outcome of a rerun in which every article is unchanged under the signature that
    settings with ``key`` gave in ``output``; None when the batch must run."""
    signature = remembered_signature(output, key) if output.is_dir() else None
    if signature is None:
        return None
    with output_lock(output):  # as a run would: a batch writing this folder now is refused
        prepare_output(output)
        reused = all_unchanged(articles, output, signature)
    if reused is None:
        return None
    return BatchOutcome(output, 0, len(reused), 0, from_other_inputs=from_other_inputs(output, reused))


def all_unchanged(articles: Iterable[ArticleInput | ArticleError], output: Path, signature: str) -> set[str] | None:
    """The result file names of ``articles`` when every one has a stored result in ``output``
    under ``signature``; None as soon as one has not (or is unreadable, or repeats an id)."""
    seen: set[str] = set()
    for article in articles:
        if isinstance(article, ArticleError) or article.id in seen:
            return None
        seen.add(article.id)
        stored = stored_identity(output / ARTICLES / f"{safe_name(article.id)}.jsonl")
        if stored is None or stored.get("identity") != article_identity(article, signature)[1]:
            return None
    return {safe_name(article_id) for article_id in seen}


def article_identity(article: ArticleInput, signature: str) -> tuple[str, str]:
    """Hashes of the article's content (text and references) and of content plus run settings.

    A stored result is reused only when the second matches: an edited article or a run with
    other detectors, thresholds, engine or severity floor is checked again.
    """
    content = json.dumps([article.text, [[r.id, r.text, r.source, r.speaker] for r in article.references]],
                         ensure_ascii=False)
    content_hash = hashlib.sha256(content.encode("utf-8")).hexdigest()
    return content_hash, hashlib.sha256(f"{content_hash}|{signature}".encode("utf-8")).hexdigest()


def stored_identity(path: Path) -> dict[str, Any] | None:
    """The identity record at the head of a stored result, or None (none there, or unreadable)."""
    try:
        with path.open(encoding="utf-8") as handle:
            record = json.loads(handle.readline())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _memo(output: Path) -> dict[str, Any]:
    try:
        memo = json.loads((output / MEMO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or damaged: the run decides afresh and writes it again
    return memo if isinstance(memo, dict) else {}
