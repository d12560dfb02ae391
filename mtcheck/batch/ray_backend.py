"""Batch scoring on Ray: the same pipeline, one loaded engine per actor.

A pool of Ray actors (``ray.util.ActorPool``), each holding one :class:`~mtcheck.Checker`
(GPU actors when ``gpus_per_worker`` > 0), starts while the driver reads the input with the
local backend's own readers (the same ids, texts and references; the same failure, with file
and line, for a row or folder that cannot be read) and cuts it into batches; each actor takes
batch after batch as it finishes the last, and writes each article's result with the local
backend's own atomic writer, into the same layout. The output folder must therefore be
visible to every worker: local disk on one machine, a shared filesystem (NFS, a mounted
bucket) on a cluster. Results are identical to the local backend's because each article goes
through exactly the same code. The driver holds the input's text while the run lasts (a
table's reader, Arrow, did so before: batches are cut by the work they hold, which needs
every article's length).

Plain actors rather than Ray Data's ``map_batches``: on 2 cores, Ray Data's streaming
executor and its own actors took the CPU that a second worker needs (two workers checked 120
articles 1.37–1.66× as fast as one through it, 1.88–2.09× as plain actors on the same machine).
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..corpus import ArticleInput
from ..errors import ConfigError, InputError
from .layout import ResultNames, from_other_inputs, output_lock, prepare_output
from .outcome import BatchOutcome
from .run import _windows, admitted, cannot_build, check_window, check_windows, failure_text, worker_died
from .sources import TABLE_SUFFIXES, ArticleError, Columns, iter_articles

if TYPE_CHECKING:
    from ..checker import Checker


class _CheckActor:
    """A Ray actor: builds its checker once, then checks batches of articles.

    ``overlap``: translate one part of a batch while checking the part before, which keeps
    two cores busy; an actor holding one CPU or less runs the stages in turn instead, since
    Ray schedules other actors on the CPUs it does not hold.
    """

    def __init__(self, make_checker: Callable[[], Checker], output: str, overlap: bool = True) -> None:
        self.output = Path(output)
        self.overlap = overlap
        # Why this actor has no checker (a model that does not load): told with its first batch,
        # since an actor whose __init__ raises reaches the driver as "the actor died".
        self.failure: str | None = None
        try:
            self.checker = make_checker()
            self.signature = str(self.checker.signature)
        except Exception as exc:  # reported with the first batch, in the driver
            self.failure = failure_text(exc)

    def check(self, batch: list[ArticleInput]) -> dict[str, Any]:
        """Check one batch of articles: each one's outcome ("checked", "rechecked" or "reused",
        or "failed") and why, and the run signature; or, from an actor without a checker, why."""
        if self.failure is not None:
            return {"failure": self.failure}
        if self.overlap:
            # As the local backend does, the engine translates one part of the batch while the
            # actor checks the part before it: four parts, each still a multi-article engine call.
            outcomes = list(check_windows(self.checker, _windows(batch, max(1, -(-len(batch) // 4))), self.output))
        else:
            outcomes = check_window(self.checker, batch, self.output)
        return {"status": [o.status for o in outcomes], "detail": [o.detail for o in outcomes],
                "signature": self.signature}


def _read_input(items: Iterable[ArticleInput | ArticleError],
                output: Path) -> tuple[list[ArticleInput], int, set[str]]:
    """The articles to check, from :func:`~mtcheck.batch.sources.iter_articles` (the local
    backend's own readers, so that every row gets the same id, text and references, and every
    bad row or folder the same failure, as there). What cannot be read, and an id an earlier
    article has, fails here as the local backend fails it (written under ``output``). Returns
    the articles, how many failed, and the file names of every article of the input."""
    names = ResultNames(output)
    # Duplicates are refused here, before any actor starts: actors run in parallel, and two
    # articles with one result file would race for it.
    taken = list(admitted(items, output, names))
    articles = [item for item in taken if item is not None]
    return articles, len(taken) - len(articles), names.given()


def batch_bounds(sizes: Sequence[int], workers: int, batch_size: int | None = None) -> list[tuple[int, int]]:
    """Where each batch starts and ends, in the order the pool hands them out, for articles of
    these ``sizes`` (characters): ``batch_size`` articles each when given.

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


# Ray's logger for the notice it gives, on every run, that a cluster ray.init() starts has
# token authentication on: right for mtcheck's own cluster, which lives for one run.
_TOKEN_NOTICE_LOGGER = "ray._private.authentication.authentication_token_setup"
_TOKEN_NOTICE = "Token authentication is enabled for this Ray cluster"


