"""Flag quality, scored the way WMT word-level quality estimation scores it.

    python benchmarks/flags.py [--engine apertium] [--dev-data ../shared/dev-data/wmt20-qe-enfr-train.jsonl]
                               [--limit N] [--no-write]
                               [--reviewed RUN --gold REVIEW.jsonl]   # your own reviewed articles

Each French word (whitespace token) is BAD in the gold when an annotated span overlaps it
and BAD in the prediction when a flag overlaps it. Reported: precision, recall and F1 of
BAD words, the Matthews correlation coefficient (MCC), the same for a flag-every-word
baseline, how many annotated spans (and critical ones) some flag touches, word recall per
annotated category and severity, and — on the development data — the Pearson correlation
between mtcheck's document score and the annotated document MQM.

With ``--reviewed RUN --gold REVIEW.jsonl`` the articles of a reviewed run (``mtcheck
review RUN --export REVIEW.jsonl``: accepted flags and added spans are the gold) are scored
too, so a newsroom measures mtcheck on its own articles.

Data: ``mtcheck/resources/samples/*/awkward-spans.jsonl`` (the reviewer's spans on each bundled
article) and the WMT20 QE en-fr MQM training documents, read from ../shared (not copied
into the repository); there the English source plays the reference.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_DATA = ROOT.parent / "shared" / "dev-data" / "wmt20-qe-enfr-train.jsonl"
NEWS_DEV = ROOT.parent / "shared" / "news-dev" / "articles.jsonl"
# Our own annotation of the news-dev articles: a held-out split, never read by training.
NEWS_DEV_GOLD = ROOT / "benchmarks" / "annotations" / "news-dev.jsonl"
sys.path.insert(0, str(ROOT / "benchmarks"))

from mtcheck import Checker, Reference  # noqa: E402
from mtcheck.corpus import read_article  # noqa: E402
from mtcheck.engines import EngineSpec, load_engine  # noqa: E402
from mtcheck.engines.cache import CachedEngine, TranslationCache  # noqa: E402
from mtcheck.engines.apertium import reverse_engine  # noqa: E402
from mtcheck.engines.cache import default_cache_dir  # noqa: E402
from mtcheck.config import CheckConfig, load_config  # noqa: E402
from mtcheck.qe.model import DetectionModel  # noqa: E402

_WORD = re.compile(r"\S+")


@dataclass
class GoldSpan:
    start: int
    end: int
    category: str
    severity: str


@dataclass
class Document:
    id: str
    text: str
    references: list[Reference]
    gold: list[GoldSpan]
    mqm: float | None = None


@dataclass
class Tally:
    """Confusion counts over BAD words, and span coverage."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    spans: int = 0
    spans_touched: int = 0
    critical: int = 0
    critical_touched: int = 0
    by_label: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    # Per detector: [words it flags that are BAD in the gold, words it flags].
    by_detector: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    # Where the reports' mqm_estimate came from ("model", "flags").
    score_sources: set[str] = field(default_factory=set)

    def add_words(self, gold_bad: Sequence[bool], pred_bad: Sequence[bool]) -> None:
        for g, p in zip(gold_bad, pred_bad):
            if g and p:
                self.tp += 1
            elif p:
                self.fp += 1
            elif g:
                self.fn += 1
            else:
                self.tn += 1

    def prf_mcc(self) -> tuple[float, float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        denom = math.sqrt((self.tp + self.fp) * (self.tp + self.fn) * (self.tn + self.fp) * (self.tn + self.fn))
        mcc = (self.tp * self.tn - self.fp * self.fn) / denom if denom else 0.0
        return p, r, f, mcc


def words(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(text)]


def overlaps(span: tuple[int, int], spans: Sequence[tuple[int, int]]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in spans)


def sample_documents() -> list[Document]:
    docs = []
    for folder in sorted((ROOT / "mtcheck" / "resources" / "samples").iterdir()):
        spans_file = folder / "awkward-spans.jsonl"
        if not spans_file.exists():
            continue
        article = read_article(folder)
        gold = [GoldSpan(o["start"], o["end"], o["category"], o["severity"])
                for o in map(json.loads, spans_file.read_text(encoding="utf-8").splitlines()) if o]
        docs.append(Document(folder.name, article.text, list(article.references), gold))
    return docs


def reviewed_documents(run_path: Path, gold_path: Path) -> list[Document]:
    """The articles of a reviewed run with the reviewers' gold (``mtcheck review --export``)."""
    from mtcheck.review.export import read_gold
    from mtcheck.review.run import ReviewRun

    run, gold = ReviewRun.open(run_path), read_gold(gold_path)
    for article in run.articles:
        for span in gold.get(article.article_id, []):
            if span.text and article.text[span.start:span.end] != span.text:
                raise SystemExit(f"{gold_path}: {span.text!r} is not at {span.start} in {article.article_id}: the "
                                 f"article changed since the export; export again (mtcheck review {run_path} "
                                 "--export FILE follows each decision to its words)")
    return [Document(a.article_id, a.text, list(a.references),
                     [GoldSpan(g.start, g.end, g.category, g.severity) for g in gold.get(a.article_id, [])])
            for a in run.articles]


def news_dev_documents(path: Path = NEWS_DEV, gold_path: Path = NEWS_DEV_GOLD) -> list[Document]:
    """The unannotated news articles of ../shared/news-dev with our annotation of them; an
    article whose text no longer matches the annotated one is refused, not scored wrongly."""
    import hashlib

    gold: dict[str, list[dict]] = defaultdict(list)
    for line in gold_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            span = json.loads(line)
            gold[span["article"]].append(span)
    docs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        obj = json.loads(line)
        spans = gold.get(obj["id"], [])
        digest = hashlib.sha256(obj["text"].encode()).hexdigest()[:16]
        if spans and spans[0]["text_sha256"] != digest:
            raise SystemExit(f"{gold_path}: article {obj['id']} has changed since it was annotated")
        for span in spans:
            if obj["text"][span["start"]:span["end"]] != span["text"]:
                raise SystemExit(f"{gold_path}: span {span['text']!r} is not at {span['start']} in {obj['id']}")
        refs = [Reference(id=r["id"], text=r["text"], speaker=r.get("speaker")) for r in obj.get("references", [])]
        docs.append(Document(obj["id"], obj["text"], refs,
                             [GoldSpan(g["start"], g["end"], g["category"], g["severity"]) for g in spans]))
    return docs


def dev_documents(path: Path, limit: int | None) -> list[Document]:
    docs = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            offsets, parts, cursor = [], [], 0
            for seg in obj["mt_segments_fr"]:
                offsets.append(cursor)
                parts.append(seg)
                cursor += len(seg) + 2
            gold = [GoldSpan(offsets[s["segment"]] + s["start"], offsets[s["segment"]] + s["end"],
                             a["category"], a["severity"])
                    for a in obj["annotations"] for s in a["spans"]]
            refs = [Reference(id=f"s{i}", text=t) for i, t in enumerate(obj["source_segments_en"]) if t.strip()]
            docs.append(Document(obj["doc_id"], "\n\n".join(parts), refs, gold, obj["document_mqm"]))
            if limit and len(docs) >= limit:
                break
    return docs


def evaluate(checker: Checker, docs: list[Document]) -> tuple[Tally, Tally, list[tuple[float, float]]]:
    system, baseline = Tally(), Tally()
    doc_scores = []
    for doc in docs:
        report = checker.check(doc.text, doc.references, article_id=doc.id)
        flags = [(f.start, f.end) for f in report.flags]
        toks = words(doc.text)
        gold_spans = [(g.start, g.end) for g in doc.gold]
        gold_bad = [overlaps(t, gold_spans) for t in toks]
        system.add_words(gold_bad, [overlaps(t, flags) for t in toks])
        by_detector: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for f in report.flags:  # a merged flag counts for its lead and every detector it absorbed
            for detector in [f.detector, *filter(None, str(f.evidence.get("also_flagged_by", "")).split(", "))]:
                by_detector[detector].append((f.start, f.end))
        for detector, spans in by_detector.items():
            flagged = [g for t, g in zip(toks, gold_bad) if overlaps(t, spans)]
            system.by_detector[detector][0] += sum(flagged)
            system.by_detector[detector][1] += len(flagged)
        baseline.add_words(gold_bad, [True] * len(toks))
        for g in doc.gold:
            touched = overlaps((g.start, g.end), flags)
            system.spans += 1
            system.spans_touched += touched
            system.critical += g.severity == "critical"
            system.critical_touched += touched and g.severity == "critical"
            g_words = [t for t in toks if overlaps(t, [(g.start, g.end)])]
            hit = sum(overlaps(t, flags) for t in g_words)
            for label in (f"category: {g.category}", f"severity: {g.severity}"):
                system.by_label[label][0] += hit
                system.by_label[label][1] += len(g_words)
        if doc.mqm is not None:
            doc_scores.append((report.mqm_estimate, doc.mqm))
            system.score_sources.add(report.mqm_estimate_source)
    return system, baseline, doc_scores


def pearson(pairs: Sequence[tuple[float, float]]) -> float:
    n = len(pairs)
    if n < 2:
        return float("nan")
    mx = sum(x for x, _ in pairs) / n
    my = sum(y for _, y in pairs) / n
    cov = sum((x - mx) * (y - my) for x, y in pairs)
    vx = math.sqrt(sum((x - mx) ** 2 for x, _ in pairs))
    vy = math.sqrt(sum((y - my) ** 2 for _, y in pairs))
    return cov / (vx * vy) if vx and vy else float("nan")


def table(name: str, system: Tally, baseline: Tally, doc_scores=(), top_labels: int = 12) -> list[str]:
    p, r, f, mcc = system.prf_mcc()
    _, _, bf, bmcc = baseline.prf_mcc()
    lines = [
        f"### {name}",
        "",
        "| system | precision BAD | recall BAD | F1-BAD | MCC | spans touched | critical spans touched |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| mtcheck | {p:.3f} | {r:.3f} | {f:.3f} | {mcc:.3f} | {system.spans_touched}/{system.spans} | "
        f"{system.critical_touched}/{system.critical} |",
        f"| flag every word | {baseline.tp / max(1, baseline.tp + baseline.fp):.3f} | 1.000 | {bf:.3f} | {bmcc:.3f} | "
        f"{system.spans}/{system.spans} | {system.critical}/{system.critical} |",
    ]
    if doc_scores:
        lines += ["", f"Pearson(mtcheck document score, document MQM) = {pearson(doc_scores):.3f} "
                      f"over {len(doc_scores)} documents (score from {', '.join(sorted(system.score_sources))})."]
    if system.by_detector:
        # Merged flags count for each detector they came from, over the merged span.
        lines += ["", "| detector | words flagged | precision BAD |", "| --- | ---: | ---: |"]
        lines += [f"| {name} | {n} | {bad / n:.2f} |"
                  for name, (bad, n) in sorted(system.by_detector.items(), key=lambda kv: -kv[1][1]) if n]
    labels = sorted(system.by_label.items(), key=lambda kv: -kv[1][1])[:top_labels]
    lines += ["", "| annotated | BAD words | flagged |", "| --- | ---: | ---: |"]
    lines += [f"| {label} | {total} | {hit / total:.2f} |" for label, (hit, total) in labels if total]
    return lines


def cross_validation_table(model: DetectionModel) -> list[str]:
    """The bundled model's cross-validated figures, fold by fold, as its training script
    measured them (refitting five models is the training script's job, not a benchmark's)."""
    cv = model.about.get("cross_validation")
    if not cv:
        return []
    lines = [f"### Detection model `{model.signature}`: 5-fold cross-validation by document on the WMT20 dev data",
             "", f"From `{model.about.get('command', 'scripts/train_combiner.py')}` (the model card: "
                 "`mtcheck/resources/models/detection.md`). Word level, BAD class:", "",
             "| fold | precision | recall | F1-BAD | MCC | F1 flagging every word |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {k + 1} | {f['precision']:.3f} | {f['recall']:.3f} | {f['f1_bad']:.3f} | {f['mcc']:.3f} | "
              f"{f['f1_every_word']:.3f} |" for k, f in enumerate(cv["per_fold"])]
    w = cv["word_level"]
    lines += [f"| all | {w['precision']:.3f} | {w['recall']:.3f} | {w['f1_bad']:.3f} | {w['mcc']:.3f} | "
              f"{w['f1_flag_every_word']:.3f} |", "",
              f"MCC spread {w['mcc_spread']['min']:.3f}–{w['mcc_spread']['max']:.3f}, F1-BAD spread "
              f"{w['f1_bad_spread']['min']:.3f}–{w['f1_bad_spread']['max']:.3f}. Without references: F1-BAD "
              f"{cv['word_level_without_references']['f1_bad']:.3f}, MCC {cv['word_level_without_references']['mcc']:.3f}. "
              f"Document MQM: Pearson {cv['document_mqm']['pearson']:.3f}, Spearman {cv['document_mqm']['spearman']:.3f} "
              f"(per fold {', '.join(format(f['pearson'], '.3f') for f in cv['document_mqm']['per_fold'])})."]
    return lines


def professional_table(checker: Checker) -> list[str]:
    """Flags on the hand-made professional translations: every major or critical one is a false alarm."""
    lines = ["### Professional translations (tests/data/professional: no error in them)", "",
             "| article | words | flags | major or critical |", "| --- | ---: | ---: | ---: |"]
    for folder in sorted(p for p in (ROOT / "tests" / "data" / "professional").iterdir() if p.is_dir()):
        article = read_article(folder)
        report = checker.check(article.text, list(article.references), article_id=folder.name)
        severe = [f for f in report.flags if f.severity.value != "minor"]
        lines.append(f"| {folder.name} | {len(words(article.text))} | {len(report.flags)} | {len(severe)} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="apertium")
    parser.add_argument("--model")
    parser.add_argument("--detectors")
    parser.add_argument("--config", help="TOML run settings (detectors, thresholds), as mtcheck check --config")
    parser.add_argument("--dev-data", default=str(DEV_DATA))
    parser.add_argument("--limit", type=int, help="only the first N development documents")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--reviewed", help="a reviewed run (batch folder or check JSON report) to score as well")
    parser.add_argument("--gold", help="its review export (mtcheck review RUN --export FILE.jsonl)")
    args = parser.parse_args()
    if bool(args.reviewed) != bool(args.gold):
        parser.error("--reviewed and --gold go together")

    engine = load_engine(EngineSpec(name=args.engine, model=args.model)).engine
    store = TranslationCache(default_cache_dir() / "translations.sqlite")
    cached = CachedEngine(engine, store)
    config = (load_config(args.config) if args.config else CheckConfig()).override(
        detectors=tuple(args.detectors.split(",")) if args.detectors else None)
    checker = Checker(engine=cached, reverse_engine=reverse_engine(store), detectors=config.build_detectors(),
                      combiner=config.build_combiner())
    names = [d.name for d in checker.detectors]
    lines = [f"## Flags (issue #6), engine `{engine.signature}`"
             + (f", settings `{args.config}`" if args.config else ""), "",
             f"Command: `python benchmarks/flags.py --engine {args.engine}"
             + (f" --limit {args.limit}" if args.limit else "") + (f" --config {args.config}" if args.config else "")
             + "`",
             "", f"Detectors: {', '.join(names)}.", ""]
    start = time.perf_counter()
    if checker.combiner is not None:
        lines += cross_validation_table(checker.combiner.model) + [""]
    system, baseline, _ = evaluate(checker, sample_documents())
    lines += table("Bundled samples (reviewer's awkward spans)", system, baseline)
    if NEWS_DEV.exists() and NEWS_DEV_GOLD.exists():
        system, baseline, _ = evaluate(checker, news_dev_documents())
        lines += [""] + table("Held-out news: ../shared/news-dev, annotated by us (benchmarks/annotations; "
                              "never used in training or tuning)", system, baseline)
    lines += [""] + professional_table(checker)
    if args.reviewed:
        system, baseline, _ = evaluate(checker, reviewed_documents(Path(args.reviewed), Path(args.gold)))
        lines += [""] + table(f"Reviewed run {args.reviewed} (reviewers' decisions in {args.gold})", system, baseline)
    dev_path = Path(args.dev_data)
    if dev_path.exists():
        docs = dev_documents(dev_path, args.limit)
        # Translate every sentence in one engine call first: one Apertium run, not one per document.
        cached.translate([s.text for d in docs for s in checker.segmenter.segment(d.text)])
        system, baseline, doc_scores = evaluate(checker, docs)
        trained = ("; the detection model was trained on all of them: in-sample, the cross-validation above "
                   "is the measure" if checker.combiner is not None else "")
        lines += [""] + table(f"WMT20 QE en-fr MQM development data ({len(docs)} documents{trained})",
                              system, baseline, doc_scores)
    lines += ["", f"Run time {time.perf_counter() - start:.0f} s (translations from the cache when present)."]
    print("\n".join(lines))
    if not args.no_write:
        from _results import write_section

        suffix = f"-{Path(args.config).stem}" if args.config else ""
        write_section(f"flags-{args.engine}{suffix}", "\n".join(lines))


if __name__ == "__main__":
    main()
