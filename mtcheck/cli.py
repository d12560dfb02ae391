"""The ``mtcheck`` command. Argument handling only: every subcommand calls the public API."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .checker import Checker
from .compare import compare_runs
from .corpus import read_article, read_article_text
from .detectors import REGISTRY
from .engines import ENGINE_NAMES, EngineSpec, load_engine
from .engines.cache import CachedEngine, TranslationCache
from .engines.ct2 import default_cache_dir
from .errors import MtcheckError
from .segment import FrenchSegmenter, guess_format
from .types import Severity

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "samples" / "ukraine-atacms"


def _user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn mtcheck's errors into one line on stderr and exit code 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except MtcheckError as exc:
            click.echo(f"mtcheck: error: {exc}", err=True)
            sys.exit(2)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mtcheck")
def main() -> None:
    """Find what a machine translation got wrong in a French news article."""
    # The command line prints its own one-line engine message; transformers' per-load
    # progress bars would only add noise to stderr.
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()


def _write(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=not text.endswith("\n"))


@main.command()
@click.argument("article", required=False)
@click.option("--refs", "refs", help="English references (JSONL, TSV or one quote a line).")
@click.option("--engine", type=click.Choice(ENGINE_NAMES), default="auto", show_default=True,
              help="Back-translation engine; auto tries hf (local cache, then the hub), then apertium.")
@click.option("--model", help="Model id or local folder for hf (default Helsinki-NLP/opus-mt-fr-en).")
@click.option("--beam-size", type=int, default=4, show_default=True)
@click.option("--device", default="auto", show_default=True, help="cpu, cuda or auto.")
@click.option("--detectors", help=f"Comma-separated detectors (available: {', '.join(REGISTRY)}).")
@click.option("--min-severity", type=click.Choice([s.value for s in Severity]), default="minor", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl"]), default="table", show_default=True)
@click.option("--output", "-o", help="Write the report here instead of standard output.")
@click.option("--cache", "cache_path", type=click.Path(dir_okay=False),
              help="Translation cache file (default: $MTCHECK_CACHE or ~/.cache/mtcheck, translations.sqlite).")
@click.option("--no-cache", is_flag=True, help="Translate everything, read and write no cache.")
@click.option("--neural", type=click.Choice(["comet", "bertscore"]),
              help="Also score pairs with a neural metric (needs mtcheck[neural] and the model).")
@click.option("--neural-model", help="Model for --neural (hub id or local checkpoint).")
@click.option("--quiet", "-q", is_flag=True, help="No engine message, no progress bar.")
@click.option("--input-format", type=click.Choice(["auto", "text", "markdown", "html"]), default="auto",
              show_default=True, help="How to read the article; auto goes by the file name.")
@_user_errors
def check(article: str | None, refs: str | None, engine: str, model: str | None, beam_size: int, device: str,
          detectors: str | None, min_severity: str, fmt: str, output: str | None, cache_path: str | None,
          no_cache: bool, neural: str | None, neural_model: str | None, quiet: bool, input_format: str) -> None:
    """Check ARTICLE (a text file or an article folder); with none, the bundled sample."""
    source = read_article(article or SAMPLE, references=refs)
    choice = load_engine(EngineSpec(name=engine, model=model, beam_size=beam_size, device=device))
    if not quiet:
        click.echo(f"mtcheck: {choice.message}", err=True)
    backend = choice.engine if no_cache else CachedEngine(choice.engine, _open_cache(cache_path))
    if input_format == "auto":
        input_format = guess_format(str(source.path or ""))
    checker = Checker(engine=backend, detectors=detectors.split(",") if detectors else None,
                      min_severity=Severity(min_severity), progress=not quiet and sys.stderr.isatty(),
                      segmenter=FrenchSegmenter(input_format), neural_metric=neural, neural_model=neural_model)
    report = checker.check(source.text, source.references, article_id=source.id)
    if fmt == "json":
        _write(report.to_json() + "\n", output)
    elif fmt == "jsonl":
        _write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in report.jsonl_records()), output)
    else:
        _write(report.to_table(), output)


@main.command()
@click.argument("run_a")
@click.argument("run_b")
@click.option("--samples", type=int, default=1000, show_default=True, help="Bootstrap resamples.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_user_errors
def compare(run_a: str, run_b: str, samples: int, fmt: str) -> None:
    """Compare two runs (reports from check --format json, or folders of them) with paired bootstrap."""
    result = compare_runs(run_a, run_b, samples=samples)
    click.echo(json.dumps(result.to_dict(), indent=2) if fmt == "json" else result.to_text())


def _open_cache(path: str | None) -> TranslationCache:
    return TranslationCache(Path(path) if path else default_cache_dir() / "translations.sqlite")


@main.group()
def cache() -> None:
    """Inspect or empty the translation cache."""


_cache_option = click.option("--cache", "cache_path", type=click.Path(dir_okay=False), help="Cache file.")


@cache.command("stats")
@_cache_option
@_user_errors
def cache_stats(cache_path: str | None) -> None:
    """Entries per engine signature and the file size."""
    click.echo(json.dumps(_open_cache(cache_path).stats(), indent=2, ensure_ascii=False))


@cache.command("clear")
@_cache_option
@click.option("--signature", help="Only the entries of this engine signature.")
@_user_errors
def cache_clear(cache_path: str | None, signature: str | None) -> None:
    """Delete cached translations."""
    removed = _open_cache(cache_path).clear(signature)
    click.echo(f"removed {removed} entries")


@cache.command("export")
@_cache_option
@click.option("--output", "-o", help="Write JSONL here instead of standard output.")
@_user_errors
def cache_export(cache_path: str | None, output: str | None) -> None:
    """Every cached translation as JSONL (signature, source, text, token scores, links)."""
    lines = (json.dumps(r, ensure_ascii=False) + "\n" for r in _open_cache(cache_path).export())
    _write("".join(lines), output)


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
            click.echo(json.dumps({"index": seg.index, "text": seg.text, "start": seg.start, "end": seg.end,
                                   "paragraph": seg.paragraph, "quote": seg.quote}, ensure_ascii=False))
        else:
            click.echo(f"{seg.start}-{seg.end}\t{seg.text}")


if __name__ == "__main__":  # pragma: no cover
    main()
