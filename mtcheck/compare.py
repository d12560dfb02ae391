"""Comparing two runs: the effect size of every metric with a paired bootstrap interval.

A run is what ``mtcheck check --format json`` writes (one article), a folder of such files,
or a ``mtcheck batch`` output folder. The two runs are compared on the aligned pairs they
share (the same article, reference and rendering), so two engines or two versions of a
translation are judged on exactly the same references.

A p-value alone says whether B differs from A, not whether the difference matters: 0.1 BLEU
can be "significant" on a thousand pairs. So every metric gets the difference B − A with a
95% interval from paired bootstrap resampling, and a verdict against a tolerance: "no
meaningful difference" when the whole interval lies within ±tolerance, a winner when it
excludes zero, "inconclusive" otherwise (the data cannot tell).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from sacrebleu.metrics import BLEU, CHRF, TER

from .batch.layout import ARTICLES, FAILED
from .errors import ConfigError, InputError

if TYPE_CHECKING:
    from .report import ArticleReport

PairBy = Literal["id", "path"]
PairKey = tuple[str, str, int]

# Differences smaller than this (in the metric's points) are not worth acting on: about the
# smallest BLEU or chrF gap that human judgements agree with (Kocmi et al., 2021, "To Ship or
# Not to Ship"); a user sets their own with --tolerance.
DEFAULT_TOLERANCE = 1.0
BOOTSTRAP_SEED = 12345


@dataclass(frozen=True)
class PairText:
    """One aligned pair of a run: what the metrics compare, and the French it came from."""

    hypothesis: str
    reference: str
    french: str = ""
    neural: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Run:
    """The pairs of one run keyed for pairing, and the articles they came from."""

    path: str
    pairs: dict[PairKey, PairText]
    articles: tuple[str, ...]


@dataclass(frozen=True)
class MetricComparison:
    """One metric: both runs' scores, the difference B − A with its 95% interval, and a verdict."""

    metric: str
    score_a: float
    score_b: float
    ci_a: float | None
    ci_b: float | None
    delta: float
    delta_low: float
    delta_high: float
    p_value: float | None
    higher_is_better: bool
    tolerance: float

    @property
    def significant(self) -> bool:
        """The interval of B − A excludes zero (and the scores differ at all)."""
        return self.score_a != self.score_b and (self.delta_low > 0 or self.delta_high < 0)

    @property
    def b_is_better(self) -> bool:
        return (self.delta > 0) == self.higher_is_better

    @property
    def verdict(self) -> str:
        """``equivalent``, ``a``, ``b`` or ``inconclusive``."""
        if -self.tolerance <= self.delta_low and self.delta_high <= self.tolerance:
            return "equivalent"
        if self.significant:
            return "b" if self.b_is_better else "a"
        return "inconclusive"

    def verdict_text(self) -> str:
        if self.verdict == "equivalent":
            return f"no meaningful difference (within ±{self.tolerance:g})"
        if self.verdict == "inconclusive":
            return "inconclusive (the interval holds 0 and differences beyond the tolerance)"
        winner = "B" if self.verdict == "b" else "A"
        small = " (may be under the tolerance)" if min(abs(self.delta_low), abs(self.delta_high)) < self.tolerance else ""
        return f"{winner} better{small}"


