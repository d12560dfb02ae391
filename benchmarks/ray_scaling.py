"""Ray backend throughput with 1 and 2 local workers (actors), against the local backend.

    python benchmarks/ray_scaling.py [--articles 40]

Same articles and engine as benchmarks/batch.py (real MT French from WMT20 QE en-fr; ct2
on the opus-mt-fr-en-sized model), each actor pinned to one CPU thread so that workers,
not threads, carry the parallelism; translation cache off so that every run translates.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from batch import articles  # noqa: E402


def make_checker(model: str, cache_dir: str):
    from mtcheck import Checker
    from mtcheck.engines.ct2 import CT2Engine

    engine = CT2Engine(model=model, beam_size=2, min_decoding_length=24, max_decoding_length=24,
                       cache_dir=Path(cache_dir), threads=1)
    return Checker(engine=engine, reverse_engine=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    import ray

    from mtcheck.batch.run import run_batch
    from tests.fixture_models import build_opus_sized_marian
    from mtcheck.engines.ct2 import CT2Engine
    from mtcheck.batch.ray_backend import run_batch_ray

    batch = articles(args.articles)
    work = Path(tempfile.mkdtemp(prefix="mtcheck-ray-bench-"))
    source = work / "input.jsonl"
    source.write_text("".join(json.dumps({"id": a.id, "text": a.text, "references": [r.text for r in a.references]},
                                         ensure_ascii=False) + "\n" for a in batch), encoding="utf-8")
    model = build_opus_sized_marian(work / "opus-sized", [s for a in batch for s in a.text.splitlines()][:2000])
    CT2Engine(model=str(model), cache_dir=work)  # convert once, outside the timings
    make = functools.partial(make_checker, str(model), str(work))

    from mtcheck.batch.sources import iter_articles

    rows = []
    start = time.perf_counter()
    local = run_batch(iter_articles(source), make, work / "local", progress=False)
    rows.append(("local backend, 1 process", time.perf_counter() - start, local.checked))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    for workers in (1, 2):
        start = time.perf_counter()
        outcome = run_batch_ray(source, make, work / f"ray-{workers}", workers=workers, cpus_per_worker=0.5, batch_size=4)
        rows.append((f"ray, {workers} worker{'s' if workers > 1 else ''}", time.perf_counter() - start,
                     outcome.checked))
    ray.shutdown()
    base = rows[1][1]
    lines = ["## Ray backend scaling (issue #11)", "",
             f"Command: `python benchmarks/ray_scaling.py --articles {args.articles}`", "",
             f"{len(batch)} articles of real MT French (WMT20 QE en-fr), ct2 int8 on the opus-mt-fr-en-sized model "
             "(beam 2, 24 output tokens), one CPU thread per worker, no translation cache, local Ray with 2 CPUs. "
             "Wall time includes starting the actors and loading one engine in each.", "",
             "| run | seconds | articles/min | speed-up vs 1 Ray worker |", "| --- | ---: | ---: | ---: |"]
    for name, seconds, checked in rows:
        lines.append(f"| {name} | {seconds:.1f} | {60 * checked / seconds:.1f} | {base / seconds:.2f}× |")
    print("\n".join(lines))
    if not args.no_write:
        from _results import write_section

        write_section("ray", "\n".join(lines))


if __name__ == "__main__":
    main()
