"""Comparing two runs with sacrebleu's paired bootstrap resampling.

A run is what ``mtcheck check --format json`` writes (one article) or a folder of such
files (many). The two runs are compared on the aligned pairs they share: the same
article, reference and rendering, so two engines or two versions of a translation are
judged on exactly the same references.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sacrebleu.metrics import BLEU, CHRF, TER
from sacrebleu.significance import PairedTest

from .errors import InputError

if TYPE_CHECKING:
    from .report import ArticleReport

PairKey = tuple[str, str, int]


@dataclass(frozen=True)
class MetricComparison:
    """One metric's scores for both runs, with the bootstrap's confidence and p-value."""

    metric: str
    score_a: float
    score_b: float
    ci_a: float | None
    ci_b: float | None
    p_value: float | None
    higher_is_better: bool

    @property
    def significant(self) -> bool:
        # sacrebleu's bootstrap gives a tiny p-value to two identical systems; equal is never a difference.
        return self.p_value is not None and self.p_value < 0.05 and self.score_a != self.score_b

    @property
    def b_is_better(self) -> bool:
        return (self.score_b > self.score_a) == self.higher_is_better


@dataclass(frozen=True)
class Comparison:
    """The outcome of :func:`compare_runs`."""

    run_a: str
    run_b: str
    pairs: int
    samples: int
    metrics: tuple[MetricComparison, ...]
    signatures: dict[str, str]

    def to_dict(self) -> dict:
        return {
            "run_a": self.run_a, "run_b": self.run_b, "pairs": self.pairs, "bootstrap_samples": self.samples,
            "metrics": [
                {"metric": m.metric, "a": round(m.score_a, 4), "b": round(m.score_b, 4),
                 "ci_a": m.ci_a, "ci_b": m.ci_b, "p_value": m.p_value, "significant": m.significant,
                 "better": ("b" if m.b_is_better else "a") if m.score_a != m.score_b else None}
                for m in self.metrics
            ],
            "signatures": self.signatures,
        }

    def to_text(self) -> str:
        lines = [f"A: {self.run_a}", f"B: {self.run_b}",
                 f"{self.pairs} shared pairs, paired bootstrap with {self.samples} resamples", "",
                 f"{'metric':<6} {'A':>16} {'B':>16} {'p':>7}  verdict"]
        for m in self.metrics:
            ci_a = f" ± {m.ci_a:.2f}" if m.ci_a is not None else ""
            ci_b = f" ± {m.ci_b:.2f}" if m.ci_b is not None else ""
            verdict = ("B better" if m.b_is_better else "A better") if m.significant else "no significant difference"
            p = f"{m.p_value:.4f}" if m.p_value is not None else "-"
            lines.append(f"{m.metric:<6} {m.score_a:>8.2f}{ci_a:<8} {m.score_b:>8.2f}{ci_b:<8} {p:>7}  {verdict}")
        lines += [""] + [f"{name}: {sig}" for name, sig in self.signatures.items()]
        return "\n".join(lines)


def load_run(path: str | Path) -> dict[PairKey, tuple[str, str]]:
    """(article, reference, rendering) → (back-translation, reference text) for every pair in a run."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file or folder")
    files = sorted(path.rglob("*.json")) if path.is_dir() else [path]
    if not files:
        raise InputError(path, "holds no report (*.json written by mtcheck check --format json)")
    pairs: dict[PairKey, tuple[str, str]] = {}
    for file in files:
        try:
            pairs.update(report_pairs(json.loads(file.read_text(encoding="utf-8"))))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputError(file, f"not an mtcheck report ({exc.__class__.__name__}: {exc})") from None
    return pairs


def report_pairs(report: dict) -> dict[PairKey, tuple[str, str]]:
    """The pairs of one report (``ArticleReport.to_dict()`` or its JSON), keyed for comparison."""
    article = report["article"]["id"]
    seen: dict[str, int] = {}
    pairs = {}
    for pair in report["pairs"]:
        k = seen[pair["reference_id"]] = seen.get(pair["reference_id"], -1) + 1
        pairs[(article, pair["reference_id"], k)] = (pair["hypothesis"], pair["reference"])
    return pairs


def compare_reports(report_a: "ArticleReport", report_b: "ArticleReport", samples: int = 1000) -> Comparison:
    """:func:`compare_runs` for reports in memory (two engines or two versions of one article)."""
    a, b = report_pairs(report_a.to_dict()), report_pairs(report_b.to_dict())
    shared = sorted(set(a) & set(b))
    if len(shared) < 2:
        raise InputError(report_b.article_id, f"shares {len(shared)} aligned pairs with the other report; "
                                               "at least 2 are needed")
    return paired_bootstrap([a[k][0] for k in shared], [b[k][0] for k in shared], [a[k][1] for k in shared],
                            samples=samples, names=("A", "B"))


def compare_runs(run_a: str | Path, run_b: str | Path, samples: int = 1000) -> Comparison:
    """Compare two runs on their shared pairs with paired bootstrap resampling (BLEU, chrF++, TER)."""
    a, b = load_run(run_a), load_run(run_b)
    shared = sorted(set(a) & set(b))
    if len(shared) < 2:
        raise InputError(run_b, f"shares {len(shared)} aligned pairs with {run_a}; at least 2 are needed")
    references = [a[k][1] for k in shared]
    return paired_bootstrap([a[k][0] for k in shared], [b[k][0] for k in shared], references,
                            samples=samples, names=(str(run_a), str(run_b)))


def paired_bootstrap(hyps_a: Sequence[str], hyps_b: Sequence[str], references: Sequence[str],
                     samples: int = 1000, names: tuple[str, str] = ("A", "B")) -> Comparison:
    metrics = {"BLEU": BLEU(), "chrF2++": CHRF(word_order=2), "TER": TER()}
    test = PairedTest([(names[0], list(hyps_a)), (names[1], list(hyps_b))], metrics, [list(references)],
                      test_type="bs", n_samples=samples)
    signatures, results = test()
    rows = []
    for metric in results:
        if metric == "System":
            continue
        base, other = results[metric]
        rows.append(MetricComparison(
            metric=metric, score_a=float(base.score), score_b=float(other.score), ci_a=_float(base.ci),
            ci_b=_float(other.ci), p_value=_float(other.p_value), higher_is_better=not metric.startswith("TER"),
        ))
    return Comparison(names[0], names[1], len(references), samples, tuple(rows),
                      {k: str(v) for k, v in signatures.items()})


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # sacrebleu returns numpy scalars
