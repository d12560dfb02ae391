"""End-to-end batch throughput against raw CTranslate2, reruns, Ray with 1 and 2 workers.

    python benchmarks/batch.py [--articles 40] [--beam 2] [--out-tokens 24] [--ray-articles 120]
                               [--ray-repeats 1] [--no-ray]

The batch is real machine-translated French: the first N documents of the WMT20 QE en-fr
development data (read from ../shared, not copied), one article each, with the English
source sentences as references. The engine is ``ct2`` on a randomly initialised model with
exactly the architecture of Helsinki-NLP/opus-mt-fr-en, so that the time spent in the
engine carries over to the real model.

Every run is the user's command (``mtcheck batch`` in a fresh process, wall time), beside a
raw CTranslate2 program in a fresh process that loads the same converted model and calls
``translate_batch`` once on the same distinct sentences with the same beam and length (with
its threads inside one worker, CTranslate2's default, and as one-thread workers, as mtcheck's
engine runs on CPU):
- ct2 first run (empty cache) and rerun of the same output folder (every article unchanged);
- the same with ``--engine apertium``;
- a profile of the ct2 rerun (top 10 by cumulative time);
- the local backend and ``--backend ray`` with 1 and 2 workers of one thread each, on a Ray
  instance started once beforehand (``ray start --head``), no translation cache, on the first
  ``--ray-articles`` documents (each actor's start, seconds on 2 cores, weighs less there),
  and the CPU seconds the check actors spent with one worker and with two (on Linux): what
  the two slow each other down by bounds their speed-up, whatever Ray adds. On a machine
  whose timings vary from run to run (a shared virtual machine), ``--ray-repeats N`` runs
  those rows N times and gives each row's median, and the two-vs-one ratio of every run.
- what the machine gives two one-thread engines over one: two raw CTranslate2 processes side
  by side against each alone, in short alternating turns (in the ``--ray-only`` section).
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_DATA = ROOT.parent / "shared" / "dev-data" / "wmt20-qe-enfr-train.jsonl"
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]  # tests.fixture_models, _results


from _results import user_environment  # noqa: E402
from mtcheck import Reference  # noqa: E402
from mtcheck.corpus import ArticleInput  # noqa: E402


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


RAW_CT2 = """
import sys, time, json, ctranslate2
from transformers import AutoTokenizer
model, converted, beam, length, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
sentences = json.load(open(sys.argv[6], encoding="utf-8"))
options = set(sys.argv[7].split(",")) if len(sys.argv) > 7 else set()
attention = "attention" in options
# "workers": as many one-thread workers as threads (inter_threads), as mtcheck's engine runs on CPU.
layout = {"inter_threads": threads, "intra_threads": 1} if "workers" in options else {"intra_threads": threads}
start = time.perf_counter()
tokenizer = AutoTokenizer.from_pretrained(model)
translator = ctranslate2.Translator(converted, device="cpu", compute_type="int8", **layout)
loaded = time.perf_counter()
tokens = [tokenizer.convert_ids_to_tokens(tokenizer(s, truncation=True, max_length=512)["input_ids"]) for s in sentences]
out = translator.translate_batch(tokens, beam_size=beam, max_decoding_length=length, max_batch_size=4096,
                                 batch_type="tokens", return_attention=attention)
