"""The ``mtcheck`` command. Argument handling only: every subcommand calls the public API."""

from __future__ import annotations

import functools
import json
import os
import shutil
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .corpus import read_article, read_article_text
from .detector_names import DETECTOR_NAMES
from .engine_names import ENGINE_NAMES
from .errors import InputError, MtcheckError
from .files import atomic_write, unwritable_reason
from .jsonl import dumps_line
from .progress import ProgressMode
from .resources import sample_folder
from .segment import FrenchSegmenter, guess_format
from .types import Severity

if TYPE_CHECKING:
    from .checker import Checker
    from .corpus import ArticleInput
    from .engines.cache import TranslationCache
    from .reuse import KeptOutput

def _debugging() -> bool:
    """--debug on the command line, or MTCHECK_DEBUG in the environment (for batch workers and CI)."""
    context = click.get_current_context(silent=True)
    root = context.find_root() if context else None
    return bool(os.environ.get("MTCHECK_DEBUG")) or bool(root and root.params.get("debug"))


def _user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """One line on stderr instead of a traceback: exit 2 for the user's or the machine's errors
    (exit 1 is the regression gate's "quality dropped"), 3 for a bug in mtcheck, 130 for Ctrl-C."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if _debugging():
                raise
            code, line = _error_line(exc)
            click.echo(f"mtcheck: {line}", err=True)
            sys.exit(code)
        except KeyboardInterrupt:
            click.echo("mtcheck: interrupted; finished results are kept (a batch rerun resumes)", err=True)
            sys.exit(130)

    return wrapper


def _error_line(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, MtcheckError):
        return 2, f"error: {exc}"
    if isinstance(exc, OSError):  # the disk's or the user's: a missing folder, no permission, a full disk
        where = f"{exc.filename}: " if exc.filename else ""
        return 2, f"error: {where}{exc.strerror or exc} (check the path and free space; --debug shows the traceback)"
    if isinstance(exc, MemoryError):
        return 2, "error: out of memory (check smaller articles, or fewer --jobs)"
    return 3, (f"internal error: {exc.__class__.__name__}: {exc}. This is a bug in mtcheck: "
               "please report it with the traceback that --debug prints")


def _require_writable(*paths: str | None) -> None:
    """Refuse an output that cannot be written before the work that would fill it, not after."""
    for path in paths:
        if path and (reason := unwritable_reason(Path(path))):
            raise InputError(path, reason)


def _one_line_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                      file: Any = None, line: str | None = None) -> None:
    """Python warnings (a cache set aside, a library's notice) as one "mtcheck: warning:" line."""
    click.echo(f"mtcheck: warning: {message}", err=True)


class _OneLineErrors(click.Group):
    """Usage errors (a missing argument, a bad choice) as one line, like every other error."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("standalone_mode", True):
            return super().main(*args, **kwargs)
        try:
            return super().main(*args, **{**kwargs, "standalone_mode": False})
        except click.exceptions.Abort:
            click.echo("mtcheck: interrupted", err=True)
            sys.exit(130)
        except click.ClickException as exc:
            hint = ""
            if isinstance(exc, click.UsageError):
                names, ctx = [], exc.ctx
                while ctx is not None and ctx.parent is not None:
                    names.insert(0, ctx.info_name or "")
                    ctx = ctx.parent
                hint = f" ({' '.join(['mtcheck', *names])} --help lists the options)"
            click.echo(f"mtcheck: error: {exc.format_message()}{hint}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mtcheck")
@click.option("--debug", is_flag=True, help="Show the traceback of an error (also: MTCHECK_DEBUG=1).")
def main(debug: bool) -> None:
    """Find what a machine translation got wrong in a French news article."""
    # The command line prints its own one-line engine message; transformers' per-load
    # progress bars would only add noise to stderr. Through the environment, which
    # huggingface_hub reads when it is first imported: importing transformers here to say so
    # would cost every command, `segment` included, 0.6 s.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if "transformers" in sys.modules:
        sys.modules["transformers"].utils.logging.disable_progress_bar()
    if not debug and not os.environ.get("MTCHECK_DEBUG"):
        warnings.showwarning = _one_line_warning  # this process is the command's own


def _write(text: str, output: str | None) -> None:
    if output:
        atomic_write(Path(output), text)
    else:
        click.echo(text, nl=not text.endswith("\n"))


def _checker_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The engine, detector and scoring options shared by ``check`` and ``batch``."""
    options = [
        click.option("--engine", type=click.Choice(ENGINE_NAMES), default="auto", show_default=True,
                     help="Back-translation engine; auto tries hf (local cache, then the hub), then apertium."),
        click.option("--model", help="Model id or local folder for hf/ct2 (default Helsinki-NLP/opus-mt-fr-en)."),
        click.option("--beam-size", type=click.IntRange(min=1), help="Beam width of hf/ct2 decoding [default: 4]."),
        click.option("--device", help="cpu, cuda or auto [default: auto]."),
        click.option("--max-length", type=click.IntRange(min=1),
                     help="Most output tokens per sentence (hf/ct2) [default: 256]."),
        click.option("--batch-tokens", type=click.IntRange(min=1),
                     help="Source tokens per decoding batch (hf/ct2) [default: the engine's]."),
        click.option("--threads", type=click.IntRange(min=0),
                     help="CPU threads of the hf/ct2 engine (0: all cores) [default: 0]."),
        click.option("--config", "config_path", type=click.Path(dir_okay=False),
                     help="TOML file choosing detectors, their thresholds and lexicons (see README)."),
        click.option("--detectors", help=f"Comma-separated detectors (available: {', '.join(DETECTOR_NAMES)})."),
        click.option("--lexicon", "lexicons", multiple=True, type=click.Path(dir_okay=False),
                     help="Extra calque/false-friend lexicon (YAML); repeatable."),
        click.option("--flag-model", help="Detection model deciding the flags from every detector's evidence: "
                                          "bundled (default), none (the detectors' flags as they are) or a "
                                          "model file from scripts/train_combiner.py."),
        click.option("--min-severity", type=click.Choice([s.value for s in Severity]),
                     help="Drop flags below this severity (default minor, or the config's)."),
        click.option("--cache", "cache_path", type=click.Path(dir_okay=False),
                     help="Translation cache file (default: $MTCHECK_CACHE or ~/.cache/mtcheck, "
                          "translations.sqlite)."),
        click.option("--no-cache", is_flag=True, help="Translate everything, read and write no cache."),
        click.option("--neural", type=click.Choice(["comet", "bertscore"]),
                     help="Also score pairs with a neural metric (needs mtcheck[neural] and the model)."),
        click.option("--neural-model", help="Model for --neural (hub id or local checkpoint)."),
        click.option("--quiet", "-q", is_flag=True, help="No engine message, no progress bar."),
        click.option("--input-format", type=click.Choice(["auto", "text", "markdown", "html"]), default="auto",
                     show_default=True, help="How to read articles; auto goes by the file name."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _build_checker(*, engine: str, model: str | None, beam_size: int | None, device: str | None,
                   max_length: int | None, batch_tokens: int | None, threads: int | None, config_path: str | None,
                   detectors: str | None, lexicons: tuple[str, ...], min_severity: str | None, flag_model: str | None,
                   cache_path: str | None, no_cache: bool, neural: str | None, neural_model: str | None,
                   quiet: bool, input_format: str = "text", progress: ProgressMode | None = None) -> Checker:
    from .checker import Checker

    checker = Checker.from_config(
        config_path, engine=engine, model=model, beam_size=beam_size, device=device, max_length=max_length,
        batch_tokens=batch_tokens, threads=threads,
        detectors=detectors.split(",") if detectors else None, lexicons=lexicons, min_severity=min_severity,
        flag_model=flag_model, cache=False if no_cache else (cache_path or True), input_format=input_format, neural_metric=neural,
        neural_model=neural_model,
        progress=ProgressMode.for_stream(sys.stderr, quiet) if progress is None else progress)
    if not quiet:
        click.echo(f"mtcheck: {checker.engine_message}", err=True)
    return checker


@main.command()
@click.argument("article", required=False)
@click.option("--refs", "refs", help="English references (JSONL, TSV or one quote a line).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl"]), default="table", show_default=True)
@click.option("--output", "-o", help="Write the report here instead of standard output.")
@_checker_options
@_user_errors
def check(article: str | None, refs: str | None, fmt: str, output: str | None, input_format: str,
          **options: Any) -> None:
    """Check ARTICLE (a text file or an article folder); with none, the bundled sample.

    Checking an unchanged article again with the same settings prints the kept output at once
    (see mtcheck.reuse); --no-cache checks it anew.
    """
    _require_writable(output)
    source = read_article(article or sample_folder(), references=refs, check_language=False)
    if input_format == "auto":
        input_format = guess_format(str(source.path or ""))
    width, colour = (140, False) if output else (shutil.get_terminal_size((140, 20)).columns, _colour())
    kept = None
    if not options["no_cache"] and not options["neural"]:  # a neural metric's model is not in the key
        from .reuse import CheckOutputs

        kept = CheckOutputs.beside(options["cache_path"])
        key = kept.key(source, {**{k: v for k, v in options.items() if k not in ("quiet", "cache_path")},
                                "input_format": input_format, "format": fmt,
                                "width": width if fmt == "table" else None, "colour": colour and fmt == "table"})
        if (stored := kept.get(key)) is not None:
            for line in stored.stderr_lines(options["quiet"]):
                click.echo(line, err=True)
            _write(stored.stdout, output)
            return
    result = _check_now(source, input_format, fmt, width, colour, options)
    if kept is not None:
        kept.put(key, result)
    _write(result.stdout, output)


def _check_now(source: ArticleInput, input_format: str, fmt: str, width: int, colour: bool,
               options: dict[str, Any]) -> KeptOutput:
    """Check ``source`` with the whole pipeline: its output, and its stderr lines as they were said."""
    from .corpus import require_english
    from .lang.identify import identify
    from .reuse import KeptOutput

    said: list[tuple[bool, str]] = []

    def say(line: str, hidden_when_quiet: bool = False) -> None:
        said.append((hidden_when_quiet, line))
        if not (hidden_when_quiet and options["quiet"]):
            click.echo(line, err=True)

    if source.references:
        require_english(source.references_source or source.id, source.references)
    guess = identify(source.text)
    where = str(source.path or source.id)
    if not guess.is_french:  # batch refuses such articles; a single check goes on, but says so
        say(f"mtcheck: warning: {where} does not read as French "
            f"(reads as {guess.language!r}, p={guess.probability:.2f}); its flags mean little")
    checker = _build_checker(input_format=input_format, **{**options, "quiet": True},
                             progress=ProgressMode.for_stream(sys.stderr, options["quiet"]))
    say(f"mtcheck: {checker.engine_message}", hidden_when_quiet=True)
    report = checker.check(source.text, source.references, article_id=source.id)
    for message in report.warnings:
        say(f"mtcheck: warning: {where}: {message}")
    if fmt == "json":
        text = report.to_json() + "\n"
    elif fmt == "jsonl":
        text = "".join(dumps_line(r) for r in report.jsonl_records())
    else:
        text = report.to_table(width=width, color=colour)
    return KeptOutput(stdout=text, stderr=tuple(said))


def _colour() -> bool:
    """Colours on a terminal, never with NO_COLOR set (https://no-color.org) or TERM=dumb."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _checker_factory(**options: Any) -> Checker:
    """Module-level so that ``functools.partial`` of it pickles into batch worker processes."""
    return _build_checker(**options)


@main.command()
@click.argument("source")
@click.option("--output", "-o", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--jobs", "-j", type=int, default=1, show_default=True,
              help="Worker processes (Ray actors with --backend ray).")
@click.option("--id-column", default="id", show_default=True, help="Article id column (tables, datasets).")
@click.option("--text-column", default="text", show_default=True, help="French text column.")
@click.option("--refs-column", default="references", show_default=True,
              help="References column: a list of strings or of {text, id, ...} objects, or that list as JSON.")
@click.option("--split", help="Dataset split (datasets with several splits).")
@click.option("--detailed", type=int, default=50, show_default=True,
              help="How many of the worst articles the HTML report shows in full.")
@click.option("--backend", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="ray: run on Ray Data (pip install \"mtcheck[ray]\"), one engine per actor.")
@click.option("--gpus-per-worker", type=float, default=0, show_default=True, help="GPUs per Ray actor.")
@click.option("--cpus-per-worker", type=float, default=1, show_default=True,
              help="CPUs per Ray actor; below 1 when the actors would take every CPU (Ray Data needs some).")
@click.option("--address",
              help="Ray cluster to run on: host:port of its head, or 'auto' [default: $RAY_ADDRESS, "
                   "else a Ray instance started on this machine].")
@_checker_options
@_user_errors
def batch(source: str, output: str, jobs: int, id_column: str, text_column: str, refs_column: str,
          split: str | None, detailed: int, backend: str, gpus_per_worker: float, cpus_per_worker: float,
          address: str | None, **options: Any) -> None:
    """Check every article of SOURCE into OUTPUT (resumable: a rerun reuses unchanged articles).

    SOURCE is a folder of article folders (article.fr.txt [+ references.en.jsonl]), a JSONL,
    CSV or Parquet file, a dataset saved with save_to_disk, or a Hugging Face dataset name.
    """
    from .batch.report import write_batch_report
    from .batch.run import run_batch
    from .batch.sources import Columns, count_articles, iter_articles

    options["input_format"] = "text" if options["input_format"] == "auto" else options["input_format"]
    if address and backend != "ray":
        raise click.UsageError("--address is the Ray cluster to run on: give it with --backend ray")
    if options.get("threads") is None and (backend == "ray" or jobs > 1):
        # Each worker's engine would otherwise take every core of the machine for itself.
        share = cpus_per_worker if backend == "ray" else (os.cpu_count() or 1) / jobs
        options["threads"] = max(1, int(share))
    articles = iter_articles(source, Columns(id_column, text_column, refs_column), split)
    quiet = options["quiet"]
    factory = functools.partial(_checker_factory, **{**options, "progress": ProgressMode.OFF})
    if backend == "ray":
        try:
            from .batch.ray_backend import run_batch_ray
        except ImportError:
            raise click.UsageError('--backend ray needs Ray: pip install "mtcheck[ray]"') from None
        outcome = run_batch_ray(source, factory, output, columns=Columns(id_column, text_column, refs_column),
                                workers=jobs, gpus_per_worker=gpus_per_worker, cpus_per_worker=cpus_per_worker,
                                address=address, quiet=quiet)
    else:
        outcome = run_batch(articles, factory, output, jobs=jobs, progress=ProgressMode.for_stream(sys.stderr, quiet),
                            total=count_articles(source))
    write_batch_report(output, title=f"mtcheck: {Path(source).name}", detailed=detailed)
    if not quiet:
        again = sum(outcome.rechecked.values())
        why = f" ({again} checked again: " + ", ".join(f"{n} {k}" for k, n in sorted(outcome.rechecked.items())) + ")" \
            if again else ""
        click.echo(f"mtcheck: {outcome.checked} checked{why}, {outcome.skipped} unchanged and reused, "
                   f"{outcome.failed} failed -> {Path(output) / 'report.html'}", err=True)


def _in_ci() -> bool:
    """Whether this runs in CI (GitHub Actions, GitLab, most others set ``CI``)."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


@main.command()
@click.argument("corpora", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--baseline", required=True, type=click.Path(dir_okay=False), help="Baseline JSON file.")
@click.option("--update-baseline", is_flag=True, help="Write the current figures as the new baseline.")
@click.option("--junit", type=click.Path(dir_okay=False), help="Write a JUnit XML report here.")
@click.option("--engine", type=click.Choice(ENGINE_NAMES),
              help="Engine for sentences with no stored back-translation (default: stored ones only).")
@click.option("--model", help="Model for --engine hf/ct2.")
@click.option("--update-cache", is_flag=True, help="Add new back-translations to each corpus's stored file.")
@click.option("--rebuild-cache", is_flag=True, help="Ignore the stored back-translations; redo them with --engine.")
@click.option("--detectors", help="Comma-separated detectors (default: the baseline's, else the default set).")
@click.option("--flag-model", help="bundled, none or a model file (default: the baseline's; none for a baseline "
                                   "that names no model).")
@click.option("--abs-tol", "abs_tol", multiple=True, metavar="METRIC=VALUE",
              help="Absolute tolerance per metric (chrf, bleu, ter, mqm_estimate; default 1.0 each).")
@click.option("--rel-tol", type=float, default=0.02, show_default=True, help="Relative tolerance (fraction).")
@click.option("--max-new-critical", type=int, default=0, show_default=True,
              help="New critical flags allowed per article.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="TOML run settings (detectors, thresholds, flags to drop), as check --config.")
@click.option("--fail-on-removed/--allow-removed", default=None,
              help="An article of the baseline missing from its corpus fails the gate [default: fail where the "
                   "CI environment variable is set, else a note].")
@_user_errors
def regress(corpora: tuple[str, ...], baseline: str, update_baseline: bool, junit: str | None, engine: str | None,
            model: str | None, update_cache: bool, rebuild_cache: bool, detectors: str | None, flag_model: str | None,
            abs_tol: tuple[str, ...], rel_tol: float, max_new_critical: int, config_path: str | None,
            fail_on_removed: bool | None) -> None:
    """Score sample CORPORA and exit 1 when quality dropped below the baseline's tolerances."""
    _require_writable(junit, baseline if update_baseline else None)
    from .config import load_config
    from .regress.gate import junit_xml, parse_tolerances, run_regression
    from .regress.table import render_changes

    gate = run_regression([Path(c) for c in corpora], Path(baseline),
                          tolerance=parse_tolerances(abs_tol, rel_tol, max_new_critical,
                                                     _in_ci() if fail_on_removed is None else fail_on_removed),
                          engine=engine,
                          model=model, detectors=detectors.split(",") if detectors else None,
                          flag_model=flag_model, update_cache=update_cache, rebuild_cache=rebuild_cache,
                          update_baseline=update_baseline, config=load_config(config_path) if config_path else None)
    click.echo(render_changes(gate.changes, gate.current))
    if junit:
        atomic_write(Path(junit), junit_xml(gate.changes, gate.current))
    if update_baseline:
        click.echo(f"mtcheck: baseline written to {baseline}", err=True)
        return
    if gate.regressions:
        click.echo(f"mtcheck: regression in {len(gate.regressions)} place(s): {', '.join(gate.regressions)}", err=True)
        sys.exit(1)


@main.command()
@click.argument("run_a")
@click.argument("run_b")
@click.option("--samples", type=click.IntRange(min=1), default=1000, show_default=True, help="Bootstrap resamples.")
@click.option("--pair-by", type=click.Choice(["id", "path"]), default="id", show_default=True,
              help="Pair articles by their id, or by the report's path inside each run.")
@click.option("--tolerance", "tolerances", multiple=True, metavar="[METRIC=]POINTS",
              help="A difference whose 95% interval lies within ±POINTS is 'no meaningful difference' "
                   "(default 1; repeat for per-metric values, e.g. --tolerance TER=2).")
@click.option("--neural", type=click.Choice(["comet", "bertscore"]),
              help="Also compare a neural metric (the reports' own scores, or computed: needs mtcheck[neural]).")
@click.option("--neural-model", help="Model for --neural (hub id or local checkpoint).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_user_errors
def compare(run_a: str, run_b: str, samples: int, pair_by: str, tolerances: tuple[str, ...], neural: str | None,
            neural_model: str | None, fmt: str) -> None:
    """Compare two runs (check --format json reports, folders of them, or batch folders): B − A per metric
    with a paired bootstrap 95% interval, and whether the difference matters."""
    from .compare import compare_runs, parse_tolerances

    result = compare_runs(run_a, run_b, samples=samples, pair_by=pair_by,  # type: ignore[arg-type]
                          tolerances=parse_tolerances(tolerances), neural=neural, neural_model=neural_model)
    click.echo(json.dumps(result.to_dict(), indent=2) if fmt == "json" else result.to_text())


def _open_cache(path: str | None) -> TranslationCache:
    from .engines.cache import open_cache

    return open_cache(Path(path) if path else None)


@main.group()
def cache() -> None:
    """Inspect or empty the translation cache."""


_cache_option = click.option("--cache", "cache_path", type=click.Path(dir_okay=False), help="Cache file.")


@cache.command("stats")
@_cache_option
@_user_errors
def cache_stats(cache_path: str | None) -> None:
    """Entries per engine signature, the file size, and the outputs of check kept beside it."""
    from .reuse import CheckOutputs

    kept = CheckOutputs.beside(cache_path)
    stats = {**_open_cache(cache_path).stats(), "check_outputs": {"path": str(kept.folder), "kept": kept.count()}}
    click.echo(json.dumps(stats, indent=2, ensure_ascii=False))


@cache.command("clear")
@_cache_option
@click.option("--signature", help="Only the entries of this engine signature.")
@_user_errors
def cache_clear(cache_path: str | None, signature: str | None) -> None:
    """Delete cached translations, and the outputs of check kept beside them (a check reruns)."""
    from .reuse import CheckOutputs

    removed = _open_cache(cache_path).clear(signature)
    outputs = CheckOutputs.beside(cache_path).clear()
    click.echo(f"removed {removed} entries" + (f" and {outputs} kept check outputs" if outputs else ""))


@cache.command("export")
@_cache_option
@click.option("--output", "-o", help="Write JSONL here instead of standard output.")
@_user_errors
def cache_export(cache_path: str | None, output: str | None) -> None:
    """Every cached translation as JSONL (signature, source, text, token scores, links)."""
    _require_writable(output)
    lines = (dumps_line(r) for r in _open_cache(cache_path).export())
    _write("".join(lines), output)


@cache.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_cache_option
@_user_errors
def cache_import(file: str, cache_path: str | None) -> None:
    """Add the entries of FILE (written by cache export, or a corpus's backtranslations.jsonl)."""
    from .engines.stored import read_stored

    store = _open_cache(cache_path)
    added = 0
    for signature, entries in read_stored(Path(file)).items():
        store.put_many(signature, list(entries.items()))
        added += len(entries)
    click.echo(f"imported {added} translations into {store.path}")


@main.command()
@click.argument("file")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "text"]), default="jsonl", show_default=True)
@click.option("--input-format", type=click.Choice(["auto", "text", "markdown", "html"]), default="auto",
              show_default=True, help="How to read the article; auto goes by the file name.")
@_user_errors
def segment(file: str, fmt: str, input_format: str) -> None:
    """Split FILE into sentences with character offsets (into FILE as read, also for HTML/Markdown)."""
    text = read_article_text(file)
    fmt_in = guess_format(file) if input_format == "auto" else input_format
    for seg in FrenchSegmenter(fmt_in).segment(text):
        if fmt == "jsonl":
            click.echo(dumps_line({"index": seg.index, "text": seg.text, "start": seg.start, "end": seg.end,
                                   "paragraph": seg.paragraph, "quote": seg.quote}), nl=False)
        else:
            click.echo(f"{seg.start}-{seg.end}\t{seg.text}")


@main.command()
@click.argument("run")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback needs --token.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="Port (0: a free one).")
@click.option("--token", envvar="MTCHECK_REVIEW_TOKEN",
              help="Access token every request must carry (also: MTCHECK_REVIEW_TOKEN).")
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
@click.option("--export", "export_file", type=click.Path(dir_okay=False),
              help="Write the decisions to this file (.jsonl: every decision; .tsv: WMT20 QE task 3) and exit.")
