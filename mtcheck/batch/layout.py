"""The layout of a batch's output folder, and reading what a run left there.

    articles/<name>.jsonl   one file per checked article: an "article" record (scores, flag
                            counts), then its segments, references and flags
    failed/<name>.json      one file per article that could not be checked, with the reason
    summary.csv / .parquet  one row per article (written at the end, from the files above)
    errors.jsonl            the failed articles (idem)
    report.html             a self-contained report, worst articles first
    pages/<name>.html       every article's own page (its flags listed, its sentences), linked from the report
    .run-signatures.json    the run signature each recent set of settings gave (see mtcheck.batch.unchanged)
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import MtcheckError

ARTICLES, FAILED, PAGES = "articles", "failed", "pages"
DUPLICATE = ".dup-"  # failed/<id>.dup-<position>.json: an article refused for an id an earlier one has
LOCK = ".mtcheck-batch.lock"


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(article_id: str) -> str:
    """A file name for an article id: readable, and distinct for distinct ids."""
    name = _UNSAFE.sub("_", article_id).strip("._")[:80] or "article"
    if name != article_id:
        name += "-" + hashlib.sha1(article_id.encode("utf-8")).hexdigest()[:8]
    return name


class ResultNames:
    """The result files this run has given out, so that no two articles share one: not the same
    id twice, nor, where the output folder's filesystem folds case (macOS's and Windows' by
    default), two ids that differ only in case, whose files would silently be one."""

    def __init__(self, output: Path) -> None:
        self._folds_case = folds_case(output / ARTICLES)
        self._taken: dict[str, tuple[str, int]] = {}

    def refusal(self, article_id: str, position: int) -> str | None:
        """Why the article at ``position`` cannot have a result file of its own; None when it
        can, and then the file is its."""
        key = safe_name(article_id).casefold() if self._folds_case else article_id
        if key not in self._taken:
            self._taken[key] = (article_id, position)
            return None
        first_id, first_position = self._taken[key]
        if first_id == article_id:
            return (f"duplicate id {article_id!r} (the article at position {first_position} has it): "
                    "give each article its own id")
        return (f"id {article_id!r} differs from {first_id!r} (the article at position {first_position}) only in "
                "case, and this filesystem does not tell such file names apart: give each article an id that "
                "differs in more than case")

    def given(self) -> set[str]:
        """The file names (without suffix) this run's articles have, checked or failed."""
        return {safe_name(article_id) for article_id, _ in self._taken.values()}


def from_other_inputs(output: Path, names: set[str]) -> int:
    """How many articles ``output`` holds a result or a failure record of that are not among
    ``names`` (this run's): left by a run of another input into the same folder, and still in
    its summary, report and errors."""
    results = {p.stem for p in (output / ARTICLES).glob("*.jsonl")}
    failures = {p.stem.split(DUPLICATE)[0] for p in (output / FAILED).glob("*.json")}
    return len((results | failures) - names)


def folds_case(folder: Path) -> bool:
    """Whether ``folder`` (which must exist) is on a filesystem where ``A`` and ``a`` name one file."""
    handle, name = tempfile.mkstemp(prefix=".case-probe-", dir=folder)
    os.close(handle)
    try:
        probe = Path(name)
        return (probe.parent / probe.name.upper()).exists()
    finally:
        os.unlink(name)


def read_summaries(output: str | Path) -> list[dict[str, Any]]:
    """The "article" record of every checked article, in input order."""
    rows = []
    for path in (Path(output) / ARTICLES).glob("*.jsonl"):
        with path.open(encoding="utf-8") as handle:
            rows.append(json.loads(handle.readline()))
    return sorted(rows, key=lambda r: (r["position"], r["article_id"]))


def read_errors(output: str | Path) -> list[dict[str, Any]]:
    rows = [json.loads(p.read_text(encoding="utf-8")) for p in (Path(output) / FAILED).glob("*.json")]
    return sorted(rows, key=lambda r: (r["position"], r["article_id"]))


def read_article_records(output: str | Path, article_id: str) -> list[dict[str, Any]]:
    path = Path(output) / ARTICLES / f"{safe_name(article_id)}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Hold the output folder for one batch: a second one refuses at once instead of doing the work twice.

    An OS lock (flock), so a batch that was killed never leaves the folder locked.
    """
    output.mkdir(parents=True, exist_ok=True)
    with open(output / LOCK, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise MtcheckError(f"{output}: another mtcheck batch (pid {holder}) is writing here; wait for it "
                               "to finish or choose another --output") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def prepare_output(output: Path) -> None:
    """Create the layout and remove the temporary files a killed run left."""
    (output / ARTICLES).mkdir(parents=True, exist_ok=True)
    for stale in output.glob("*/.*.tmp"):  # left by a run killed mid-write; never a finished result
        stale.unlink(missing_ok=True)
    for duplicate in (output / FAILED).glob(f"*{DUPLICATE}*.json"):  # this run says again which ids repeat
        duplicate.unlink(missing_ok=True)
