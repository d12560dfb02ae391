"""The ``mtcheck`` command. Argument handling only: every subcommand calls the public API.

Built on :mod:`argparse` rather than click: every command pays for its parser's import before
it does anything, and click's import alone costs 0.4× ``import mtcheck`` — more than
``mtcheck segment``'s whole budget beside it (issue #23). argparse is in the standard library,
loads in a millisecond, and gives what this command line needs: subcommands, choices, typed
values checked before any work, generated help. Each subcommand imports what it runs when it
runs, so that ``segment`` loads no engine, no detector and no metric.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from .detector_names import DETECTOR_NAMES
from .engine_names import ENGINE_NAMES
from .version import __version__

if TYPE_CHECKING:
    from .batch.outcome import BatchOutcome
    from .batch.sources import Columns
    from .checker import Checker
    from .corpus import ArticleInput
    from .engines.cache import TranslationCache
    from .progress import ProgressMode
    from .reuse import KeptOutput

# The values of mtcheck.types.Severity, without importing the pipeline's types (a test checks
# that they agree).
SEVERITY_NAMES = ("minor", "major", "critical")
INPUT_FORMATS = ("auto", "text", "markdown", "html")


class UsageError(Exception):
    """A wrong combination of arguments that argparse cannot see: exit 2, like its own errors."""


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _write(text: str, output: str | None) -> None:
    if output:
        from .files import atomic_write

        atomic_write(Path(output), text)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()


# --- argument types: checked before any work, so that a typo costs no model load --------------


def _int_at_least(low: int, high: int | None = None) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
        if number < low or (high is not None and number > high):
            bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{value} is not {bounds}")
        return number

    return parse


def _fraction(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(f"{value} is not from 0 to 1")
    return number


def _file_name(value: str) -> str:
    """A file to write or read: a folder there is refused."""
    if Path(value).is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} is a folder, expected a file name")
    return value


def _existing(kind: str) -> Callable[[str], str]:
    """The type check of an argument naming an existing ``kind`` ("file" or "folder")."""

    def check(value: str) -> str:
        path = Path(value)
        if not path.exists():
            raise argparse.ArgumentTypeError(f"{value!r}: no such {kind}")
        if path.is_dir() != (kind == "folder"):
            raise argparse.ArgumentTypeError(f"{value!r} is a {'folder' if path.is_dir() else 'file'}, "
                                             f"expected a {kind}")
        return value

    return check


_existing_file, _existing_folder = _existing("file"), _existing("folder")


def _folder_name(value: str) -> str:
    """A folder to write: a file there is refused."""
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} is a file, expected a folder")
    return value


# --- the parser --------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """Usage errors (a missing argument, a bad choice) as one line, like every other error."""

    def error(self, message: str) -> NoReturn:
        _say(f"mtcheck: error: {message} ({self.prog} --help lists the options)")
        sys.exit(2)


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=36, width=min(100, _terminal_columns()))

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if isinstance(action.choices, dict):  # subcommands print one indent further in than argparse counts
            self._action_max_length += 2


def _terminal_columns(default: int = 100) -> int:
    import shutil

    return shutil.get_terminal_size((default, 20)).columns


def _command(commands: Any, name: str, run: Callable[[argparse.Namespace], None] | None, doc: str) -> _Parser:
    """A subcommand whose help is ``doc``: its first line in ``mtcheck --help``, all of it in its own."""
    parser = commands.add_parser(name, help=doc.splitlines()[0], description=doc,
                                 formatter_class=_HelpFormatter)
    parser.set_defaults(command_handler=run, command_prog=parser.prog)
    return parser


def build_parser(argv: Sequence[str] | None = None) -> _Parser:
    """The command line's parser; given the arguments, only the subcommand they name is built.

    A parser per subcommand with its options is most of the parser's cost (argparse looks up
    its message catalogue for each), and a run needs one of them: ``mtcheck segment`` should not
    build ``batch``'s twenty options. Arguments that name no subcommand (``--help``, a typo) get
    every one, so help and "invalid choice" errors list them all.
    """
    parser = _Parser(prog="mtcheck", description="Find what a machine translation got wrong in a French news article.",
                     formatter_class=_HelpFormatter)
    parser.add_argument("--version", action="version", version=f"mtcheck, version {__version__}")
    parser.add_argument("--debug", action="store_true", help="Show the traceback of an error (also: MTCHECK_DEBUG=1).")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True, parser_class=_Parser)
    # The top-level options take no value, so the first argument that is not one is the subcommand.
    named = next((arg for arg in argv or () if not arg.startswith("-")), None)
    for name, add in _SUBCOMMANDS.items():
        if named not in _SUBCOMMANDS or name == named:
            add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``); the exit status.

    Exit 2 for the user's or the machine's errors (exit 1 is the regression gate's "quality
    dropped"), 3 for a bug in mtcheck, 130 for Ctrl-C; one line on stderr instead of a traceback.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    debugging = args.debug or bool(os.environ.get("MTCHECK_DEBUG"))
    # The command line prints its own one-line engine message; transformers' per-load
    # progress bars would only add noise to stderr. Through the environment, which
    # huggingface_hub reads when it is first imported: importing transformers here to say so
    # would cost every command, `segment` included, 0.6 s.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if "transformers" in sys.modules:
        sys.modules["transformers"].utils.logging.disable_progress_bar()
    if not debugging:
        warnings.showwarning = _one_line_warning  # this process is the command's own
    try:
        args.command_handler(args)
    except KeyboardInterrupt:
        _say("mtcheck: interrupted; finished results are kept (a batch rerun resumes)")
        return 130
    except UsageError as exc:
        _say(f"mtcheck: error: {exc} ({args.command_prog} --help lists the options)")
        return 2
    except Exception as exc:
        if debugging:
            raise
        code, line = _error_line(exc)
        _say(f"mtcheck: {line}")
        return code
    return 0


def _error_line(exc: Exception) -> tuple[int, str]:
    from .errors import MtcheckError

    if isinstance(exc, MtcheckError):
        return 2, f"error: {exc}"
    if isinstance(exc, OSError):  # the disk's or the user's: a missing folder, no permission, a full disk
        where = f"{exc.filename}: " if exc.filename else ""
        return 2, f"error: {where}{exc.strerror or exc} (check the path and free space; --debug shows the traceback)"
    if isinstance(exc, MemoryError):
        return 2, "error: out of memory (check smaller articles, or fewer --jobs)"
    return 3, (f"internal error: {exc.__class__.__name__}: {exc}. This is a bug in mtcheck: "
               "please report it with the traceback that --debug prints")


def _one_line_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                      file: Any = None, line: str | None = None) -> None:
    """Python warnings (a cache set aside, a library's notice) as one "mtcheck: warning:" line."""
    _say(f"mtcheck: warning: {message}")


def _require_writable(*paths: str | None) -> None:
    """Refuse an output that cannot be written before the work that would fill it, not after."""
    from .errors import InputError
    from .files import unwritable_reason

    for path in paths:
        if path and (reason := unwritable_reason(Path(path))):
            raise InputError(path, reason)


# --- check and batch ---------------------------------------------------------------------------

# The options of _add_checker_options, by their destination: what _build_checker takes.
CHECKER_OPTIONS = ("engine", "model", "beam_size", "device", "max_length", "batch_tokens", "threads", "config_path",
                   "detectors", "lexicons", "flag_model", "min_severity", "cache_path", "no_cache", "neural",
                   "neural_model", "quiet", "input_format")


def _add_checker_options(parser: argparse.ArgumentParser) -> None:
    """The engine, detector and scoring options shared by ``check`` and ``batch``."""
    parser.add_argument("--engine", choices=ENGINE_NAMES, default="auto",
                        help="Back-translation engine; auto tries hf (local cache, then the hub), then apertium "
                             "[default: auto].")
    parser.add_argument("--model", help="Model id or local folder for hf/ct2 (default Helsinki-NLP/opus-mt-fr-en).")
    parser.add_argument("--beam-size", type=_int_at_least(1), help="Beam width of hf/ct2 decoding [default: 4].")
    parser.add_argument("--device", help="cpu, cuda or auto [default: auto].")
    parser.add_argument("--max-length", type=_int_at_least(1),
                        help="Most output tokens per sentence (hf/ct2) [default: 256].")
    parser.add_argument("--batch-tokens", type=_int_at_least(1),
                        help="Source tokens per decoding batch (hf/ct2) [default: the engine's].")
    parser.add_argument("--threads", type=_int_at_least(0),
                        help="CPU threads of the hf/ct2 engine (0: all cores) [default: 0].")
    parser.add_argument("--config", dest="config_path", type=_file_name,
                        help="TOML file choosing detectors, their thresholds and lexicons (see README).")
    parser.add_argument("--detectors", help=f"Comma-separated detectors (available: {', '.join(DETECTOR_NAMES)}).")
    parser.add_argument("--lexicon", dest="lexicons", action="append", default=[], type=_file_name,
                        help="Extra calque/false-friend lexicon (YAML); repeatable.")
    parser.add_argument("--flag-model", help="Detection model deciding the flags from every detector's evidence: "
                                             "bundled (default), none (the detectors' flags as they are) or a "
                                             "model file from scripts/train_combiner.py.")
    parser.add_argument("--min-severity", choices=SEVERITY_NAMES,
                        help="Drop flags below this severity (default minor, or the config's).")
    parser.add_argument("--cache", dest="cache_path", type=_file_name,
                        help="Translation cache file (default: $MTCHECK_CACHE or ~/.cache/mtcheck, "
                             "translations.sqlite).")
    parser.add_argument("--no-cache", action="store_true", help="Translate everything, read and write no cache.")
    parser.add_argument("--neural", choices=("comet", "bertscore"),
                        help="Also score pairs with a neural metric (needs mtcheck[neural] and the model).")
    parser.add_argument("--neural-model", help="Model for --neural (hub id or local checkpoint).")
    parser.add_argument("--quiet", "-q", action="store_true", help="No engine message, no progress bar.")
    parser.add_argument("--input-format", choices=INPUT_FORMATS, default="auto",
                        help="How to read articles; auto goes by the file name [default: auto].")


def _checker_settings(args: argparse.Namespace) -> dict[str, Any]:
    settings = {name: getattr(args, name) for name in CHECKER_OPTIONS}
    settings["lexicons"] = tuple(settings["lexicons"])
    return settings


def _build_checker(*, engine: str, model: str | None, beam_size: int | None, device: str | None,
                   max_length: int | None, batch_tokens: int | None, threads: int | None, config_path: str | None,
                   detectors: str | None, lexicons: tuple[str, ...], min_severity: str | None, flag_model: str | None,
                   cache_path: str | None, no_cache: bool, neural: str | None, neural_model: str | None,
                   quiet: bool, input_format: str = "text", progress: ProgressMode | None = None) -> Checker:
    from .checker import Checker
    from .progress import ProgressMode

    checker = Checker.from_config(
        config_path, engine=engine, model=model, beam_size=beam_size, device=device, max_length=max_length,
        batch_tokens=batch_tokens, threads=threads,
        detectors=detectors.split(",") if detectors else None, lexicons=lexicons, min_severity=min_severity,
        flag_model=flag_model, cache=False if no_cache else (cache_path or True), input_format=input_format,
        neural_metric=neural, neural_model=neural_model,
        progress=ProgressMode.for_stream(sys.stderr, quiet) if progress is None else progress)
    if not quiet:
        _say(f"mtcheck: {checker.engine_message}")
    return checker


def _add_check(commands: Any) -> None:
    parser = _command(commands, "check", _check, """\
Check ARTICLE (a text file or an article folder); with none, the bundled sample.

Checking an unchanged article again with the same settings prints the kept output at once
(see mtcheck.reuse); --no-cache checks it anew.""")
    parser.add_argument("article", nargs="?", metavar="ARTICLE")
    parser.add_argument("--refs", help="English references (JSONL, TSV, CSV or one quote a line).")
    parser.add_argument("--format", dest="fmt", choices=("table", "json", "jsonl"), default="table",
                        help="[default: table]")
    parser.add_argument("--output", "-o", help="Write the report here instead of standard output.")
    _add_checker_options(parser)


def _check(args: argparse.Namespace) -> None:
    from .corpus import read_article
    from .resources import sample_folder
    from .segment import guess_format

    _require_writable(args.output)
    source = read_article(args.article or sample_folder(), references=args.refs, check_language=False)
    options = _checker_settings(args)
    input_format = options.pop("input_format")
    if input_format == "auto":
        input_format = guess_format(str(source.path or ""))
    width, colour = (140, False) if args.output else (_terminal_columns(140), _colour())
    kept = None
    if not options["no_cache"] and not options["neural"]:  # a neural metric's model is not in the key
        from .reuse import CheckOutputs

        kept = CheckOutputs.beside(options["cache_path"])
        key = kept.key(source, {**{k: v for k, v in options.items() if k not in ("quiet", "cache_path")},
                                "input_format": input_format, "format": args.fmt,
                                "width": width if args.fmt == "table" else None,
                                "colour": colour and args.fmt == "table"})
        if (stored := kept.get(key)) is not None:
            for line in stored.stderr_lines(options["quiet"]):
                _say(line)
            _write(stored.stdout, args.output)
            return
    result = _check_now(source, input_format, args.fmt, width, colour, options)
    if kept is not None:
        kept.put(key, result)
    _write(result.stdout, args.output)


def _check_now(source: ArticleInput, input_format: str, fmt: str, width: int, colour: bool,
               options: dict[str, Any]) -> KeptOutput:
    """Check ``source`` with the whole pipeline: its output, and its stderr lines as they were said."""
    from .corpus import require_english
    from .jsonl import dumps_line
    from .lang.identify import identify
    from .progress import ProgressMode
    from .reuse import KeptOutput

    said: list[tuple[bool, str]] = []

    def say(line: str, hidden_when_quiet: bool = False) -> None:
        said.append((hidden_when_quiet, line))
        if not (hidden_when_quiet and options["quiet"]):
            _say(line)

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


def _add_batch(commands: Any) -> None:
    parser = _command(commands, "batch", _batch, """\
Check every article of SOURCE into OUTPUT (resumable: a rerun reuses unchanged articles).

SOURCE is a folder of article folders (article.fr.txt [+ references.en.jsonl]), a JSONL,
CSV or Parquet file, a dataset saved with save_to_disk, or a Hugging Face dataset name.
Articles that cannot be checked go to OUTPUT/errors.jsonl with their file and line; the run
then exits 2, the others' results written.""")
    parser.add_argument("source", metavar="SOURCE")
    parser.add_argument("--output", "-o", required=True, type=_folder_name, help="Output folder.")
    parser.add_argument("--jobs", "-j", type=_int_at_least(1), default=1,
                        help="Worker processes (Ray actors with --backend ray) [default: 1].")
    parser.add_argument("--id-column", default="id", help="Article id column (tables, datasets) [default: id].")
    parser.add_argument("--text-column", default="text", help="French text column [default: text].")
    parser.add_argument("--refs-column", default="references",
                        help="References column: a list of strings or of {text, id, ...} objects, or that list as "
                             "JSON [default: references].")
    parser.add_argument("--split", help="Dataset split (datasets with several splits).")
    parser.add_argument("--detailed", type=_int_at_least(0), default=50,
                        help="How many of the worst articles the HTML report shows in full [default: 50].")
    parser.add_argument("--backend", choices=("local", "ray"), default="local",
                        help='ray: run on a pool of Ray actors (pip install "mtcheck[ray]"), one engine each '
                             "[default: local].")
    parser.add_argument("--gpus-per-worker", type=float, default=0, help="GPUs per Ray actor [default: 0].")
    parser.add_argument("--cpus-per-worker", type=float, default=1,
                        help="CPUs per Ray actor; above 1, it translates the next articles while it checks "
                             "these [default: 1].")
    parser.add_argument("--address",
                        help="Ray cluster to run on: host:port of its head, or 'auto' [default: $RAY_ADDRESS, "
                             "else a Ray instance started on this machine].")
    _add_checker_options(parser)


def _batch(args: argparse.Namespace) -> None:
    from .batch.report import write_batch_report
    from .batch.sources import Columns, iter_articles
    from .batch.unchanged import remember_signature, settings_key, unchanged_outcome

    options = _checker_settings(args)
    options["input_format"] = "text" if options["input_format"] == "auto" else options["input_format"]
    if args.address and args.backend != "ray":
        raise UsageError("--address is the Ray cluster to run on: give it with --backend ray")
    if options.get("threads") is None and (args.backend == "ray" or args.jobs > 1):
        # Each worker's engine would otherwise take every core of the machine for itself.
        share = args.cpus_per_worker if args.backend == "ray" else (os.cpu_count() or 1) / args.jobs
        options["threads"] = max(1, int(share))
    columns = Columns(args.id_column, args.text_column, args.refs_column)
    articles = iter_articles(args.source, columns, args.split)  # a source wrong as a whole fails here
    # A neural metric's model is not in the key (as for `mtcheck check`): such runs decide afresh.
    key = None if options["neural"] else settings_key({k: v for k, v in options.items() if k != "quiet"})
    outcome = (unchanged_outcome(articles, Path(args.output), key) if key is not None else None) \
        or _run_batch(args, options, columns)
    if key is not None and outcome.signature is not None:
        remember_signature(Path(args.output), key, outcome.signature)
    write_batch_report(args.output, title=f"mtcheck: {Path(args.source).name}", detailed=args.detailed)
    if not options["quiet"]:
        again = sum(outcome.rechecked.values())
        why = f" ({again} checked again: " + ", ".join(f"{n} {k}" for k, n in sorted(outcome.rechecked.items())) + ")" \
            if again else ""
        _say(f"mtcheck: {outcome.checked} checked{why}, {outcome.skipped} unchanged and reused, "
             f"{outcome.failed} failed -> {Path(args.output) / 'report.html'}")
    if outcome.from_other_inputs:
        # A newsroom's next day's feed run into yesterday's folder: the report mixes both.
        _say(f"mtcheck: note: {args.output} also holds {outcome.from_other_inputs} article(s) of an earlier input "
             "that are not in this one; its summary and report include them (give a new --output to report this "
             "input alone)")
    if outcome.failed:
        # A script or a scheduled run must learn of them, not only a reader of the closing line.
        from .errors import InputError

        total = outcome.checked + outcome.skipped + outcome.failed
        raise InputError(Path(args.output) / "errors.jsonl",
                         f"{outcome.failed} of {total} article(s) could not be checked; this file says why, "
                         "with the input's file and line (the others' results are written, and a rerun after "
                         "a fix checks only what changed)")


def _run_batch(args: argparse.Namespace, options: dict[str, Any], columns: Columns) -> BatchOutcome:
    """Check the batch's articles on the backend it names."""
    from .batch.sources import count_articles, iter_articles
    from .progress import ProgressMode

    factory = functools.partial(_checker_factory, **{**options, "progress": ProgressMode.OFF})
    if args.backend == "ray":
        try:
            import ray
        except ImportError:
            raise UsageError('--backend ray needs Ray: pip install "mtcheck[ray]"') from None
        from .batch.ray_backend import run_batch_ray

        try:
            return run_batch_ray(args.source, factory, args.output, columns=columns, workers=args.jobs,
                                 gpus_per_worker=args.gpus_per_worker, cpus_per_worker=args.cpus_per_worker,
                                 address=args.address, quiet=options["quiet"])
        finally:
            # This process's Ray session ends here rather than in Ray's exit hook, which took
            # 1.1 s more (0.05–0.3 s here) after the report was written.
            ray.shutdown()
    from .batch.run import run_batch

    return run_batch(iter_articles(args.source, columns, args.split), factory, args.output, jobs=args.jobs,
                     progress=ProgressMode.for_stream(sys.stderr, options["quiet"]), total=count_articles(args.source))


def _in_ci() -> bool:
    """Whether this runs in CI (GitHub Actions, GitLab, most others set ``CI``)."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def _add_regress(commands: Any) -> None:
    parser = _command(commands, "regress", _regress,
                      "Score sample CORPORA and exit 1 when quality dropped below the baseline's tolerances.")
    parser.add_argument("corpora", nargs="+", type=_existing_folder, metavar="CORPORA")
    parser.add_argument("--baseline", required=True, type=_file_name, help="Baseline JSON file.")
    parser.add_argument("--update-baseline", action="store_true", help="Write the current figures as the new baseline.")
    parser.add_argument("--junit", type=_file_name, help="Write a JUnit XML report here.")
    parser.add_argument("--engine", choices=ENGINE_NAMES,
                        help="Engine for sentences with no stored back-translation (default: stored ones only).")
    parser.add_argument("--model", help="Model for --engine hf/ct2.")
    parser.add_argument("--update-cache", action="store_true",
                        help="Add new back-translations to each corpus's stored file.")
    parser.add_argument("--rebuild-cache", action="store_true",
                        help="Ignore the stored back-translations; redo them with --engine.")
    parser.add_argument("--detectors", help="Comma-separated detectors (default: the baseline's, else the default set).")
    parser.add_argument("--flag-model", help="bundled, none or a model file (default: the baseline's; none for a "
                                             "baseline that names no model).")
    parser.add_argument("--abs-tol", dest="abs_tol", action="append", default=[], metavar="METRIC=VALUE",
                        help="Absolute tolerance per metric (chrf, bleu, ter, mqm_estimate; default 1.0 each).")
    parser.add_argument("--rel-tol", type=float, default=0.02, help="Relative tolerance (fraction) [default: 0.02].")
    parser.add_argument("--max-new-critical", type=_int_at_least(0), default=0,
                        help="New critical flags allowed per article [default: 0].")
    parser.add_argument("--config", dest="config_path", type=_file_name,
                        help="TOML run settings (detectors, thresholds, flags to drop), as check --config.")
    removed = parser.add_mutually_exclusive_group()
    removed.add_argument("--fail-on-removed", dest="fail_on_removed", action="store_const", const=True, default=None,
                         help="An article of the baseline missing from its corpus fails the gate [default: fail "
                              "where the CI environment variable is set, else a note].")
    removed.add_argument("--allow-removed", dest="fail_on_removed", action="store_const", const=False,
                         help="An article of the baseline missing from its corpus is a note.")


def _regress(args: argparse.Namespace) -> None:
    _require_writable(args.junit, args.baseline if args.update_baseline else None)
    from .config import load_config
    from .files import atomic_write
    from .regress.gate import junit_xml, parse_tolerances, run_regression
    from .regress.table import render_changes

    fail_on_removed = _in_ci() if args.fail_on_removed is None else args.fail_on_removed
    gate = run_regression([Path(c) for c in args.corpora], Path(args.baseline),
                          tolerance=parse_tolerances(tuple(args.abs_tol), args.rel_tol, args.max_new_critical,
                                                     fail_on_removed),
                          engine=args.engine, model=args.model,
                          detectors=args.detectors.split(",") if args.detectors else None,
                          flag_model=args.flag_model, update_cache=args.update_cache, rebuild_cache=args.rebuild_cache,
                          update_baseline=args.update_baseline,
                          config=load_config(args.config_path) if args.config_path else None)
    _write(render_changes(gate.changes, gate.current), None)
    if args.junit:
        atomic_write(Path(args.junit), junit_xml(gate.changes, gate.current))
    if args.update_baseline:
        _say(f"mtcheck: baseline written to {args.baseline}")
        return
    if gate.regressions:
        _say(f"mtcheck: regression in {len(gate.regressions)} place(s): {', '.join(gate.regressions)}")
        sys.exit(1)


def _add_compare(commands: Any) -> None:
    parser = _command(commands, "compare", _compare, """\
Compare two runs (check --format json reports, folders of them, or batch folders).

B − A per metric with a paired bootstrap 95% interval, and whether the difference matters.""")
    parser.add_argument("run_a", metavar="RUN_A")
    parser.add_argument("run_b", metavar="RUN_B")
    parser.add_argument("--samples", type=_int_at_least(1), default=1000, help="Bootstrap resamples [default: 1000].")
    parser.add_argument("--pair-by", choices=("id", "path"), default="id",
                        help="Pair articles by their id, or by the report's path inside each run [default: id].")
    parser.add_argument("--tolerance", dest="tolerances", action="append", default=[], metavar="[METRIC=]POINTS",
                        help="A difference whose 95%% interval lies within ±POINTS is 'no meaningful difference' "
                             "(default 1; repeat for per-metric values, e.g. --tolerance TER=2).")
    parser.add_argument("--neural", choices=("comet", "bertscore"),
                        help="Also compare a neural metric (the reports' own scores, or computed: needs "
                             "mtcheck[neural]).")
    parser.add_argument("--neural-model", help="Model for --neural (hub id or local checkpoint).")
    parser.add_argument("--format", dest="fmt", choices=("table", "json"), default="table", help="[default: table]")


def _compare(args: argparse.Namespace) -> None:
    import json

    from .compare import compare_runs, parse_tolerances

    result = compare_runs(args.run_a, args.run_b, samples=args.samples, pair_by=args.pair_by,
                          tolerances=parse_tolerances(tuple(args.tolerances)), neural=args.neural,
                          neural_model=args.neural_model)
    _write(json.dumps(result.to_dict(), indent=2) if args.fmt == "json" else result.to_text(), None)


# --- the translation cache ---------------------------------------------------------------------


def _open_cache(path: str | None) -> TranslationCache:
    from .engines.cache import open_cache

    return open_cache(Path(path) if path else None)


def _add_cache(commands: Any) -> None:
    parser = _command(commands, "cache", None, "Inspect or empty the translation cache.")
    actions = parser.add_subparsers(title="commands", metavar="COMMAND", required=True, parser_class=_Parser)

    def cache_command(name: str, run: Callable[[argparse.Namespace], None], doc: str) -> _Parser:
        command = _command(actions, name, run, doc)
        command.add_argument("--cache", dest="cache_path", type=_file_name, help="Cache file.")
        return command

    cache_command("stats", _cache_stats,
                  "Entries per engine signature, the file size, the outputs of check kept beside it, "
                  "and the models the ct2 engine converted.")
    clear = cache_command("clear", _cache_clear,
                          "Delete cached translations, and the outputs of check kept beside them (a check reruns).")
    clear.add_argument("--signature", help="Only the entries of this engine signature.")
    export = cache_command("export", _cache_export,
                           "Every cached translation as JSONL (signature, source, text, token scores, links).")
    export.add_argument("--output", "-o", help="Write JSONL here instead of standard output.")
    imported = cache_command("import", _cache_import,
                             "Add the entries of FILE (written by cache export, or a corpus's backtranslations.jsonl).")
    imported.add_argument("file", type=_existing_file, metavar="FILE")


def _cache_stats(args: argparse.Namespace) -> None:
    import json

    from .engines.ct2 import conversions_folder, stored_conversions
    from .reuse import CheckOutputs

    kept = CheckOutputs.beside(args.cache_path)
    stats = {**_open_cache(args.cache_path).stats(), "check_outputs": {"path": str(kept.folder), "kept": kept.count()},
             "ct2_conversions": {"path": str(conversions_folder()), "bytes": stored_conversions()}}
    _write(json.dumps(stats, indent=2, ensure_ascii=False), None)


def _cache_clear(args: argparse.Namespace) -> None:
    from .reuse import CheckOutputs

    removed = _open_cache(args.cache_path).clear(args.signature)
    outputs = CheckOutputs.beside(args.cache_path).clear()
    _write(f"removed {removed} entries" + (f" and {outputs} kept check outputs" if outputs else ""), None)


def _cache_export(args: argparse.Namespace) -> None:
    from .jsonl import dumps_line

    _require_writable(args.output)
    lines = (dumps_line(r) for r in _open_cache(args.cache_path).export())
    text = "".join(lines)
    if args.output or text:
        _write(text, args.output)


def _cache_import(args: argparse.Namespace) -> None:
    from .engines.stored import read_stored

    store = _open_cache(args.cache_path)
    added = 0
    for signature, entries in read_stored(Path(args.file)).items():
        store.put_many(signature, list(entries.items()))
        added += len(entries)
    _write(f"imported {added} translations into {store.path}", None)


# --- segment -----------------------------------------------------------------------------------


def _add_segment(commands: Any) -> None:
    parser = _command(commands, "segment", _segment,
                      "Split FILE into sentences with character offsets (into FILE as read, also for HTML/Markdown).")
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("--format", dest="fmt", choices=("jsonl", "text"), default="jsonl", help="[default: jsonl]")
    parser.add_argument("--input-format", choices=INPUT_FORMATS, default="auto",
                        help="How to read the article; auto goes by the file name [default: auto].")


def _segment(args: argparse.Namespace) -> None:
    from .files import read_article_text
    from .segment import FrenchSegmenter, guess_format

    text = read_article_text(args.file)
    input_format = guess_format(args.file) if args.input_format == "auto" else args.input_format
    segments = FrenchSegmenter(input_format).segment(text)
    if args.fmt == "jsonl":
        from .jsonl import dumps_line

        lines = [dumps_line({"index": seg.index, "text": seg.text, "start": seg.start, "end": seg.end,
                             "paragraph": seg.paragraph, "quote": seg.quote}) for seg in segments]
    else:
        lines = [f"{seg.start}-{seg.end}\t{seg.text}\n" for seg in segments]
    sys.stdout.write("".join(lines))
    sys.stdout.flush()


# --- review and calibrate ----------------------------------------------------------------------


def _add_review(commands: Any) -> None:
    parser = _command(commands, "review", _review,
                      "Review RUN (a batch output folder or a check --format json report) in the browser.")
    parser.add_argument("run", metavar="RUN")
    parser.add_argument("--host", default="127.0.0.1",
                        help="Address to listen on; anything but loopback needs --token [default: 127.0.0.1].")
    parser.add_argument("--port", type=_int_at_least(0, 65535), default=0, help="Port (0: a free one) [default: 0].")
    parser.add_argument("--token", default=os.environ.get("MTCHECK_REVIEW_TOKEN"),
                        help="Access token every request must carry (also: MTCHECK_REVIEW_TOKEN).")
    parser.add_argument("--no-browser", action="store_true", help="Do not open a browser.")
    parser.add_argument("--export", dest="export_file", type=_file_name,
                        help="Write the decisions to this file (.jsonl: every decision; .tsv: WMT20 QE task 3) "
                             "and exit.")


def _review(args: argparse.Namespace) -> None:
    from .review.run import ReviewRun

    reviewed = ReviewRun.open(args.run)
    if args.export_file:
        from .review.decisions import DecisionStore
        from .review.export import write_export

        _require_writable(args.export_file)
        written, stale = write_export(reviewed, DecisionStore(reviewed.database), args.export_file)
        _say(f"mtcheck: {written} annotation(s) written to {args.export_file}")
        _warn_stale(stale)
        return
    from .review.server import serve

    def ready(address: Any) -> None:
        _say(f"mtcheck: reviewing {args.run} ({len(reviewed.articles)} article(s)) at {address.url}")
        _say(f"mtcheck: decisions are kept in {reviewed.database}; Ctrl-C stops the server")

    serve(reviewed, host=args.host, port=args.port, token=args.token, open_browser=not args.no_browser,
          on_ready=ready)


def _warn_stale(stale: Sequence[Any]) -> None:
    if not stale:
        return
    shown = "; ".join(f"{d.article_id}: {d.text!r}" for d in stale[:5]) + ("; …" if len(stale) > 5 else "")
    _say(f"mtcheck: warning: {len(stale)} decision(s) left out: they were made on words the article no longer "
         f"holds (it changed and was checked again): {shown}")


def _add_calibrate(commands: Any) -> None:
    parser = _command(commands, "calibrate", _calibrate,
                      "Precision per detector from the review of RUN, and a config that keeps what is precise enough.")
    parser.add_argument("run", metavar="RUN")
    parser.add_argument("--min-precision", type=_fraction, default=0.7,
                        help="Turn off (or drop the flags of) what reviewers found right less often than this "
                             "[default: 0.7].")
    parser.add_argument("--min-decisions", type=_int_at_least(1), default=5,
                        help="Decisions needed before a detector or group is judged [default: 5].")
    parser.add_argument("--decisions", dest="decisions_file", type=_existing_file,
                        help="Read the decisions from this review export (.jsonl) instead of RUN's database.")
    parser.add_argument("--output", "-o", required=True, type=_file_name, help="Config file to write (TOML).")


def _calibrate(args: argparse.Namespace) -> None:
    from .errors import InputError
    from .files import atomic_write
    from .review.calibrate import calibrate as calibrate_run
    from .review.decisions import DecisionStore
    from .review.export import read_records, records_and_stale
    from .review.run import ReviewRun

    _require_writable(args.output)
    reviewed = ReviewRun.open(args.run)
    if args.decisions_file:
        records = read_records(args.decisions_file)
    else:
        records, stale = records_and_stale(reviewed, DecisionStore(reviewed.database))
        _warn_stale(stale)
    if not records:
        raise InputError(args.decisions_file or reviewed.database, "no decisions to calibrate on: review the run "
                                                                   f"first (mtcheck review {args.run})")
    result = calibrate_run(records, min_precision=args.min_precision, min_decisions=args.min_decisions,
                           detectors=reviewed.detectors, flag_model=reviewed.flag_model_setting)
    _write(result.table(), None)
    atomic_write(Path(args.output), result.to_toml(args.run))
    _say(f"mtcheck: config written to {args.output} (use it with check, batch or regress --config {args.output})")


# In the order `mtcheck --help` lists them.
_SUBCOMMANDS: dict[str, Callable[[Any], None]] = {
    "check": _add_check, "batch": _add_batch, "regress": _add_regress, "compare": _add_compare, "cache": _add_cache,
    "segment": _add_segment, "review": _add_review, "calibrate": _add_calibrate,
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
