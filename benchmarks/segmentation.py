"""Sentence segmentation: mtcheck vs pySBD and other well-kept segmenters, by category.

    python benchmarks/segmentation.py [--gold tests/data/segmentation_fr.jsonl]

Scores sentence-boundary precision, recall and F1 on the gold set: a boundary is the
character offset where a sentence ends (the end of the text excluded). Segmenters that
return strings are mapped back to offsets by searching each sentence left to right.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from mtcheck.segment import segment  # noqa: E402


def boundaries_from_strings(text: str, sentences: list[str]) -> set[int]:
    ends, cursor = set(), 0
    for sentence in sentences:
        stripped = sentence.strip()
        if not stripped:
            continue
        found = text.find(stripped, cursor)
        if found < 0:  # the segmenter changed the text; fall back on its first characters
            found = text.find(stripped[:10], cursor)
            if found < 0:
                continue
            cursor = found + len(stripped)
        else:
            cursor = found + len(stripped)
        ends.add(cursor)
    return ends - {len(text.rstrip())}


def _mtcheck(text: str) -> set[int]:
    segs = segment(text)
    return {s.end for s in segs} - {segs[-1].end} if segs else set()


def segmenters() -> dict[str, Callable[[str], set[int]]]:
    found: dict[str, Callable[[str], set[int]]] = {"mtcheck": _mtcheck}
    try:
        import pysbd

        sbd = pysbd.Segmenter(language="fr", clean=False)
        found["pySBD"] = lambda t: boundaries_from_strings(t, sbd.segment(t))
    except ImportError:
        pass
    try:
        from sentence_splitter import SentenceSplitter

        moses = SentenceSplitter(language="fr")
        found["sentence-splitter (Moses)"] = lambda t: boundaries_from_strings(t, moses.split(t))
    except ImportError:
        pass
    try:
        import blingfire

        found["BlingFire"] = lambda t: boundaries_from_strings(t, blingfire.text_to_sentences(t).split("\n"))
    except ImportError:
        pass
    return found


def gold_boundaries(case: dict) -> set[int]:
    return boundaries_from_strings(case["text"], case["sentences"])


def evaluate(cases: list[dict]) -> dict[str, dict[str, tuple[float, float, float]]]:
    """Per segmenter, per category (and "all"): precision, recall, F1 of boundaries."""
    results: dict[str, dict[str, tuple[float, float, float]]] = {}
    for name, split in segmenters().items():
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, predicted, gold
        for case in cases:
            gold = gold_boundaries(case)
            predicted = split(case["text"])
            for key in (case["category"], "all"):
                counts[key][0] += len(gold & predicted)
                counts[key][1] += len(predicted)
                counts[key][2] += len(gold)
        results[name] = {k: _prf(*v) for k, v in counts.items()}
    return results


def _prf(tp: int, predicted: int, gold: int) -> tuple[float, float, float]:
    p = tp / predicted if predicted else 1.0
    r = tp / gold if gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", default=str(ROOT / "tests" / "data" / "segmentation_fr.jsonl"))
    parser.add_argument("--no-write", action="store_true", help="print only, leave RESULTS.md alone")
    args = parser.parse_args()
    cases = [json.loads(line) for line in Path(args.gold).read_text(encoding="utf-8").splitlines() if line.strip()]
    results = evaluate(cases)
    names = list(results)
    categories = sorted({c["category"] for c in cases}) + ["all"]
    lines = [
        "## Sentence segmentation (issue #4)",
        "",
        "Command: `python benchmarks/segmentation.py`",
        "",
        f"Boundary F1 on `tests/data/segmentation_fr.jsonl` ({len(cases)} cases). Best per row in bold.",
        "",
        "| category | cases | " + " | ".join(names) + " |",
        "| --- | ---: | " + " | ".join("---:" for _ in names) + " |",
    ]
    for cat in categories:
        n = len(cases) if cat == "all" else sum(c["category"] == cat for c in cases)
        f1s = [results[name][cat][2] for name in names]
        best = max(f1s)
        cells = [f"**{f:.3f}**" if f == best else f"{f:.3f}" for f in f1s]
        lines.append(f"| {cat} | {n} | " + " | ".join(cells) + " |")
    p, r, f = results["mtcheck"]["all"]
    lines += ["", f"mtcheck overall: precision {p:.3f}, recall {r:.3f}, F1 {f:.3f}."]
    print("\n".join(lines))
    if not args.no_write:
        from _results import write_section

        write_section("segmentation", "\n".join(lines))


if __name__ == "__main__":
    main()
