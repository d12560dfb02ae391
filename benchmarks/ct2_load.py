"""Loading the ct2 engine: int8 weights stored quantised at conversion, against float32 weights
quantised at load (issue #23: every process that checks, each Ray actor included, loads it).

    python benchmarks/ct2_load.py [--repeats 7] [--no-write]

On an opus-mt-fr-en-sized Marian (random weights): the size of each conversion's model.bin,
the time a fresh process takes to build mtcheck's CT2Engine from it (median of ``--repeats``),
and whether the two give the same translations, word links and token log-probabilities on the
sample article's sentences.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from _results import user_environment, write_section  # noqa: E402

# Run in a fresh process: builds the engine (converting on the first run) and prints the
# seconds the build took, model.bin's size, and on request the translations of argv[4:].
_PROGRAM = r"""
import json, sys, time
from pathlib import Path
import mtcheck.engines.ct2 as ct2
if sys.argv[3] == "at-load":
    ct2.stored_quantization = lambda device, compute_type, supported: None  # what mtcheck did before
start = time.perf_counter()
engine = ct2.CT2Engine(model=sys.argv[1], cache_dir=Path(sys.argv[2]), device="cpu", compute_type="int8",
                       beam_size=2, max_decoding_length=24, threads=1)
seconds = time.perf_counter() - start
french = json.loads(sys.argv[4]) if len(sys.argv) > 4 else []
print(json.dumps({"seconds": seconds, "bytes": (engine._converted / "model.bin").stat().st_size,
                  "translations": [repr(t) for t in engine.translate(french)]}))
"""


def _run(model: Path, cache: Path, variant: str, french: list[str] | None = None) -> dict:
    command = [sys.executable, "-c", _PROGRAM, str(model), str(cache), variant]
    if french is not None:
        command.append(json.dumps(french, ensure_ascii=False))
    done = subprocess.run(command, check=True, capture_output=True, text=True,
                          env=user_environment(HF_HUB_OFFLINE="1"))
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from mtcheck.resources import sample_folder
    from mtcheck.segment import FrenchSegmenter
    from tests.fixture_models import build_opus_sized_marian

    sample = (sample_folder() / "article.fr.txt").read_text(encoding="utf-8")
    french = [sentence.text for sentence in FrenchSegmenter().segment(sample)]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        model = build_opus_sized_marian(work / "opus-sized", french)
        figures = {}
        for variant in ("at-load", "stored"):
            cache = work / f"cache-{variant}"
            first = _run(model, cache, variant, french)  # converts
            seconds = [_run(model, cache, variant)["seconds"] for _ in range(args.repeats)]
            figures[variant] = {"bytes": first["bytes"], "seconds": statistics.median(seconds),
                                "translations": first["translations"]}
    at_load, stored = figures["at-load"], figures["stored"]
    same = sum(a == b for a, b in zip(at_load["translations"], stored["translations"]))
    body = "\n".join([
        "## Loading the ct2 engine: int8 weights stored quantised (issue #23)", "",
        f"Command: `python benchmarks/ct2_load.py --repeats {args.repeats}`", "",
        "opus-mt-fr-en-sized Marian (random weights), CPU, compute type int8. Build: a fresh process "
        f"constructing mtcheck's `CT2Engine` from a conversion already made (median of {args.repeats}).", "",
        "| conversion | model.bin MB | build s |",
        "| --- | ---: | ---: |",
        f"| float32 weights, quantised at load (before) | {at_load['bytes'] / 1e6:.0f} | {at_load['seconds']:.3f} |",
        f"| int8 weights stored quantised (now) | {stored['bytes'] / 1e6:.0f} | {stored['seconds']:.3f} |", "",
        f"Stored / at load: {stored['bytes'] / at_load['bytes']:.2f}× the disk, {stored['seconds'] / at_load['seconds']:.2f}× "
        f"the build time. Translations, word links and token log-probabilities identical on {same} of the "
        f"sample's {len(french)} sentences.",
    ])
    print(body)
    if not args.no_write:
        write_section("ct2-load", body)


if __name__ == "__main__":
    main()
