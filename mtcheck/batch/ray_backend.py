"""Batch scoring on Ray: the same pipeline, one loaded engine per actor.

A pool of Ray actors, each holding one :class:`~mtcheck.Checker` (GPU actors when
``gpus_per_worker`` > 0), starts while the driver reads the input with the local backend's own
readers (the same ids, texts and references; the same failure, with file and line, for a row or
folder that cannot be read); each actor takes batch after batch as it finishes the last (each
cut when it is asked for, by :class:`~mtcheck.batch.schedule.BatchPlanner`), and writes each
article's result with the local backend's own atomic writer, into the same layout. The output
folder must therefore be visible to every worker: local disk on one machine, a shared
filesystem (NFS, a mounted bucket) on a cluster. Results are identical to the local backend's
because each article goes through exactly the same code. The driver holds the input's text
while the run lasts (a table's reader, Arrow, did so before: batches are cut by the work they
hold, which needs every article's length).

Plain actors rather than Ray Data's ``map_batches``: on 2 cores, Ray Data's streaming
executor and its own actors took the CPU that a second worker needs (two workers checked 120
articles 1.37–1.66× as fast as one through it, 1.88–2.09× as plain actors on the same machine).
"""

from __future__ import annotations

import logging
import os
import time
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
from .schedule import BatchPlanner
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


def _pooled(actors: list[Any], planner: BatchPlanner, articles: Sequence[ArticleInput]) -> Iterator[dict[str, Any]]:
    """Each actor's result batch by batch, as they come: a free actor gets the next batch the
    planner cuts, at once. An actor left without a batch from the start goes (its engine's
    memory with it); the others are the caller's to end."""
    import ray

    free = list(range(len(actors)))
    running: dict[Any, int] = {}

    def hand_out() -> None:
        while free and (bounds := planner.take(free[-1], time.monotonic())) is not None:
            worker = free.pop()
            running[actors[worker].check.remote(list(articles[bounds[0]:bounds[1]]))] = worker

    hand_out()
    for worker in free:  # fewer batches than workers
        ray.kill(actors[worker])
    free.clear()
    while running:
        (done,), _ = ray.wait(list(running), num_returns=1)
        worker = running.pop(done)
        result = ray.get(done)
        planner.finished(worker, time.monotonic())
        free.append(worker)
        hand_out()  # before the caller reads the result: the worker is not kept waiting
        yield result


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
            planner = BatchPlanner([len(article.text) for article in to_check], len(actors), batch_size)
            try:
                for result in _pooled(actors, planner, to_check):
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
