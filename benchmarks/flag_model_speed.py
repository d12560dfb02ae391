"""What the detection model adds to `check`'s time on the bundled sample (issue #22: at most 10%).

    python benchmarks/flag_model_speed.py [--repeats 7] [--no-write]

Two measures, both with Apertium through a warm translation cache, the same detectors and
the same sample; one run with the bundled detection model, one with ``--flag-model none``:

- the command a user runs, ``mtcheck check`` in a fresh process (the kept output of the last
  check removed before each run, so that the article is checked, not reprinted): what the
  model costs there is loading it and running it once;
- one more article in a running process (``Checker.check``, everything loaded): what the
  model costs each article of a batch whose translations are cached.

Each is timed ``--repeats`` times, alternating, and the best time of each is kept (the least
disturbed by the rest of the machine).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from _results import user_environment, write_section  # noqa: E402

from mtcheck import Checker  # noqa: E402
from mtcheck.corpus import read_article  # noqa: E402
from mtcheck.resources import sample_folder  # noqa: E402

SETTINGS = {"with the model": "bundled", "detectors only": "none"}


def best_alternating(runs: dict[str, Callable[[], None]], repeats: int) -> dict[str, float]:
    best = {name: float("inf") for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def command_line(repeats: int) -> dict[str, float]:
    mtcheck = shutil.which("mtcheck", path=str(Path(sys.executable).parent)) or "mtcheck"
    with tempfile.TemporaryDirectory() as cache:
        env = user_environment(MTCHECK_CACHE=cache)
        commands = {name: [mtcheck, "check", "--engine", "apertium", "--quiet", "--flag-model", model]
                    for name, model in SETTINGS.items()}

        def run(command: list[str]) -> Callable[[], None]:
            def once() -> None:
                shutil.rmtree(Path(cache) / "check-outputs", ignore_errors=True)
                subprocess.run(command, check=True, capture_output=True, env=env)
            return once

        runs = {name: run(command) for name, command in commands.items()}
        for once in runs.values():  # fill the translation cache
            once()
        return best_alternating(runs, repeats)


def in_process(repeats: int) -> dict[str, float]:
    article = read_article(sample_folder())
    checkers = {name: Checker.from_config(engine="apertium", flag_model=model) for name, model in SETTINGS.items()}
    if checkers["with the model"].combiner is None:
        sys.exit("the detection model needs Grammalecte (apt-get install python3-grammalecte)")
    runs = {name: (lambda c=checker: c.check(article.text, article.references)) for name, checker in checkers.items()}
    for once in runs.values():  # warm the cache and every lazy load
        once()
    return best_alternating(runs, repeats)


def table(best: dict[str, float]) -> list[str]:
    ratio = best["with the model"] / best["detectors only"]
    return ["| run | best of the repeats |", "| --- | ---: |",
            *(f"| {name} | {seconds:.3f} s |" for name, seconds in best.items()), "",
            f"With / without the model: {ratio:.3f} ({100 * (ratio - 1):+.1f}%)."]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    body = "\n".join([
        "## Detection model: cost in `check` time (issue #22)", "",
        f"Command: `python benchmarks/flag_model_speed.py --repeats {args.repeats}`", "",
        "Goal: the model adds at most 10% to `check` on the sample. Apertium, translations cached.", "",
        "### `mtcheck check` of the sample, a fresh process each time (the model loaded and run once)", "",
        *table(command_line(args.repeats)), "",
        "### One more article in a running process (`Checker.check`; the per-article cost in a batch)", "",
        *table(in_process(args.repeats))])
    print(body)
    if not args.no_write:
        write_section("flag-model-speed", body)


if __name__ == "__main__":
    main()