done = time.perf_counter()
print(json.dumps({"load": loaded - start, "translate": done - loaded}))
"""


def _raw_engine(converted: str, tokens: list[list[str]], beam: int, length: int, orders, results) -> None:
    """One one-thread CTranslate2 translator in its own process: translates ``tokens`` at each
    order and puts back (wall seconds, CPU seconds); stops at None."""
    import ctranslate2

    translator = ctranslate2.Translator(converted, device="cpu", compute_type="int8", inter_threads=1, intra_threads=1)
    translator.translate_batch(tokens[:4], beam_size=beam, max_decoding_length=length)
    results.put("ready")
    while orders.get() is not None:
        wall, cpu = time.perf_counter(), time.process_time()
        translator.translate_batch(tokens, beam_size=beam, max_decoding_length=length)
        results.put((time.perf_counter() - wall, time.process_time() - cpu))


def raw_engines_side_by_side(model: Path, converted: Path, sentences: list[str], beam: int, length: int,
                             turns: int = 15) -> tuple[float, float]:
    """What the machine gives two one-thread engines over one, whatever runs them: two raw
    CTranslate2 processes translate the same sentences side by side, and each alone, in turns
    of a few seconds (alone, together, the other alone), so that the machine's drift from
    minute to minute weighs on both. Medians over the turns of (throughput of two vs one, CPU
    seconds of two vs one for the same sentences)."""
    import multiprocessing

    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model))
    tokens = [tokenizer.convert_ids_to_tokens(tokenizer(s, truncation=True, max_length=512)["input_ids"])
              for s in sentences]
    context = multiprocessing.get_context("spawn")
    queues = [(context.Queue(), context.Queue()) for _ in range(2)]
    engines = [context.Process(target=_raw_engine, args=(str(converted), tokens, beam, length, orders, results))
               for orders, results in queues]
    for engine in engines:
        engine.start()
    try:
        for _, results in queues:
            results.get()

        def run(which: list[int]) -> list[tuple[float, float]]:
            for n in which:
                queues[n][0].put(True)
            return [queues[n][1].get() for n in which]

        speed, cpu = [], []
        for _ in range(turns):
            (first,), both, (second,) = run([0]), run([0, 1]), run([1])
            speed.append((first[0] + second[0]) / max(wall for wall, _ in both))
            cpu.append(sum(seconds for _, seconds in both) / (first[1] + second[1]))
        return statistics.median(speed), statistics.median(cpu)
    finally:
        for orders, _ in queues:
            orders.put(None)
        for engine in engines:
            engine.join(timeout=30)


def _timed(command: list[str], env: dict[str, str], output: list[str] | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    if output is not None:
        output.append(done.stdout)
    return seconds


class ActorCPU:
    """CPU seconds spent by mtcheck's Ray check actors (processes named ``ray::_CheckActor``)
    while a command runs, read from /proc every 0.3 s (an actor exits with its run): whether
    two workers need more CPU for the same articles than one, which no backend can win back.

    Only the actors' own entries are read once all ``actors`` are found: reading every
    process's entries every 0.3 s had cost about half a CPU second a run, taken from the
    actors themselves when two of them hold both cores."""

    def __init__(self, actors: int) -> None:
        self.actors = actors
        self.seconds: float | None = None

    @staticmethod
    def _actor_pids() -> list[int]:
        found = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if b"_CheckActor" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(int(pid))
            except OSError:  # the process has just ended
                continue
        return found

    @staticmethod
    def _ticks(pids: list[int]) -> dict[int, int]:
        found = {}
        for pid in pids:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:  # the actor has just ended
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            found[pid] = int(fields[11]) + int(fields[12])  # utime + stime
        return found

    def timed(self, command: list[str], env: dict[str, str]) -> float:
        if not Path("/proc/self/stat").exists():  # not Linux: the wall time alone
            return _timed(command, env)
        # An actor of the previous run may not have exited yet: only what a process spends
        # during this command counts (it had counted a whole run twice).
        before = self._ticks(self._actor_pids())
        latest: dict[int, int] = {}
        done = threading.Event()

        def sample() -> None:
            pids: list[int] = []
            while not done.is_set():
                if len(pids) < self.actors or not all(Path(f"/proc/{pid}").exists() for pid in pids):
                    pids = self._actor_pids()
                latest.update(self._ticks(pids))
                done.wait(0.3)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            return _timed(command, env)
        finally:
            done.set()
            sampler.join()
            # (Fewer ticks than before: the pid went to a new process, all of whose ticks count.)
            spent = sum(ticks - before[pid] if ticks >= before.get(pid, ticks + 1) else ticks
                        for pid, ticks in latest.items())
            self.seconds = spent / os.sysconf("SC_CLK_TCK")


def _mtcheck(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "mtcheck.cli", "batch", *arguments, "--quiet"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--beam", type=int, default=2)
    parser.add_argument("--out-tokens", type=int, default=24)
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument("--ray-articles", type=int, default=120,
                        help="articles for the local-vs-Ray rows (enough that each actor's start counts little)")
    parser.add_argument("--ray-repeats", type=int, default=1,
                        help="run the local-vs-Ray rows this many times and give each row's median (a "
                             "machine whose timings vary from run to run)")
    parser.add_argument("--ray-only", action="store_true", help="only the local-vs-Ray rows")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if not DEV_DATA.exists():
        raise SystemExit(f"{DEV_DATA} is missing: the batch benchmark reads real MT French from it")

    batch = articles(args.articles)
    with tempfile.TemporaryDirectory(prefix="mtcheck-batch-bench-") as folder:
        _run(args, batch, Path(folder))


def _run(args: argparse.Namespace, batch: list, work: Path) -> None:
    from tests.fixture_models import build_opus_sized_marian
    from mtcheck.engines.ct2 import CT2Engine
    from mtcheck.segment import FrenchSegmenter

    source, ray_source = work / "input.jsonl", work / "ray-input.jsonl"
    for path, chosen in ((source, batch), (ray_source, articles(args.ray_articles))):
        path.write_text("".join(json.dumps({"id": a.id, "text": a.text, "references": [r.text for r in a.references]},
                                           ensure_ascii=False) + "\n" for a in chosen), encoding="utf-8")
    segmenter = FrenchSegmenter()
    sentences = list(dict.fromkeys(s.text for a in batch for s in segmenter.segment(a.text)))
    (work / "sentences.json").write_text(json.dumps(sentences, ensure_ascii=False), encoding="utf-8")
    model = build_opus_sized_marian(work / "opus-sized", [s for a in batch for s in a.text.splitlines()][:2000])
    env = user_environment(MTCHECK_CACHE=str(work / "mtcheck-cache"), HF_HUB_OFFLINE="1")
    converted = CT2Engine(model=str(model), cache_dir=work / "mtcheck-cache")._converted  # once, outside the timings
    threads = os.cpu_count() or 1
    ct2 = ["--engine", "ct2", "--model", str(model), "--beam-size", str(args.beam), "--max-length", str(args.out_tokens)]

    if args.ray_only:
        lines = ["## Batch on Ray, local backend and 1 vs 2 workers (issue #23)", "",
                 f"Command: `python benchmarks/batch.py --ray-only --ray-articles {args.ray_articles} --beam {args.beam} "
                 f"--out-tokens {args.out_tokens} --ray-repeats {args.ray_repeats}`", "",
                 *_ray_rows(ray_source, args.ray_articles, ct2, env, work, args.ray_repeats),
                 "", _machine_ceiling(model, converted, sentences, args)]
        print("\n".join(lines))
        if not args.no_write:
            from _results import write_section

            write_section("batch-ray", "\n".join(lines))
        return
    def raw_program(*options: str, threads: int = threads) -> tuple[float, dict]:
        """The raw CTranslate2 program's wall time and the figures it prints."""
        printed: list[str] = []
        wall = _timed([sys.executable, "-c", RAW_CT2, str(model), str(converted), str(args.beam), str(args.out_tokens),
                       str(threads), str(work / "sentences.json"), *options], env, printed)
        return wall, json.loads(printed[0])

    raw_wall, raw = raw_program()
    # The same call returning attention, which mtcheck reads for its word links (reference-divergence).
    _, raw_attention = raw_program("attention")
    raw_workers_wall, raw_workers = raw_program("workers")
    # One one-thread worker: what the cores give two workers over one, whatever runs them (Ray's ceiling).
    _, raw_one_worker = raw_program("workers", threads=1)
    first = _timed(_mtcheck(str(source), "-o", str(work / "ct2"), *ct2), env)
    rerun = _timed(_mtcheck(str(source), "-o", str(work / "ct2"), *ct2), env)
    profile = work / "rerun.prof"
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "mtcheck.cli", "batch", str(source),
                    "-o", str(work / "ct2"), *ct2, "--quiet"], check=True, capture_output=True, env=env)
    apertium_first = _timed(_mtcheck(str(source), "-o", str(work / "apertium"), "--engine", "apertium"), env)
    apertium_rerun = _timed(_mtcheck(str(source), "-o", str(work / "apertium"), "--engine", "apertium"), env)

    lines = [
        "## Batch scoring end to end (issue #23)", "",
        f"Command: `python benchmarks/batch.py --articles {args.articles} --beam {args.beam} "
        f"--out-tokens {args.out_tokens} --ray-articles {args.ray_articles}"
        + (f" --ray-repeats {args.ray_repeats}" if args.ray_repeats > 1 else "") + "`", "",
        f"{len(batch)} articles ({len(sentences)} distinct sentences) of real MT French from WMT20 QE en-fr with "
        f"their English sources as references; `ct2` int8 on the opus-mt-fr-en-sized model (random weights, beam "
        f"{args.beam}, at most {args.out_tokens} output tokens), every default detector, Apertium en→fr for the "
        "reference translations and round trips. Every figure is the wall time of a fresh process, from one run "
        "(with Python's bytecode cache on, as a user's Python has it).", "",
        "| figure | value |", "| --- | ---: |",
        f"| raw CTranslate2 program (load + tokenise + one translate_batch), s | {raw_wall:.1f} |",
        f"| of which translate_batch, s | {raw['translate']:.1f} |",
        f"| translate_batch returning attention (for word links), s | {raw_attention['translate']:.1f} |",
        f"| raw program with {threads} one-thread workers (`inter_threads`, as mtcheck runs CTranslate2 on CPU), s "
        f"| {raw_workers_wall:.1f} |",
        f"| of which translate_batch, s | {raw_workers['translate']:.1f} |",
        f"| translate_batch with one one-thread worker, s | {raw_one_worker['translate']:.1f} |",
        f"| {threads} one-thread workers vs one, raw translate_batch (what the cores give more workers) "
        f"| {raw_one_worker['translate'] / raw_workers['translate']:.2f}× |",
        f"| `mtcheck batch --engine ct2`, first run, s | {first:.1f} |",
        f"| end to end vs the raw program (raw ÷ mtcheck) | {raw_wall / first:.2f}× |",
        f"| end to end vs the raw program with one-thread workers | {raw_workers_wall / first:.2f}× |",
        f"| end to end vs translate_batch alone | {raw['translate'] / first:.2f}× |",
        f"| time outside translate_batch's share | {1 - raw['translate'] / first:.1%} |",
        f"| ct2 rerun, every article unchanged, s | {rerun:.2f} |",
        f"| ct2 rerun speed-up | {first / rerun:.1f}× |",
        f"| `--engine apertium` first run, s (sentences/s) | {apertium_first:.1f} ({len(sentences) / apertium_first:.1f}) |",
        f"| apertium rerun, s | {apertium_rerun:.2f} |",
        f"| apertium rerun speed-up | {apertium_first / apertium_rerun:.1f}× |",
    ]
    print("\n".join(lines), flush=True)
    if not args.no_ray:
        lines += ["", *_ray_rows(ray_source, args.ray_articles, ct2, env, work, args.ray_repeats)]
    stats = pstats.Stats(str(profile))
    everything = max(v[3] for v in stats.stats.values())  # type: ignore[attr-defined]
    # The entry points (runpy, the command line, the command's own function) hold the whole run: below them.
    rows = sorted(((k, v) for k, v in stats.stats.items() if v[3] < 0.9 * everything),  # type: ignore[attr-defined]
                  key=lambda kv: kv[1][3], reverse=True)[:10]
    lines += ["", f"Profile of the ct2 rerun ({everything:.2f} s under cProfile; top 10 by cumulative time below "
                  "the command's entry points):", "",
              "| function | calls | cumulative s |", "| --- | ---: | ---: |"]
    for (file, line, name), (_, calls, _, cumulative, _) in rows:
        lines.append(f"| `{Path(file).name}:{line}({name})` | {calls} | {cumulative:.3f} |")
    print("\n".join(lines))
    if not args.no_write:
        from _results import write_section

        write_section("batch", "\n".join(lines))


