"""Reference alignment on real news (issue #22): does each English original find the French
sentences that render it, and only those?

    python benchmarks/reference_alignment.py [--engine apertium] [--no-write]

Gold: the bundled samples' ``seed_fr_hint`` (the reviewer's note of where each reference is
rendered; "None" when the article does not render it). Every fragment of a hint (split at
"AND" and at ellipses) marks the sentences that contain its first words; a reference
rendered twice has two. Reported per sample and overall: pair precision (aligned
sentence–reference pairs that are gold), pair recall (gold pairs aligned), references found
where gold says they are rendered, and references wrongly aligned where gold says they are not.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from _results import write_section  # noqa: E402

from mtcheck import Checker  # noqa: E402
from mtcheck.corpus import read_article  # noqa: E402
from mtcheck.engines import EngineSpec, load_engine  # noqa: E402
from mtcheck.resources import bundled_path  # noqa: E402


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("’", "'").lower()
    return re.sub(r"[^\w']+", " ", text).strip()


NEWS_DEV = ROOT.parent / "shared" / "news-dev" / "articles.jsonl"
# Our own annotation of where each news-dev reference is rendered (a held-out split).
NEWS_DEV_GOLD = ROOT / "benchmarks" / "annotations" / "news-dev-alignment.jsonl"


def gold_pairs(references_path: Path, segments) -> dict[str, set[int]]:
    """Reference id → indices of the segments its hint points at (empty: not rendered)."""
    hints = {}
    for line in references_path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        hints[record["id"]] = record.get("seed_fr_hint")
    return pairs_from_hints(hints, segments)


def pairs_from_hints(hints: dict[str, str | None], segments) -> dict[str, set[int]]:
    """Reference id → indices of the segments holding the first words of each fragment of its hint."""
    gold: dict[str, set[int]] = {}
    normal_segments = [_normal(s.text) for s in segments]
    for reference_id, hint in hints.items():
        found: set[int] = set()
        if hint and hint != "None":
            hint = re.sub(r"\(rendered twice\)", "", hint)
            for fragment in re.split(r"\bAND\b|\.\.\.|…", hint):
                words = _normal(fragment).split()
                if len(words) < 3:
                    continue
                probe = " ".join(words[:6])
                found |= {i for i, text in enumerate(normal_segments) if probe in text}
        gold[reference_id] = found
    return gold


def score(aligned: dict[str, set[int]], gold: dict[str, set[int]]) -> dict[str, float]:
    predicted = {(r, i) for r, segs in aligned.items() for i in segs}
    truth = {(r, i) for r, segs in gold.items() for i in segs}
    rendered = {r for r, segs in gold.items() if segs}
    return {
        "pairs predicted": len(predicted), "pairs gold": len(truth), "pairs right": len(predicted & truth),
        "references rendered": len(rendered),
        "rendered and found": sum(1 for r in rendered if aligned.get(r) & gold[r]),
        "not rendered but aligned": sum(1 for r, segs in gold.items() if not segs and aligned.get(r)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="apertium")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    engine = load_engine(EngineSpec(name=args.engine)).engine
    checker = Checker(engine=engine, detectors=["numbers"])
    rows = []
    samples = sorted(p for p in bundled_path("samples").iterdir() if (p / "references.en.jsonl").exists())
    totals: dict[str, float] = {}
    for folder in samples:
        article = read_article(folder)
        report = checker.check(article.text, article.references, article_id=article.id)
        gold = gold_pairs(folder / "references.en.jsonl", report.segments)
        aligned = {a.reference.id: set(a.segment_indices) for a in report.alignments}
        figures = score(aligned, gold)
        rows.append((folder.name, figures))
        for key, value in figures.items():
            totals[key] = totals.get(key, 0) + value
    rows.append(("all bundled", totals))
    if NEWS_DEV.exists() and NEWS_DEV_GOLD.exists():
        from mtcheck import Reference

        hints: dict[str, dict[str, str]] = {}
        for line in NEWS_DEV_GOLD.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            hints.setdefault(record["article"], {})[record["reference"]] = record["fr_hint"]
        news_totals: dict[str, float] = {}
        for line in NEWS_DEV.read_text(encoding="utf-8").splitlines():
            obj = json.loads(line)
            if not obj["references"]:
                continue
            refs = [Reference(id=r["id"], text=r["text"], speaker=r.get("speaker")) for r in obj["references"]]
            report = checker.check(obj["text"], refs, article_id=obj["id"])
            gold = pairs_from_hints({r.id: hints.get(obj["id"], {}).get(r.id) for r in refs}, report.segments)
            aligned = {a.reference.id: set(a.segment_indices) for a in report.alignments}
            figures = score(aligned, gold)
            rows.append((f"news-dev {obj['id']}", figures))
            for key, value in figures.items():
                news_totals[key] = news_totals.get(key, 0) + value
        rows.append(("all news-dev (held out)", news_totals))
    lines = ["| article | pair precision | pair recall | rendered references found | not rendered, yet aligned |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for name, f in rows:
        precision = f["pairs right"] / f["pairs predicted"] if f["pairs predicted"] else 0.0
        recall = f["pairs right"] / f["pairs gold"] if f["pairs gold"] else 0.0
        lines.append(f"| {name} | {precision:.2f} ({f['pairs right']}/{f['pairs predicted']}) | {recall:.2f} "
                     f"({f['pairs right']}/{f['pairs gold']}) | {f['rendered and found']}/{f['references rendered']} "
                     f"| {f['not rendered but aligned']} |")
    body = "\n".join([f"## Reference alignment on real news (issue #22), engine `{engine.signature}`", "",
                      "Command: `python benchmarks/reference_alignment.py`", "",
                      "Gold: each bundled reference's `seed_fr_hint`, and for ../shared/news-dev our own annotation "
                      "(`benchmarks/annotations/news-dev-alignment.jsonl`, held out), matched to the sentences holding "
                      "its first words.", ""]
                     + lines)
    print(body)
    if not args.no_write:
        write_section("reference-alignment", body)


if __name__ == "__main__":
    main()
