"""How `check` time and memory grow with the article: issue 21's bounded cost.

    python benchmarks/input_size.py [--sizes 10000,100000,1000000] [--detectors NAMES] [--no-write]

Each article is made of real French news sentences (the segmentation gold set) in
paragraphs, up to the size asked; one more is a single line of 200,000 characters with no
punctuation (one word repeated). Each runs in a fresh process (`mtcheck.check` with the
Apertium engine and no cache, so every sentence is translated), which reports its wall time
and its peak resident memory. The figures that matter are ratios within one run: the
1 MB / 100 KB time ratio (at most 12 for near-linear growth) and the long line against the
100 KB article of normal sentences.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from _results import write_section  # noqa: E402

GOLD = ROOT / "tests" / "data" / "segmentation_fr.jsonl"

_CHILD = """
import json, sys, time
from _results import process_memory_mb
import mtcheck
start = time.perf_counter()
report = mtcheck.check(sys.argv[1], engine="apertium", cache=False, detectors=sys.argv[2].split(",") if sys.argv[2] else None)
print(json.dumps({"seconds": time.perf_counter() - start, "peak_mb": process_memory_mb("VmHWM"),
                  "segments": len(report.segments), "flags": len(report.flags)}))
"""


def news_article(size: int) -> str:
    sentences = [json.loads(line)["text"] for line in GOLD.read_text(encoding="utf-8").splitlines()]
    paragraphs, total, i = [], 0, 0
    while total < size:
        paragraph = " ".join(sentences[(i + k) % len(sentences)] for k in range(3))
        paragraphs.append(paragraph)
        total += len(paragraph) + 2
        i += 3
    return "\n\n".join(paragraphs)[:size]


def measure(text: str, detectors: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "article.fr.txt"
        path.write_text(text, encoding="utf-8")
        out = subprocess.run([sys.executable, "-c", _CHILD, str(path), detectors], capture_output=True, text=True,
                             cwd=ROOT / "benchmarks", check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="article sizes in characters")
    parser.add_argument("--detectors", default="", help="comma-separated detectors (default: the default set)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rows, by_size = [], {}
    for size in [int(s) for s in args.sizes.split(",")]:
        result = measure(news_article(size), args.detectors)
        by_size[size] = result
        rows.append((f"news, {size:,} characters", result))
        print(rows[-1], flush=True)
    long_line = measure(" ".join(["guerre"] * 28_572)[:200_000], args.detectors)
    rows.append(("one line of 200,000 characters, no punctuation", long_line))
    print(rows[-1], flush=True)
    lines = ["| article | segments | flags | time (s) | peak memory (MB) |", "| --- | ---: | ---: | ---: | ---: |"]
    lines += [f"| {name} | {r['segments']} | {r['flags']} | {r['seconds']:.1f} | {r['peak_mb']:.0f} |" for name, r in rows]
    if 100_000 in by_size and 1_000_000 in by_size:
        lines += ["", f"1 MB / 100 KB time ratio: {by_size[1_000_000]['seconds'] / by_size[100_000]['seconds']:.1f} "
                      "(goal: at most 12)."]
    if 1_000_000 in by_size and 5_000_000 in by_size:
        lines += [f"5 MB / 1 MB time ratio: {by_size[5_000_000]['seconds'] / by_size[1_000_000]['seconds']:.1f} "
                  "(linear: 5); peak memory ratio: "
                  f"{by_size[5_000_000]['peak_mb'] / by_size[1_000_000]['peak_mb']:.1f}."]
    if 100_000 in by_size:
        lines += [f"200,000-character line / 100 KB article time ratio: "
                  f"{long_line['seconds'] / by_size[100_000]['seconds']:.2f} (goal: at most 1)."]
    detectors = args.detectors or "the default set"
    body = "\n".join([f"## Input size (issue #21): `check` time and peak memory, Apertium, no cache, detectors: "
                      f"{detectors}", "", f"Command: `python benchmarks/input_size.py --sizes {args.sizes}`", ""] + lines)
    print(body)
    if not args.no_write:
        write_section("input-size", body)


if __name__ == "__main__":
    main()
