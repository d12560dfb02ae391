"""Batch scoring: many articles, streamed, resumable, each result written atomically.

The output folder's layout is :mod:`mtcheck.batch.layout`. Every file is written to a
temporary name and renamed, so a batch killed at any point leaves only whole files;
rerunning the same command reuses the stored result of every article whose content and
settings are unchanged, checks the others again and retries the failed ones.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..corpus import ArticleInput, require_english
from ..errors import ConfigError, MtcheckError, WorkerError
from ..files import atomic_write
from ..jsonl import dumps_line
from ..lang.identify import identify
from ..progress import Progress, ProgressMode
from ..report.article import ArticleReport
from .layout import (ARTICLES, DUPLICATE, FAILED, ResultNames, from_other_inputs, output_lock, prepare_output,
                     safe_name)
from .outcome import BatchOutcome
from .sources import ArticleError
from .unchanged import article_identity, stored_identity

if TYPE_CHECKING:
    import pandas

    from ..checker import Checker

@dataclass(frozen=True)
class ArticleOutcome:
    """What became of one article: checked (anew or again, and why), reused, or failed (and why)."""

    status: str  # "checked", "rechecked", "reused" or "failed"
    detail: str = ""


def article_records(report: ArticleReport, position: int, language: str,
                    identity: tuple[str, str] = ("", "")) -> Iterator[dict[str, Any]]:
    """The JSONL records of one checked article, the summary record first."""
    data = report.to_dict()
    yield {
        "content_hash": identity[0], "identity": identity[1],
        "type": "article", "article_id": report.article_id, "position": position, "language": language,
        "characters": len(report.text), "segments": len(report.segments),
        "references": len(report.alignments),
        "references_found": sum(1 for a in report.alignments if a.found),
        "scores": {k: v["score"] for k, v in data["scores"].items()},
        "flag_counts": data["flag_counts"], "mqm_estimate": data["mqm_estimate"],
        "text": report.text, "signature": data["signature"]["string"],
        "detectors": list(report.signature.detectors), "flag_model": report.signature.flag_model,
    }
    for seg in data["segments"]:
        yield {"type": "segment", "article_id": report.article_id, **seg}
    for ref in data["references"]:
        yield {"type": "reference", "article_id": report.article_id, **ref}
    for flag in data["flags"]:
        yield {"type": "flag", "article_id": report.article_id, **flag}


# Articles whose sentences go to the engine together (see Checker.prefetch): enough for full
# batches, few enough that a killed run loses little translation work that the cache lacks.
PREFETCH_ARTICLES = 16


def _windows(items: Iterable[ArticleInput], size: int) -> Iterator[list[ArticleInput]]:
    window: list[ArticleInput] = []
    for item in items:
        window.append(item)
        if len(window) == size:
            yield window
            window = []
    if window:
        yield window


def _stored_result(checker: Checker, article: ArticleInput,
                   output: Path) -> tuple[Path, tuple[str, str], dict[str, Any] | None, bool]:
    """Where ``article``'s result goes, its identity under ``checker``, the identity stored
    there (None: nothing stored), and whether that stored result can be reused as it is."""
    path = output / ARTICLES / f"{safe_name(article.id)}.jsonl"
    identity = article_identity(article, str(checker.signature))
    stored = stored_identity(path)
    return path, identity, stored, stored is not None and stored.get("identity") == identity[1]


def check_one(checker: Checker, article: ArticleInput, output: Path,
              stored_result: tuple[Path, tuple[str, str], dict[str, Any] | None, bool] | None = None) -> ArticleOutcome:
    """Check one article and write its file, unless an identical result is stored already
    (``stored_result``: what :func:`_stored_result` said of it, when the caller asked already)."""
    name = safe_name(article.id)
    path, identity, stored, reusable = stored_result or _stored_result(checker, article, output)
    if reusable:
        return ArticleOutcome("reused")
    why = ""
    if stored is not None:
        why = "settings changed" if stored.get("content_hash") == identity[0] else "content changed"
    try:
        # Languages are checked here, not on reading: a stored result passed these checks, and a
        # rerun that reuses every article never loads the language identifier.
        if article.references:
            require_english(article.references_source or article.id, article.references)
        guess = identify(article.text)
        if not guess.is_french:
            raise MtcheckError(f"not French: the text reads as {guess.language!r} "
                               f"(p={guess.probability:.2f}; French p={guess.french_probability:.3f})")
        report = checker.check(article.text, article.references, article_id=article.id)
    except MtcheckError as exc:
        _fail(output, ArticleError(article.id, str(exc), article.position))
        return ArticleOutcome("failed", str(exc))
    except Exception as exc:  # an engine or detector crash on one article must not end the batch
        reason = f"internal error while checking: {exc.__class__.__name__}: {exc}"
        _fail(output, ArticleError(article.id, reason, article.position))
        return ArticleOutcome("failed", reason)
    lines = "".join(dumps_line(r) for r in article_records(report, article.position, guess.language, identity))
    atomic_write(path, lines)
    (output / FAILED / f"{name}.json").unlink(missing_ok=True)
    return ArticleOutcome("rechecked", why) if why else ArticleOutcome("checked")


def admitted(items: Iterable[ArticleInput | ArticleError], output: Path,
             names: ResultNames) -> Iterator[ArticleInput | None]:
    """Each item of the input as the batch takes it: the article to check, or None for one that
    fails here, its record written (a row that cannot be read, or an article whose result file
    an earlier one has). Both backends read their input through this, so that a row fails the
    same way on each."""
    for item in items:
        if isinstance(item, ArticleError):
            fail_unreadable(output, names, item)
            yield None
        elif (refusal := names.refusal(item.id, item.position)) is not None:
            fail_duplicate(output, item.id, item.position, refusal)
            yield None
        else:
            yield item


def fail_unreadable(output: Path, names: ResultNames, error: ArticleError) -> None:
    """Record why the row at ``error.position`` could not be read. It holds its id like any
    article: a later row with that id is a duplicate, and the failure record is the row's own
    (two rows failing with one id, or a failed row and a later result under its id, had shared
    one ``failed/`` file, and ``errors.jsonl`` lost all but one)."""
    refusal = names.refusal(error.id, error.position)
    if refusal is None:
        _fail(output, error)
    else:
        fail_duplicate(output, error.id, error.position, f"{error.reason}; and {refusal}")


def fail_duplicate(output: Path, article_id: str, position: int, reason: str) -> None:
    """Refuse the article at ``position``, whose result file an earlier article has (``reason``,
    from :meth:`~mtcheck.batch.layout.ResultNames.refusal`)."""
    _fail(output, ArticleError(article_id, reason, position), name=f"{safe_name(article_id)}{DUPLICATE}{position}")


def _fail(output: Path, error: ArticleError, name: str | None = None) -> None:
    """Record why the article failed; ``name``: a failure file of its own (a duplicate id)."""
    record = {"article_id": error.id, "position": error.position, "reason": error.reason}
    atomic_write(output / FAILED / f"{name or safe_name(error.id)}.json", dumps_line(record))
    if name is None:
        # A result stored under this id is of another text or other settings (an unchanged
        # article is reused, never failed): beside the failure, the summary and report would
        # show it as this article's.
        (output / ARTICLES / f"{safe_name(error.id)}.jsonl").unlink(missing_ok=True)


# Worker processes build their own checker once (loading a model is the slow part).
_worker_checker: Checker | None = None
# Why this worker has no checker: told with its first window, since a worker whose initializer
# raises dies, and the parent would learn only that "a process terminated abruptly".
_worker_failure: str | None = None


def _init_worker(pickled_factory: bytes) -> None:
    global _worker_checker, _worker_failure  # noqa: PLW0603 - one checker per worker process, by design
    try:
        # Unpickled here rather than by multiprocessing, so that a factory the fresh process
        # cannot import (defined in a notebook) is reported, not a dead worker.
        _worker_checker = pickle.loads(pickled_factory)()
    except Exception as exc:  # reported with the first window, in the parent
        _worker_failure = failure_text(exc)
        if isinstance(exc, AttributeError) and "__main__" in str(exc):
            _worker_failure += (" (each worker starts afresh: the checker's factory must come from a module it can "
                                "import, not from a notebook cell or an interactive session)")


def _work(window: list[ArticleInput], output: Path) -> tuple[str, list[ArticleOutcome]]:
    if _worker_checker is None:
        raise cannot_build(str(_worker_failure))
    return str(_worker_checker.signature), check_window(_worker_checker, window, output)


def _pickled_factory(make_checker: Callable[[], Checker]) -> bytes:
    try:
        return pickle.dumps(make_checker)
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        raise ConfigError(f"with jobs > 1 the checker's factory goes to fresh worker processes, so it must be "
                          f"picklable: a function of an importable module, or a functools.partial of one "
                          f"({exc})") from None


def check_window(checker: Checker, window: Sequence[ArticleInput], output: Path) -> list[ArticleOutcome]:
    """Check a window of articles: their new sentences go to the engine in one call first."""
    stored = [_stored_result(checker, article, output) for article in window]
    checker.prefetch(_texts_to_check(window, stored))
    return [check_one(checker, article, output, result) for article, result in zip(window, stored)]


def check_windows(checker: Checker, windows: Iterable[Sequence[ArticleInput]], output: Path) -> Iterator[ArticleOutcome]:
    """Check window after window, translating the next window's sentences while this one's
    articles are checked.

    The engine spends its time in native code that lets go of Python's lock (CTranslate2,
    torch, Apertium's processes), the checks in Python: side by side they overlap, where one
    after the other the detectors wait for the engine and the engine for the detectors. The
    outcomes are those of :func:`check_window` on each window in turn.
    """
    ahead = ThreadPoolExecutor(1, thread_name_prefix="mtcheck-translate-ahead")
    previous: tuple[Sequence[ArticleInput], list, Future] | None = None
    try:
        for window in windows:
            stored = [_stored_result(checker, article, output) for article in window]
            translating = ahead.submit(checker.prefetch, _texts_to_check(window, stored))
            if previous is not None:
                yield from _check_prefetched(checker, *previous, output)
            previous = (window, stored, translating)
        if previous is not None:
            yield from _check_prefetched(checker, *previous, output)
    finally:
        # Stopped early (an error, Ctrl-C): the windows not started are dropped and the error
        # goes on now; the process still waits, on exit, for the window being translated (a
        # thread stopped inside the engine's native code could abort the process instead).
        ahead.shutdown(wait=False, cancel_futures=True)


def _check_prefetched(checker: Checker, window: Sequence[ArticleInput], stored: list, translating: Future,
                      output: Path) -> Iterator[ArticleOutcome]:
    translating.result()  # the engine's error, if any, is raised here, as check_window would
    for article, result in zip(window, stored):
        yield check_one(checker, article, output, result)


def _texts_to_check(window: Sequence[ArticleInput], stored: Sequence[tuple]) -> list[str]:
    return [article.text for article, result in zip(window, stored) if not result[3]]


def run_batch(
    articles: Iterable[ArticleInput | ArticleError],
    make_checker: Callable[[], Checker],
    output: str | Path,
    *,
    jobs: int = 1,
    progress: Progress | ProgressMode | str | bool = True,
    total: int | None = None,
) -> BatchOutcome:
    """Check every article whose stored result is missing or stale, writing results under ``output``.

    ``make_checker`` builds the checker (in each worker process when ``jobs`` > 1, so it
    must be picklable: a function of an importable module, not of a notebook cell, or a
    ``functools.partial`` of one, such as ``functools.partial(Checker.from_config,
    engine="apertium")``). Workers start afresh, never forked from this process (see
    :func:`_worker_context`); a worker that cannot build its checker, or that dies, ends the
    run with a :class:`~mtcheck.errors.WorkerError` saying so, the results written before kept.
    """
    output = Path(output)
    with output_lock(output):
        prepare_output(output)
        return _run_locked(articles, make_checker, output, jobs, Progress.of(progress), total)


def _run_locked(articles: Iterable[ArticleInput | ArticleError], make_checker: Callable[[], Checker],
                output: Path, jobs: int, progress: Progress, total: int | None) -> BatchOutcome:
    checked = skipped = failed = 0
    rechecked: dict[str, int] = {}
    names = ResultNames(output)
    signature: str | None = None

    def record(outcome: ArticleOutcome) -> None:
        nonlocal checked, skipped, failed
        if outcome.status == "reused":
            skipped += 1
        elif outcome.status == "failed":
            failed += 1
        else:
            checked += 1
            if outcome.status == "rechecked":
                rechecked[outcome.detail] = rechecked.get(outcome.detail, 0) + 1
        advance(1)

    def pending() -> Iterator[ArticleInput]:
        nonlocal failed
        for item in admitted(articles, output, names):
            if item is None:
                failed += 1
                advance(1)
            else:
                yield item

    with progress.stage(f"checking articles into {output}", total, "article") as advance:
        if jobs <= 1:
            checker = make_checker()
            signature = str(checker.signature)
            for outcome in check_windows(checker, _windows(pending(), PREFETCH_ARTICLES), output):
                record(outcome)
        else:
            # Smaller windows than with one worker: each worker gets its share sooner, and the
            # last windows leave the others idle for less time.
            try:
                with ProcessPoolExecutor(jobs, mp_context=_worker_context(), initializer=_init_worker,
                                         initargs=(_pickled_factory(make_checker),)) as pool:
                    running: set[Future] = set()
                    for window in _windows(pending(), max(1, PREFETCH_ARTICLES // 4)):
                        if len(running) >= 2 * jobs:  # a bounded window keeps memory flat
                            finished, running = wait(running, return_when=FIRST_COMPLETED)
                            for future in finished:
                                signature, outcomes = future.result()
                                for outcome in outcomes:
                                    record(outcome)
                        running.add(pool.submit(_work, window, output))
                    for future in running:
                        signature, outcomes = future.result()
                        for outcome in outcomes:
                            record(outcome)
            except BrokenProcessPool as exc:
                raise worker_died(checked + skipped + failed) from exc
    return BatchOutcome(output, checked, skipped, failed, rechecked, signature,
                        from_other_inputs(output, names.given()))


def _worker_context() -> multiprocessing.context.BaseContext:
    """Worker processes started afresh, never forked from this one: a process that has run a
    torch model (a notebook that checked an article first) leaves its thread pools' locks held
    in a forked child, which then hangs at its first translation, silently and for ever."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def failure_text(exc: Exception) -> str:
    """An exception as one line for the user: mtcheck's own say what to do; others get their type."""
    return str(exc) if isinstance(exc, MtcheckError) else f"{type(exc).__name__}: {exc}"