def _machine_ceiling(model: Path, converted: Path, sentences: list[str], args: argparse.Namespace) -> str:
    turns = 15
    speed, cpu = raw_engines_side_by_side(model, converted, sentences[:40], args.beam, args.out_tokens, turns)
    return (f"What the machine allows: two raw CTranslate2 processes of one thread each, side by side, against each "
            f"alone, on the same 40 sentences in {turns} turns of a few seconds: {speed:.2f}× the throughput of one, "
            f"for {cpu:.2f}× the CPU seconds (medians over the turns).")


def _ray_rows(source: Path, count: int, ct2: list[str], env: dict[str, str], work: Path,
              repeats: int = 1) -> list[str]:
    """Local backend and Ray with 1 and 2 one-thread workers, on a Ray head started once.

    One worker of 1.5 CPUs overlaps its engine with its checks as the local backend does (the
    like-for-like comparison); workers of half a CPU each run the stages in turn, so that two
    of them share 2 cores without taking each other's (the scaling comparison).
    """
    from tests.local_ray import local_cluster

    with local_cluster(work / "ray-logs", ["{}"]) as (address, cluster_env):
        env = {**env, **{k: v for k, v in cluster_env.items() if k.startswith("RAY_")}}
        common = [*ct2, "--threads", "1", "--no-cache"]

        def ray(name: str, workers: int, cpus: str, cpu: ActorCPU | None = None) -> float:
            command = _mtcheck(str(source), "-o", str(work / name), *common, "--backend", "ray",
                               "--jobs", str(workers), "--cpus-per-worker", cpus, "--address", address)
            return cpu.timed(command, env) if cpu else _timed(command, env)

        runs: dict[str, list[float]] = {"local": [], "whole": [], "one": [], "two": [], "one_cpu": [], "two_cpu": []}
        for n in range(repeats):  # each run into folders of its own: a batch reuses what a folder holds
            runs["local"].append(_timed(_mtcheck(str(source), "-o", str(work / f"local-1-{n}"), *common), env))
            runs["whole"].append(ray(f"ray-1-overlap-{n}", 1, "1.5"))
            pair = [("one", 1, ActorCPU(1)), ("two", 2, ActorCPU(2))]
            # Which of the pair runs first alternates, so that a machine slowing down (or
            # speeding up) through a pair favours neither.
            for name, workers, cpu in pair if n % 2 == 0 else pair[::-1]:
                runs[name].append(ray(f"ray-{workers}-{n}", workers, "0.5", cpu))
                runs[f"{name}_cpu"].append(cpu.seconds or 0.0)
    local, whole, one, two = (statistics.median(runs[k]) for k in ("local", "whole", "one", "two"))
    one_seconds, two_seconds = statistics.median(runs["one_cpu"]), statistics.median(runs["two_cpu"])
    what = f"no cache, median of {repeats} runs" if repeats > 1 else "no cache"
    rows = [f"| run ({count} articles, one engine thread per worker, {what}) | s | vs local | vs Ray 1 worker of 0.5 CPU |",
            "| --- | ---: | ---: | ---: |",
            f"| local backend, 1 process (engine and checks overlap) | {local:.1f} | 1.00× | |",
            f"| ray, 1 worker of 1.5 CPUs (engine and checks overlap) | {whole:.1f} | {whole / local:.2f}× | |",
            f"| ray, 1 worker of 0.5 CPU (one stage at a time) | {one:.1f} | | 1.00× |",
            f"| ray, 2 workers of 0.5 CPU each | {two:.1f} | | {one / two:.2f}× |"]
    if one_seconds and two_seconds:
        more = two_seconds / one_seconds
        rows += ["", f"CPU seconds of the check actors for the same {count} articles: {one_seconds:.1f} s for one "
                     f"worker, {two_seconds:.1f} s for two ({more:.2f}×"
                     + ("; the two on the 2 cores slowing each other down, or the machine's speed drifting between "
                        f"runs). At that cost two workers can be at most {2 / more:.2f}× one, before Ray's start "
                        "and the driver." if more > 1 else ": no slow-down between the two workers measured).")]
    if repeats > 1:
        # The machine's speed drifts between runs (a shared virtual machine): a ratio of two
        # runs made one after the other compares like with like, a ratio of two medians taken
        # over different runs does not.
        paired = [a / b for a, b in zip(runs["one"], runs["two"])]
        rows += ["", "Two workers vs one, run by run (each pair run one after the other): "
                 + ", ".join(f"{r:.2f}×" for r in paired) + f"; median {statistics.median(paired):.2f}×."]
    return rows


if __name__ == "__main__":
    main()