@dataclass(frozen=True)
class Comparison:
    """The outcome of :func:`compare_runs`."""

    run_a: str
    run_b: str
    pairs: int
    articles: int
    pair_by: str
    samples: int
    metrics: tuple[MetricComparison, ...]
    signatures: dict[str, str]

    def to_dict(self) -> dict:
        return {
            "run_a": self.run_a, "run_b": self.run_b, "pairs": self.pairs, "articles": self.articles,
            "pair_by": self.pair_by, "bootstrap_samples": self.samples,
            "metrics": [
                {"metric": m.metric, "a": m.score_a, "b": m.score_b, "ci_a": m.ci_a, "ci_b": m.ci_b,
                 "delta": m.delta, "delta_ci": [m.delta_low, m.delta_high], "tolerance": m.tolerance,
                 "p_value": m.p_value, "significant": m.significant, "higher_is_better": m.higher_is_better,
                 "verdict": m.verdict,
                 "better": ("b" if m.b_is_better else "a") if m.score_a != m.score_b else None}
                for m in self.metrics
            ],
            "signatures": self.signatures,
        }

    def to_text(self) -> str:
        where = f" in {self.articles} article(s) paired by {self.pair_by}" if self.articles else ""
        lines = [f"A: {self.run_a}", f"B: {self.run_b}",
                 f"{self.pairs} shared pairs{where}; paired bootstrap, {self.samples} resamples, 95% intervals", ""]
        lines.append(f"{'metric':<9} {'A':>14} {'B':>14} {'B − A [95% CI]':>24} {'p':>7}  verdict")
        for m in self.metrics:
            a = f"{m.score_a:.2f}" + (f" ± {m.ci_a:.2f}" if m.ci_a is not None else "")
            b = f"{m.score_b:.2f}" + (f" ± {m.ci_b:.2f}" if m.ci_b is not None else "")
            delta = f"{m.delta:+.2f} [{m.delta_low:+.2f}, {m.delta_high:+.2f}]"
            p = f"{m.p_value:.4f}" if m.p_value is not None else "-"
            lines.append(f"{m.metric:<9} {a:>14} {b:>14} {delta:>24} {p:>7}  {m.verdict_text()}")
        lower = [m.metric for m in self.metrics if not m.higher_is_better]
        if lower:
            lines.append(f"(lower is better for {', '.join(lower)})")
        lines += [""] + [f"{name}: {sig}" for name, sig in self.signatures.items()]
        return "\n".join(lines)


def parse_tolerances(values: Sequence[str]) -> dict[str, float]:
    """``["0.5", "TER=2"]`` → ``{"*": 0.5, "TER": 2.0}``; a bare number applies to every metric."""
    tolerances: dict[str, float] = {}
    for value in values:
        name, _, number = value.rpartition("=")
        try:
            tolerance = float(number)
        except ValueError:
            raise ConfigError(f"--tolerance {value!r}: expected a number or METRIC=NUMBER") from None
        if tolerance < 0:
            raise ConfigError(f"--tolerance {value!r}: a tolerance cannot be negative")
        tolerances[name.strip() or "*"] = tolerance
    return tolerances


def _tolerance_for(metric: str, tolerances: Mapping[str, float]) -> float:
    for name, value in tolerances.items():
        if name != "*" and metric.lower().startswith(name.lower()):
            return value
    return tolerances.get("*", DEFAULT_TOLERANCE)


# --- reading runs -----------------------------------------------------------------------------

