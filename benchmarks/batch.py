"""End-to-end batch throughput: articles per minute, time outside the engine, cache speed-up, memory.

    python benchmarks/batch.py [--articles 200] [--beam 2] [--out-tokens 24]

The batch is real machine-translated French: the first N documents of the WMT20 QE en-fr
development data (read from ../shared, not copied), one article each, with the English
source sentences as references. The engine is ``ct2`` on a randomly initialised model with
exactly the architecture of Helsinki-NLP/opus-mt-fr-en (fixed output length), so that the
share of time spent in the engine carries over to the real model.

Measured in one process: the first run (every sentence translated), then a second run of
the same batch into a fresh output folder (every sentence a cache hit), and the resident
memory after each quarter of the first run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_DATA = ROOT.parent / "shared" / "dev-data" / "wmt20-qe-enfr-train.jsonl"
sys.path.insert(0, str(ROOT / "benchmarks"))

from _results import process_memory_mb  # noqa: E402

from mtcheck import Checker, Reference  # noqa: E402
from mtcheck.batch.run import run_batch  # noqa: E402
from mtcheck.corpus import ArticleInput  # noqa: E402
from mtcheck.engines.cache import CachedEngine, TranslationCache  # noqa: E402


class TimedEngine:
    """Counts the seconds spent inside an engine."""

    def __init__(self, engine) -> None:
        self.engine, self.seconds = engine, 0.0
        self.name, self.signature = engine.name, engine.signature

    def translate(self, texts):
        start = time.perf_counter()
        try:
            return self.engine.translate(texts)
        finally:
            self.seconds += time.perf_counter() - start


def articles(n: int) -> list[ArticleInput]:
    docs = []
    with DEV_DATA.open(encoding="utf-8") as lines:
        for position, line in enumerate(lines):
            if len(docs) == n:
                break
            d = json.loads(line)
            refs = tuple(Reference(id=f"s{i}", text=t) for i, t in enumerate(d["source_segments_en"]) if t.strip())
            docs.append(ArticleInput(id=d["doc_id"], text="\n".join(d["mt_segments_fr"]), references=refs,
                                     position=position))
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--beam", type=int, default=2)
    parser.add_argument("--out-tokens", type=int, default=24)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if not DEV_DATA.exists():
        raise SystemExit(f"{DEV_DATA} is missing: the batch benchmark reads real MT French from it")

    from tests.fixture_models import build_opus_sized_marian
    from mtcheck.engines.apertium import ApertiumEngine
    from mtcheck.engines.ct2 import CT2Engine

    batch = articles(args.articles)
    sentences = sum(a.text.count("\n") + 1 for a in batch)
    work = Path(tempfile.mkdtemp(prefix="mtcheck-batch-bench-"))
    model = build_opus_sized_marian(work / "opus-sized", [s for a in batch for s in a.text.splitlines()][:2000])
    ct2 = CT2Engine(model=str(model), beam_size=args.beam, min_decoding_length=args.out_tokens,
                    max_decoding_length=args.out_tokens, cache_dir=work)
    cache = TranslationCache(work / "translations.sqlite")
    forward = TimedEngine(CachedEngine(ct2, cache))
    reverse = TimedEngine(CachedEngine(ApertiumEngine.english_to_french(), cache))
    checker = Checker(engine=forward, reverse_engine=reverse, cache=cache)

    memory = []

    def sampled(items):
        for i, item in enumerate(items, 1):
            yield item
            if i % max(1, len(batch) // 4) == 0:
                memory.append((i, process_memory_mb("VmRSS")))

    start = time.perf_counter()
    first = run_batch(sampled(batch), lambda: checker, work / "run1", progress=False)
    first_seconds = time.perf_counter() - start
    engine_first, reverse_first = forward.seconds, reverse.seconds
    forward.seconds = reverse.seconds = 0.0
    start = time.perf_counter()
    second = run_batch(batch, lambda: checker, work / "run2", progress=False)
    second_seconds = time.perf_counter() - start
    assert first.checked == second.checked

    outside_forward = 1 - engine_first / first_seconds
    outside_both = 1 - (engine_first + reverse_first) / first_seconds
    lines = [
        "## Batch scoring end to end (issue #7)",
        "",
        f"Command: `python benchmarks/batch.py --articles {args.articles} --beam {args.beam} "
        f"--out-tokens {args.out_tokens}`",
        "",
        f"{len(batch)} articles ({sentences} sentences) of real MT French from WMT20 QE en-fr with their English "
        f"sources as references; `ct2` int8 engine on the opus-mt-fr-en-sized model (random weights, beam "
        f"{args.beam}, {args.out_tokens} output tokens), every default detector, Apertium en→fr for the "
        "reference translations and round trips, translation cache on.",
        "",
        "| figure | value |",
        "| --- | ---: |",
        f"| first run: articles per minute | {60 * first.checked / first_seconds:.1f} |",
        f"| first run: share of time in the ct2 engine | {engine_first / first_seconds:.1%} |",
        f"| first run: share in the en→fr engine (Apertium) | {reverse_first / first_seconds:.1%} |",
        f"| first run: time outside the ct2 engine | {outside_forward:.1%} |",
        f"| first run: time outside both engines | {outside_both:.1%} |",
        f"| second run (all cache hits): articles per minute | {60 * second.checked / second_seconds:.1f} |",
        f"| second run speed-up over the first | {first_seconds / second_seconds:.1f}× |",
        "| resident memory during the first run (articles done: MB) | "
        + ", ".join(f"{i}: {mb:.0f}" for i, mb in memory) + " |",
    ]
    print("\n".join(lines))
    if not args.no_write:
        from _results import write_section

        write_section("batch", "\n".join(lines))


if __name__ == "__main__":
    main()