@_user_errors
def review(run: str, host: str, port: int, token: str | None, no_browser: bool, export_file: str | None) -> None:
    """Review RUN (a batch output folder or a check --format json report) in the browser."""
    from .review.run import ReviewRun

    reviewed = ReviewRun.open(run)
    if export_file:
        from .review.decisions import DecisionStore
        from .review.export import write_export

        _require_writable(export_file)
        written = write_export(reviewed, DecisionStore(reviewed.database), export_file)
        click.echo(f"mtcheck: {written} annotation(s) written to {export_file}", err=True)
        return
    from .review.server import serve

    def ready(address: Any) -> None:
        click.echo(f"mtcheck: reviewing {run} ({len(reviewed.articles)} article(s)) at {address.url}", err=True)
        click.echo(f"mtcheck: decisions are kept in {reviewed.database}; Ctrl-C stops the server", err=True)

    serve(reviewed, host=host, port=port, token=token, open_browser=not no_browser, on_ready=ready)


@main.command()
@click.argument("run")
@click.option("--min-precision", type=click.FloatRange(0, 1), default=0.7, show_default=True,
              help="Turn off (or drop the flags of) what reviewers found right less often than this.")
@click.option("--min-decisions", type=click.IntRange(min=1), default=5, show_default=True,
              help="Decisions needed before a detector or group is judged.")
@click.option("--decisions", "decisions_file", type=click.Path(exists=True, dir_okay=False),
              help="Read the decisions from this review export (.jsonl) instead of RUN's database.")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help="Config file to write (TOML).")
@_user_errors
def calibrate(run: str, min_precision: float, min_decisions: int, decisions_file: str | None, output: str) -> None:
    """Precision per detector from the review of RUN, and a config that keeps what is precise enough."""
    from .review.calibrate import calibrate as calibrate_run
    from .review.decisions import DecisionStore
    from .review.export import read_records, review_records
    from .review.run import ReviewRun

    _require_writable(output)
    reviewed = ReviewRun.open(run)
    records = read_records(decisions_file) if decisions_file else review_records(reviewed, DecisionStore(reviewed.database))
    if not records:
        raise InputError(decisions_file or reviewed.database, "no decisions to calibrate on: review the run first "
                                                             f"(mtcheck review {run})")
    result = calibrate_run(records, min_precision=min_precision, min_decisions=min_decisions,
                           detectors=reviewed.detectors, flag_model=reviewed.flag_model_setting)
    click.echo(result.table())
    atomic_write(Path(output), result.to_toml(run))
    click.echo(f"mtcheck: config written to {output} (use it with check, batch or regress --config {output})", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
