"""What the detection model adds to `check`'s time on the bundled sample (issue #22: at most 10%).

    python benchmarks/flag_model_speed.py [--repeats 5] [--no-write]

Both checkers run the same engine (Apertium through the translation cache, warmed by a first
run), the same detectors and the same sample; one with the bundled detection model, one with
``flag_model = "none"``. Each is timed over ``--repeats`` checks, alternating, and the best
time of each is kept (the least disturbed by the rest of the machine).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from _results import write_section  # noqa: E402

from mtcheck import Checker  # noqa: E402
from mtcheck.corpus import read_article  # noqa: E402
from mtcheck.resources import sample_folder  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    article = read_article(sample_folder())
    checkers = {"with the model": Checker.from_config(engine="apertium"),
                "detectors only": Checker.from_config(engine="apertium", flag_model="none")}
    if checkers["with the model"].combiner is None:
        sys.exit("the detection model needs Grammalecte (apt-get install python3-grammalecte)")
    best = {name: float("inf") for name in checkers}
    for name, checker in checkers.items():  # warm the cache and every lazy load
        checker.check(article.text, article.references)
    for _ in range(args.repeats):
        for name, checker in checkers.items():
            start = time.perf_counter()
            checker.check(article.text, article.references)
            best[name] = min(best[name], time.perf_counter() - start)
    ratio = best["with the model"] / best["detectors only"]
    body = "\n".join([
        "## Detection model: cost in `check` time (issue #22)", "",
        f"Command: `python benchmarks/flag_model_speed.py --repeats {args.repeats}`", "",
        "Goal: the model adds at most 10% to `check` on the sample (translations cached).", "",
        "| run | best of the repeats |", "| --- | ---: |",
        *(f"| {name} | {seconds:.3f} s |" for name, seconds in best.items()), "",
        f"Ratio with / without the model: {ratio:.3f} ({100 * (ratio - 1):+.1f}%)."])
    print(body)
    if not args.no_write:
        write_section("flag-model-speed", body)


if __name__ == "__main__":
    main()