def load_run(path: str | Path, pair_by: PairBy = "id") -> Run:
    """Every aligned pair of a run, keyed by (article, reference, rendering number).

    The article part of the key is the article id (``pair_by="id"``) or the report's path
    inside the run without its suffix (``"path"``; a run that is one file is ``"."``, so two
    single reports always pair by path).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file or folder")
    if path.is_dir() and (path / ARTICLES).is_dir():  # a batch folder
        files = sorted((path / ARTICLES).glob("*.jsonl"))
        root = path / ARTICLES
        if not files:
            failed = len(list((path / FAILED).glob("*.json")))
            raise InputError(path, "the batch holds no checked article yet"
                                   + (f" ({failed} failed: see {path / 'errors.jsonl'})" if failed else ""))
    elif path.is_dir():
        # A folder of reports; what mtcheck keeps for itself (".run-signatures.json") is not one.
        files = sorted(f for f in path.rglob("*.json") if not any(n.startswith(".") for n in f.relative_to(path).parts))
        root = path
    else:
        files, root = [path], path
    if not files:
        raise InputError(path, "holds no report (*.json from mtcheck check --format json, or a batch folder)")
    pairs: dict[PairKey, PairText] = {}
    articles = []
    for file in files:
        try:
            if file.suffix == ".jsonl":
                article_id, found = batch_pairs([json.loads(line) for line in file.read_text(encoding="utf-8").splitlines()
                                                 if line.strip()])
            else:
                report = json.loads(file.read_text(encoding="utf-8"))
                article_id, found = report["article"]["id"], report_pairs(report)
        except (json.JSONDecodeError, KeyError, TypeError, IndexError) as exc:
            raise InputError(file, f"not an mtcheck report ({exc.__class__.__name__}: {exc})") from None
        name = article_id if pair_by == "id" else "." if file == path else file.relative_to(root).with_suffix("").as_posix()
        articles.append(name)
        pairs.update({(name, ref, k): pair for (ref, k), pair in found.items()})
    return Run(str(path), pairs, tuple(articles))


def report_pairs(report: dict) -> dict[tuple[str, int], PairText]:
    """The pairs of one report (``ArticleReport.to_dict()`` or its JSON), keyed by (reference, rendering)."""
    text = report["article"].get("text", "")
    segments = {s["index"]: s for s in report.get("segments", [])}
    neural: dict[tuple[str, tuple[int, ...]], dict[str, float]] = {}
    for score in report.get("neural", []):
        neural.setdefault((score["reference_id"], tuple(score["segment_indices"])), {})[score["metric"]] = score["score"]
    seen: dict[str, int] = {}
    pairs = {}
    for pair in report["pairs"]:
        k = seen[pair["reference_id"]] = seen.get(pair["reference_id"], -1) + 1
        indices = tuple(pair["segment_indices"])
        covered = [segments[i] for i in indices if i in segments]
        french = text[covered[0]["start"]:covered[-1]["end"]] if text and covered else ""
        pairs[(pair["reference_id"], k)] = PairText(pair["hypothesis"], pair["reference"], french,
                                                    neural.get((pair["reference_id"], indices), {}))
    return pairs


def batch_pairs(records: list[dict]) -> tuple[str, dict[tuple[str, int], PairText]]:
    """The pairs of one article of a batch folder (``articles/<name>.jsonl``)."""
    article = records[0]
    if article.get("type") != "article":
        raise KeyError("the first record is not an article record")
    text = article.get("text", "")
    pairs = {}
    for ref in (r for r in records if r.get("type") == "reference"):
        for k, rendering in enumerate(ref["renderings"]):
            pairs[(ref["id"], k)] = PairText(rendering["back_translation"], ref["text"],
                                             text[rendering["start"]:rendering["end"]] if text else "")
    return article["article_id"], pairs


def _shared(a: Run, b: Run, pair_by: str) -> list[PairKey]:
    shared = sorted(set(a.pairs) & set(b.pairs))
    if len(shared) >= 2:
        return shared
    common = sorted(set(a.articles) & set(b.articles))
    other = "path" if pair_by == "id" else "id"
    if not common:
        raise InputError(b.path, f"no article pairs with {a.path} by {pair_by} (A holds {_examples(a.articles)}; "
                                 f"B holds {_examples(b.articles)}); try --pair-by {other}")
    raise InputError(b.path, f"shares {len(shared)} aligned pair(s) with {a.path} in {len(common)} article(s) "
                             f"paired by {pair_by}; at least 2 are needed (a pair is the same reference found "
                             "in both runs)")


def _examples(names: Sequence[str]) -> str:
    shown = ", ".join(repr(n) for n in list(names)[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "") if names else "nothing"


# --- comparing ----------------------------------------------------------------------------------

def compare_runs(run_a: str | Path, run_b: str | Path, samples: int = 1000, pair_by: PairBy = "id",
                 tolerances: Mapping[str, float] | None = None, neural: str | None = None,
                 neural_model: str | None = None) -> Comparison:
    """Compare two runs on their shared pairs (BLEU, chrF++, TER, and a neural metric if asked)."""
    if pair_by not in ("id", "path"):
        raise ConfigError(f"--pair-by {pair_by!r}: choose id or path")
    a_run, b_run = load_run(run_a, pair_by), load_run(run_b, pair_by)
    shared = _shared(a_run, b_run, pair_by)
    if neural and not all(neural in run.pairs[k].neural for run in (a_run, b_run) for k in shared):
        from .neural import require_neural

        require_neural(neural)  # the reports lack its scores: say what is missing before any work
    a, b = [a_run.pairs[k] for k in shared], [b_run.pairs[k] for k in shared]
    extra = {}
    if neural:
        extra[neural] = (_neural_values(neural, a, neural_model), _neural_values(neural, b, neural_model))
    result = paired_bootstrap([p.hypothesis for p in a], [p.hypothesis for p in b], [p.reference for p in a],
                              samples=samples, names=(str(run_a), str(run_b)), tolerances=tolerances,
                              mean_metrics=extra)
    return replace(result, articles=len({k[0] for k in shared}), pair_by=pair_by)


def compare_reports(report_a: "ArticleReport", report_b: "ArticleReport", samples: int = 1000,
                    tolerances: Mapping[str, float] | None = None) -> Comparison:
    """:func:`compare_runs` for reports in memory (two engines or two versions of one article)."""
    a, b = report_pairs(report_a.to_dict()), report_pairs(report_b.to_dict())
    shared = sorted(set(a) & set(b))
    if len(shared) < 2:
        raise InputError(report_b.article_id, f"shares {len(shared)} aligned pairs with the other report; "
                                               "at least 2 are needed")
    result = paired_bootstrap([a[k].hypothesis for k in shared], [b[k].hypothesis for k in shared],
                              [a[k].reference for k in shared], samples=samples, names=("A", "B"),
                              tolerances=tolerances)
    return replace(result, articles=1)


def _neural_values(metric: str, pairs: Sequence[PairText], model: str | None) -> list[float]:
    if all(metric in p.neural for p in pairs):
        return [p.neural[metric] for p in pairs]
    from .neural import score_texts

    return score_texts(metric, [(p.reference, p.french, p.hypothesis) for p in pairs], model)


def paired_bootstrap(hyps_a: Sequence[str], hyps_b: Sequence[str], references: Sequence[str],
                     samples: int = 1000, names: tuple[str, str] = ("A", "B"),
                     tolerances: Mapping[str, float] | None = None,
                     mean_metrics: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None,
                     seed: int = BOOTSTRAP_SEED) -> Comparison:
    """Corpus BLEU, chrF++ and TER of both systems, and B − A, over the same resamples of the pairs.

    Each resample draws the pairs with replacement once and scores both systems on it, so the
    interval of the difference is a paired one. Sentence statistics come from sacrebleu and are
    summed per resample, which gives exactly sacrebleu's corpus score on the full set.
    ``mean_metrics`` are per-pair scores (a neural metric) compared by their mean, ×100.
    """
    n = len(references)
    if n == 0 or len(hyps_a) != n or len(hyps_b) != n:
        raise ValueError("both systems need one hypothesis per reference, and at least one pair")
    tolerances = dict(tolerances or {})
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(samples, n))
    refs = [list(references)]
    rows = []
    signatures = {}
    for name, metric in (("BLEU", BLEU()), ("chrF2++", CHRF(word_order=2)), ("TER", TER())):
        # sacrebleu's own per-sentence statistics and score-from-statistics, as its bootstrap uses them
        stats_a = np.asarray(metric._extract_corpus_statistics(list(hyps_a), refs), dtype=np.float64)
        stats_b = np.asarray(metric._extract_corpus_statistics(list(hyps_b), refs), dtype=np.float64)
        score = lambda stats, m=metric: float(m._compute_score_from_stats(list(stats)).score)  # noqa: E731
        rows.append(_compare_metric(name, stats_a, stats_b, score, draws, tolerances,
                                    higher_is_better=not isinstance(metric, TER)))
        signatures[name] = str(metric.get_signature())
    for name, (values_a, values_b) in (mean_metrics or {}).items():
        va, vb = 100 * np.asarray(values_a, dtype=np.float64), 100 * np.asarray(values_b, dtype=np.float64)
        rows.append(_compare_metric(name, va[:, None], vb[:, None], lambda s, k=n: float(s[0]) / k, draws,
                                    tolerances, higher_is_better=True))
        signatures[name] = f"mean per-pair {name} × 100"
    return Comparison(names[0], names[1], n, 0, "id", samples, tuple(rows), signatures)


def _compare_metric(name: str, stats_a: np.ndarray, stats_b: np.ndarray, score: Callable[[np.ndarray], float],
                    draws: np.ndarray, tolerances: Mapping[str, float], higher_is_better: bool) -> MetricComparison:
    score_a, score_b = score(stats_a.sum(0)), score(stats_b.sum(0))
    res_a = np.array([score(stats_a[d].sum(0)) for d in draws])
    res_b = np.array([score(stats_b[d].sum(0)) for d in draws])
    deltas = res_b - res_a
    low, high = (float(v) for v in np.percentile(deltas, [2.5, 97.5]))
    observed = score_b - score_a
    # sacrebleu's two-sided paired bootstrap p-value: how often a resampled difference, centred
    # on zero, is at least as large as the observed one
    p_value = float((np.sum(np.abs(deltas - deltas.mean()) >= abs(observed)) + 1) / (len(draws) + 1))
    half = lambda r: float((np.percentile(r, 97.5) - np.percentile(r, 2.5)) / 2)  # noqa: E731
    return MetricComparison(name, score_a, score_b, half(res_a), half(res_b), observed, low, high, p_value,
                            higher_is_better, _tolerance_for(name, tolerances))