def cannot_build(failure: str) -> WorkerError:
    """What to tell when a worker process could not build its checker (``failure``, one line)."""
    return WorkerError(f"a worker process could not build its checker: {failure}")


def worker_died(finished: int) -> WorkerError:
    """What to tell when a worker process died mid-batch: the results written so far are kept."""
    return WorkerError(f"a worker process died while checking (killed by the system, most often for lack of "
                       f"memory: try fewer --jobs); the {finished} articles finished before are kept, and "
                       "running the same command again goes on from there")


def check_corpus(
    source: str | Path | Iterable[ArticleInput | ArticleError],
    output: str | Path,
    make_checker: Callable[[], Checker] | None = None,
    *,
    columns: Any = None,
    split: str | None = None,
    jobs: int = 1,
    progress: Progress | ProgressMode | str | bool = True,
    report: bool = True,
) -> BatchOutcome:
    """Check a corpus (a folder, table file, dataset, or articles already read) into ``output``.

    Resumable like ``mtcheck batch``; ``summary_frame(output)`` gives the results as a DataFrame.
    """
    from ..checker import Checker
    from .report import write_batch_report
    from .sources import Columns, iter_articles

    articles = iter_articles(source, columns or Columns(), split) if isinstance(source, (str, Path)) else source
    outcome = run_batch(articles, make_checker or Checker, output, jobs=jobs, progress=progress)
    if report:
        write_batch_report(output)
    return outcome


def summary_frame(output: str | Path) -> "pandas.DataFrame":
    """The batch's summary table (one row per checked article) as a pandas DataFrame."""
    from .report import summary_rows, summary_table

    return summary_table(summary_rows(output)).to_pandas()