@contextmanager
def _own_cluster_notice_silenced(own_cluster: bool) -> Iterator[None]:
    """Leave out Ray's token-authentication notice while ray.init() starts mtcheck's own
    cluster (a user's own cluster, or its warnings that something is wrong, still speak)."""
    def not_the_notice(record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(_TOKEN_NOTICE)

    ray_logger = logging.getLogger(_TOKEN_NOTICE_LOGGER)
    if own_cluster:
        ray_logger.addFilter(not_the_notice)
    try:
        yield
    finally:
        ray_logger.removeFilter(not_the_notice)


def _check_source(source: Path) -> None:
    """Refuse, before any Ray process starts, an input the ray backend cannot read at all."""
    if not source.exists():
        raise InputError(source, "does not exist")
    if not source.is_dir() and source.suffix.lower() not in TABLE_SUFFIXES:
        raise InputError(source, "the ray backend reads a folder of article folders or a .parquet/.jsonl/.csv file")


def _batches(articles: Sequence[ArticleInput], workers: int, batch_size: int | None) -> list[list[ArticleInput]]:
    """``articles`` cut into batches as :func:`batch_bounds` cuts them, by characters of French."""
    sizes = [len(article.text) for article in articles]
    return [list(articles[start:end]) for start, end in batch_bounds(sizes, workers, batch_size)]


def _largest_node_if_short(nodes: Sequence[Mapping[str, Any]], cpus: float, gpus: float
                           ) -> tuple[float, float] | None:
    """The most CPUs and GPUs one live node of ``nodes`` (``ray.nodes()``) has, when none has
    ``cpus`` CPUs and ``gpus`` GPUs for one worker; None when one has."""
    alive = [node.get("Resources", {}) for node in nodes if node.get("Alive")]
    if any(r.get("CPU", 0) >= cpus and r.get("GPU", 0) >= gpus for r in alive):
        return None
    return max((r.get("CPU", 0) for r in alive), default=0), max((r.get("GPU", 0) for r in alive), default=0)


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
    from ray.exceptions import RayActorError
    from ray.util import ActorPool

    source = Path(source)
    _check_source(source)
    output = Path(output).resolve()
    with output_lock(output):
        prepare_output(output)
        own_cluster = not ray.is_initialized() and not (address or os.environ.get("RAY_ADDRESS"))
        # Starting a cluster for this run takes seconds: an input that cannot be read fails
        # before that. On a running cluster the actors start (a process each, its imports, its
        # engine) while this process reads and cuts the input, and an input that cannot be read
        # lets them go.
        articles = iter_articles(source, columns)  # refuses an unreadable table before it reads a row
        read = _read_input(articles, output) if own_cluster else None
        if not ray.is_initialized():
            # A cluster started for this run alone has no dashboard: its processes would share
            # the machine's cores with the checks (start one with `ray start --head` to watch).
            own = {"include_dashboard": False} if own_cluster else {}
            with _own_cluster_notice_silenced(own_cluster):
                ray.init(address=address, ignore_reinit_error=True, log_to_driver=False,
                         logging_level=logging.WARNING if quiet else logging.INFO, **own)
        largest = _largest_node_if_short(ray.nodes(), cpus_per_worker, gpus_per_worker)
        if largest is not None:
            # Ray would keep such workers pending without a word: the run would never start.
            short = (f"no node of the Ray cluster has {cpus_per_worker:g} CPUs and {gpus_per_worker:g} GPUs for one "
                     f"worker (the largest has {largest[0]:g} CPUs and {largest[1]:g} GPUs)")
            if own_cluster:
                raise ConfigError(f"{short}: give --cpus-per-worker and --gpus-per-worker at most that")
            warnings.warn(f"{short}; the workers wait until such a node joins (an autoscaler may add one)",
                          stacklevel=2)
        # Every article goes to an actor: check_one reuses a stored result only when the
        # article's content and the run's settings are unchanged, which an id alone cannot tell.
        # An actor of more than one CPU overlaps its engine with its checks (one core each);
        # one of a single CPU that did would take a core Ray gives to another actor.
        actor = ray.remote(num_cpus=cpus_per_worker, num_gpus=gpus_per_worker)(_CheckActor)
        wanted = workers if read is None else min(workers, max(1, len(read[0])))
        actors = [actor.remote(make_checker, str(output), cpus_per_worker > 1) for _ in range(wanted)]
        counts = {"checked": 0, "rechecked": 0, "reused": 0, "failed": 0}
        rechecked: dict[str, int] = {}
        signature = None
        try:
            to_check, counts["failed"], given = read if read is not None else _read_input(articles, output)
            batches = _batches(to_check, workers, batch_size)
            while len(actors) > max(1, len(batches)):  # fewer batches than workers
                ray.kill(actors.pop())
            try:
                for result in ActorPool(actors).map_unordered(lambda a, batch: a.check.remote(batch), batches):
                    if "failure" in result:
                        raise cannot_build(result["failure"])
                    signature = result["signature"]
                    for status, detail in zip(result["status"], result["detail"]):
                        counts[status] += 1
                        if status == "rechecked":
                            rechecked[detail] = rechecked.get(detail, 0) + 1
            except RayActorError as exc:
                raise worker_died(sum(counts.values())) from exc
        finally:
            for running in actors:  # their engines' memory goes now, not when the driver exits
                ray.kill(running)
    return BatchOutcome(output, counts["checked"] + counts["rechecked"], counts["reused"], counts["failed"], rechecked,
                        signature, from_other_inputs(output, given))
