"""Batch scoring on Ray: the same pipeline, one loaded engine per actor.

A pool of Ray actors (``ray.util.ActorPool``), each holding one :class:`~mtcheck.Checker`
(GPU actors when ``gpus_per_worker`` > 0), starts while the driver reads the input (a table
with Arrow, each row numbered with its place in the input; one row per article folder
otherwise) and cuts it into batches; each actor takes batch after batch as it finishes the
last, and writes each article's result with the local backend's own atomic writer, into the
same layout. The output folder must therefore be visible to every worker: local disk on one
machine, a shared filesystem (NFS, a mounted bucket) on a cluster. Results are identical to
the local backend's because each article goes through exactly the same code.

Plain actors rather than Ray Data's ``map_batches``: on 2 cores, Ray Data's streaming
executor and its own actors took the CPU that a second worker needs (two workers checked 120
articles 1.37–1.66× as fast as one through it, 1.88–2.09× as plain actors on the same machine).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..corpus import ARTICLE_NAME, ArticleInput, read_article
from ..errors import InputError, MtcheckError
from .layout import output_lock, prepare_output
from .outcome import BatchOutcome
from .run import _fail, _windows, check_window, check_windows, fail_duplicate
from .sources import ArticleError, Columns, _row_article, row_id

if TYPE_CHECKING:
    from ..checker import Checker


class _CheckActor:
    """A Ray actor: builds its checker once, then checks batches of articles.

    ``overlap``: translate one part of a batch while checking the part before, which keeps
    two cores busy; an actor holding one CPU or less runs the stages in turn instead, since
    Ray schedules other actors on the CPUs it does not hold.
    """

    def __init__(self, make_checker: Callable[[], Checker], output: str, columns: Columns,
                 overlap: bool = True) -> None:
        self.checker = make_checker()
        self.signature = str(self.checker.signature)
        self.output = Path(output)
        self.columns = columns
        self.overlap = overlap

    def check(self, batch: dict[str, Any]) -> dict[str, Any]:
        """Check one batch (column → values, as :func:`_batches` cuts them): each row's id,
        outcome ("checked", "rechecked", "reused" or "failed") and why, and the run signature."""
        ids, outcomes, details = [], [], []
        # The position of the earlier row with the same id, for rows the driver refused.
        duplicate_of = batch.pop(_DUPLICATE_OF, None) or [None] * len(batch["__position"])
        keys = list(batch)
        rows = [{k: batch[k][i] for k in keys} for i in range(len(batch[keys[0]]))]
        articles = [None if earlier is not None else self._article(dict(r)) for r, earlier in zip(rows, duplicate_of)]
        valid = [a for a in articles if isinstance(a, ArticleInput)]
        if self.overlap:
            # As the local backend does, the engine translates one part of the batch while the
            # actor checks the part before it: four parts, each still a multi-article engine call.
            checked = iter(list(check_windows(self.checker, _windows(valid, max(1, -(-len(valid) // 4))), self.output)))
        else:
            checked = iter(check_window(self.checker, valid, self.output))
        for row, article, earlier in zip(rows, articles, duplicate_of):
            position = int(row["__position"])
            if earlier is not None:
                article_id = _row_id(row, self.columns, position)
                ids.append(article_id)
                outcomes.append("failed")
                details.append(fail_duplicate(self.output, article_id, position, earlier))
                continue
            if isinstance(article, ArticleError):
                _fail(self.output, article)
                ids.append(article.id)
                outcomes.append("failed")
                details.append(article.reason)
                continue
            outcome = next(checked)
            ids.append(article.id)
            outcomes.append(outcome.status)
            details.append(outcome.detail)
        return {"article_id": ids, "status": outcomes, "detail": details, "signature": self.signature}

    def _article(self, row: dict[str, Any]):  # noqa: ANN202 - ArticleInput | ArticleError
        position = int(row.pop("__position"))
        if "__folder" in row:
            folder = Path(row["__folder"])
            try:
                return replace(read_article(folder, check_language=False), position=position)
            except MtcheckError as exc:
                return ArticleError(folder.name, str(exc), position)
        return _row_article(row, self.columns, position, f"row {position + 1}")


def _row_id(row: Mapping[str, Any], columns: Columns, position: int) -> str:
    """The id the local backend's readers give this row (a folder's name for folders)."""
    if "__folder" in row:
        return Path(row["__folder"]).name
    return row_id(row, columns, position)


def _duplicates(ids: Sequence[Any], columns: Columns) -> dict[int, int]:
    """Rows whose id an earlier row has, and that row's position (``ids``: the id column's
    values in input order, as Python values): actors run in parallel, so two rows with one id would race for
    one result file."""
    first: dict[str, int] = {}
    refused: dict[int, int] = {}
    for position, value in enumerate(ids):
        article_id = row_id({columns.id: value}, columns, position)
        if article_id in first:
            refused[position] = first[article_id]
        else:
            first[article_id] = position
    return refused


def batch_bounds(sizes: Sequence[int], workers: int, batch_size: int | None = None) -> list[tuple[int, int]]:
    """Where each batch starts and ends, in the order the pool hands them out, for rows of these
    ``sizes`` (characters of a table's text, bytes of a folder's article file): ``batch_size``
    rows each when given.

    Otherwise one worker takes up to 64 articles a batch. Several workers take batches that
    shrink as the input runs out (guided scheduling, as OpenMP's): each holds about a third of
    the size left per worker, at most 64 rows and at least 2. Early batches keep each engine
    call large; the last ones are small enough, in work rather than rows (article lengths vary
    tenfold), that no worker waits long for another to finish. Not smaller: ending on one short
    article a batch, longest articles first, made two workers take 1.12× as long (six
    back-to-back pairs), since a CTranslate2 call of 8 sentences costs 1.10–1.24× per sentence
    what one of 64–128 does. Two rows can still hold a long article, so the batches go out
    largest first (the longest-processing-time rule, over batches rather than articles): the
    last one handed out is the smallest, and each batch's rows, so its engine calls, are those
    of input order. A worker that overlaps its engine with its checks translates one quarter
    of its batch while it checks the one before, and that pipeline drains at the end of every
    batch (with batches of at most 16, one worker took 1.23× the local backend's time on 120
    articles; 1.10–1.15× with 64)."""
    sizes = [max(1, size) for size in sizes]  # an empty article still costs its row
    rows = len(sizes)
    least = max(1, min(2, rows // max(1, workers)))
    left = sum(sizes)
    guided = workers > 1 and not batch_size
    bounds, start = [], 0
    while start < rows:
        if not guided:
            end = min(rows, start + (batch_size or 64))
        else:
            share, end = left / (3 * workers), start
            taken = 0
            while end < rows and end - start < 64 and (end - start < least or taken + sizes[end] / 2 <= share):
                taken += sizes[end]
                end += 1
        bounds.append((start, end))
        left -= sum(sizes[start:end])
        start = end
    if guided:
        bounds.sort(key=lambda bound: -sum(sizes[bound[0]:bound[1]]))
    return bounds


_READERS = {".parquet": "parquet", ".jsonl": "json", ".csv": "csv"}
# A batch's column: for each row, the position of an earlier row with its id, else None.
_DUPLICATE_OF = "__duplicate_of"


def _check_source(source: Path) -> None:
    """Refuse, before any Ray process starts, an input the ray backend cannot read at all."""
    if not source.exists():
        raise InputError(source, "does not exist")
    if not source.is_dir() and source.suffix.lower() not in _READERS:
        raise InputError(source, "the ray backend reads a folder of article folders or a .parquet/.jsonl/.csv file")


def _batches(source: Path, columns: Columns, workers: int, batch_size: int | None) -> list[dict[str, list]]:
    """The input (which :func:`_check_source` has let through) cut into batches (column →
    values, as :func:`batch_bounds` cuts them), a table's rows refused as duplicates
    (:func:`_duplicates`) marked in the batch's ``__duplicate_of`` (none among folders, whose
    names are unique)."""
    import pyarrow as pa

    if source.is_dir():
        folders = sorted(p for p in source.iterdir() if p.is_dir() and not p.name.startswith("."))
        if not folders:
            raise InputError(source, "holds no article folders")
        sizes = [_size(folder / ARTICLE_NAME) for folder in folders]
        return [{"__folder": [str(f) for f in folders[start:end]], "__position": list(range(start, end))}
                for start, end in batch_bounds(sizes, workers, batch_size)]
    # Each row carries its place in the input (the local backend's "position") as a column.
    table = _arrow_table(source, _READERS[source.suffix.lower()])
    table = table.append_column("__position", pa.array(range(table.num_rows), type=pa.int64()))
    if columns.references in table.column_names:
        # Lists of references arrive as Arrow lists; the row reader takes them as JSON text.
        where = table.column_names.index(columns.references)
        as_json = [v if isinstance(v, str) or v is None else json.dumps(v)
                   for v in table.column(where).to_pylist()]
        table = table.set_column(where, columns.references, pa.array(as_json, type=pa.string()))
    ids = table.column(columns.id).to_pylist() if columns.id in table.column_names else [None] * table.num_rows
    sizes = ([len(text) if isinstance(text, str) else 0 for text in table.column(columns.text).to_pylist()]
             if columns.text in table.column_names else [1] * table.num_rows)
    duplicates = _duplicates(ids, columns)
    batches = []
    for start, end in batch_bounds(sizes, workers, batch_size):
        batch = table.slice(start, end - start).to_pydict()
        if any(position in duplicates for position in range(start, end)):
            batch[_DUPLICATE_OF] = [duplicates.get(position) for position in range(start, end)]
        batches.append(batch)
    return batches


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # the actor reports what is wrong with the folder
        return 0


def _arrow_table(source: Path, kind: str):  # noqa: ANN202 - pyarrow.Table
    import pyarrow as pa
    import pyarrow.csv
    import pyarrow.json
    import pyarrow.parquet

    try:
        if kind == "parquet":
            return pyarrow.parquet.read_table(source)
        if kind == "json":
            return pyarrow.json.read_json(source)
        return pyarrow.csv.read_csv(source)
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(source, f"cannot be read as {kind}: {exc}") from None


def run_batch_ray(
    source: str | Path,
    make_checker: Callable[[], Checker],
    output: str | Path,
    *,
    columns: Columns = Columns(),
    workers: int = 2,
    gpus_per_worker: float = 0,
    cpus_per_worker: float = 1,
    batch_size: int | None = None,
    address: str | None = None,
    quiet: bool = False,
) -> BatchOutcome:
    """Check ``source`` on the Ray cluster at ``address`` (None: the one this process is
    connected to, else a local one); see the module docstring. ``quiet``: none of Ray's own
    progress reports and INFO lines on stderr (its warnings and errors still show)."""
    import ray
    from ray.util import ActorPool

    source = Path(source)
    _check_source(source)
    output = Path(output).resolve()
    with output_lock(output):
        prepare_output(output)
        own_cluster = not ray.is_initialized() and not (address or os.environ.get("RAY_ADDRESS"))
        # Starting a cluster for this run takes seconds: a table that cannot be read fails
        # before that. On a running cluster the actors start (a process each, its imports, its
        # engine) while this process reads and cuts the input (0.5 s for 120 articles in a
        # table, most of it importing pyarrow), and a table that cannot be read lets them go.
        batches = _batches(source, columns, workers, batch_size) if own_cluster else None
        if not ray.is_initialized():
            # A cluster started for this run alone has no dashboard: its processes would share
            # the machine's cores with the checks (start one with `ray start --head` to watch).
            own = {"include_dashboard": False} if own_cluster else {}
            ray.init(address=address, ignore_reinit_error=True, log_to_driver=False,
                     logging_level=logging.WARNING if quiet else logging.INFO, **own)
        # Every row goes to an actor: check_one reuses a stored result only when the article's
        # content and the run's settings are unchanged, which an id alone cannot tell.
        # An actor of more than one CPU overlaps its engine with its checks (one core each);
        # one of a single CPU that did would take a core Ray gives to another actor.
        actor = ray.remote(num_cpus=cpus_per_worker, num_gpus=gpus_per_worker)(_CheckActor)
        wanted = workers if batches is None else min(workers, len(batches))
        actors = [actor.remote(make_checker, str(output), columns, cpus_per_worker > 1) for _ in range(max(1, wanted))]
        counts = {"checked": 0, "rechecked": 0, "reused": 0, "failed": 0}
        rechecked: dict[str, int] = {}
        signature = None
        try:
            if batches is None:
                batches = _batches(source, columns, workers, batch_size)
            while len(actors) > max(1, len(batches)):  # fewer batches than workers
                ray.kill(actors.pop())
            for result in ActorPool(actors).map_unordered(lambda a, batch: a.check.remote(batch), batches):
                signature = result["signature"]
                for status, detail in zip(result["status"], result["detail"]):
                    counts[status] += 1
                    if status == "rechecked":
                        rechecked[detail] = rechecked.get(detail, 0) + 1
        finally:
            for running in actors:  # their engines' memory goes now, not when the driver exits
                ray.kill(running)
    return BatchOutcome(output, counts["checked"] + counts["rechecked"], counts["reused"], counts["failed"], rechecked,
                        signature)
