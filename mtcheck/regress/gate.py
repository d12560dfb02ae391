"""The regression gate: score sample corpora, compare with a baseline, fail on a drop.

A corpus is a folder of article folders (or a folder with ``articles/`` holding them) and,
beside them, ``backtranslations.jsonl``: the stored back-translations, so that the gate runs
without a model and only new or changed sentences need an engine.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from ..checker import Checker
from ..config import CheckConfig
from ..corpus import read_article
from ..errors import ConfigError, InputError
from ..files import atomic_write
from ..score import Scorer

STORED = "backtranslations.jsonl"
REVERSE_STORED = "reverse-translations.jsonl"  # the references and round trips in French
# Metrics the gate watches, and whether higher is better. Back-translation metrics are blind
# to literal machine translation when the back-translating engine is of the same kind (an
# Apertium translation back-translated by Apertium scores higher than the human one on these
# corpora), so the gate also watches reference-free fluency: grammar and fluency flags per
# 100 words.
METRICS: dict[str, bool] = {"chrf": True, "bleu": True, "ter": False, "mqm_estimate": True,
                            "fluency_flags_per_100_words": False}
DEFAULT_ABSOLUTE = {"chrf": 1.0, "bleu": 1.0, "ter": 1.0, "mqm_estimate": 1.0, "fluency_flags_per_100_words": 0.5}
_FLUENCY = ("grammar", "fluency")


@dataclass(frozen=True)
class Tolerance:
    """A metric may get worse by up to ``max(absolute, relative × |baseline|)`` before it is a regression."""

    absolute: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_ABSOLUTE))
    relative: float = 0.02
    new_critical: int = 0  # new critical flags allowed per article
    # An article of the baseline missing from its corpus: a regression, or only a note. A
    # corpus that silently lost its worst article would otherwise look better.
    removed_fails: bool = False

    def allowed(self, metric: str, baseline: float) -> float:
        return max(self.absolute.get(metric, 0.0), self.relative * abs(baseline))


@dataclass(frozen=True)
class Change:
    corpus: str
    article: str | None  # None for the corpus as a whole
    metric: str
    baseline: float | None
    current: float | None
    regression: bool
    note: str = ""

    @property
    def where(self) -> str:
        return f"{self.corpus}/{self.article}" if self.article else f"{self.corpus} (corpus)"


def corpus_articles(corpus: Path) -> Path:
    folder = corpus / "articles"
    return folder if folder.is_dir() else corpus


def score_corpus(corpus: Path, checker: Checker) -> dict[str, Any]:
    """Corpus and per-article scores and flag counts: what a baseline stores."""
    articles_dir = corpus_articles(corpus)
    folders = sorted(p for p in articles_dir.iterdir() if p.is_dir())
    if not folders:
        raise InputError(corpus, "holds no article folders")
    articles: dict[str, dict[str, float | int | None]] = {}
    pairs = []
    for folder in folders:
        article = read_article(folder)
        report = checker.check(article.text, article.references, article_id=article.id)
        pairs += report.pairs
        fluency = sum(1 for f in report.flags if f.category.value in _FLUENCY)
        articles[article.id] = {**{m: round(s.score, 4) for m, s in report.scores.items()},
                                "mqm_estimate": round(report.mqm_estimate, 4),
                                "fluency_flags_per_100_words": round(100 * fluency / max(1, len(article.text.split())), 4),
                                **report.severity_counts()}
    corpus_scores = {m: round(s.score, 4) for m, s in Scorer().corpus_scores(pairs).items()} if pairs else {}
    counts = {k: sum(int(a[k] or 0) for a in articles.values()) for k in ("critical", "major", "minor")}
    mean = {m: round(sum(a[m] for a in articles.values()) / len(articles), 4)
            for m in ("mqm_estimate", "fluency_flags_per_100_words")}
    return {"corpus": {**corpus_scores, **mean, **counts},
            "articles": articles}


def compare(baseline: Mapping[str, Any], current: Mapping[str, Any], tolerance: Tolerance) -> list[Change]:
    """Every metric that moved, per corpus and article, each marked regression or not."""
    changes = []
    for corpus, now in current.items():
        before = baseline.get(corpus)
        if before is None:
            changes.append(Change(corpus, None, "-", None, None, False, "new corpus, not in the baseline"))
            continue
        changes += _compare_scores(corpus, None, before["corpus"], now["corpus"], tolerance)
        for article, scores in now["articles"].items():
            if article not in before["articles"]:
                changes.append(Change(corpus, article, "-", None, None, False, "new article"))
                continue
            old = before["articles"][article]
            changes += _compare_scores(corpus, article, old, scores, tolerance)
            new_critical = int(scores.get("critical", 0)) - int(old.get("critical", 0))
            if new_critical > 0:
                changes.append(Change(corpus, article, "critical", old.get("critical"), scores.get("critical"),
                                      new_critical > tolerance.new_critical, f"{new_critical} new critical flag(s)"))
        for article in before["articles"]:
            if article not in now["articles"]:
                changes.append(Change(corpus, article, "-", None, None, tolerance.removed_fails, "article removed"))
    return changes


def _compare_scores(corpus: str, article: str | None, old: Mapping[str, Any], new: Mapping[str, Any],
                    tolerance: Tolerance) -> list[Change]:
    changes = []
    for metric, higher_is_better in METRICS.items():
        a, b = old.get(metric), new.get(metric)
        if a is None or b is None or a == b:
            continue
        worse_by = (a - b) if higher_is_better else (b - a)
        allowed = tolerance.allowed(metric, a)
        gap, digits = abs(b - a), _telling_digits(abs(worse_by), allowed)
        changes.append(Change(corpus, article, metric, a, b, worse_by > allowed,
                              f"{'worse' if worse_by > 0 else 'better'} by {gap:.{digits}f} "
                              f"(allowed {allowed:.{digits}f})"))
    return changes


def _telling_digits(gap: float, allowed: float) -> int:
    """Decimals enough to show why a row passed or failed: "worse by 0.505 (allowed 0.500)",
    never "worse by 0.50 (allowed 0.50)" beside a ✗."""
    for digits in range(2, 7):
        if f"{gap:.{digits}f}" != f"{allowed:.{digits}f}":
            return digits
    return 6


def junit_xml(changes: Sequence[Change], current: Mapping[str, Any]) -> str:
    """One test suite per corpus, one test case per article (and one for the corpus as a whole)."""
    suites = ET.Element("testsuites", name="mtcheck regress")
    for corpus, result in current.items():
        cases = [None, *result["articles"]]
        regressions = [c for c in changes if c.corpus == corpus and c.regression]
        suite = ET.SubElement(suites, "testsuite", name=corpus, tests=str(len(cases)),
                              failures=str(len({c.article for c in regressions})))
        for article in cases:
            case = ET.SubElement(suite, "testcase", classname=f"mtcheck.{corpus}", name=article or "corpus")
            failed = [c for c in regressions if c.article == article]
            if failed:
                failure = ET.SubElement(case, "failure", message="; ".join(f"{c.metric}: {c.note}" for c in failed))
                failure.text = "\n".join(f"{c.metric}: {c.baseline} -> {c.current} ({c.note})" for c in failed)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def read_baseline(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "no such baseline; create it with --update-baseline") from None
    except json.JSONDecodeError as exc:
        raise InputError(path, f"malformed JSON: {exc.msg}", line=exc.lineno) from None
    if not isinstance(data, dict) or "corpora" not in data:
        raise InputError(path, 'not an mtcheck baseline (no "corpora")')
    return data


def run_gate(corpora: Sequence[Path], make_checker: Callable[[Path], Checker]) -> dict[str, Any]:
    """Scores of each corpus, keyed by the corpus folder's name."""
    return {corpus.name: score_corpus(corpus, make_checker(corpus)) for corpus in corpora}


def parse_tolerances(items: Sequence[str], relative: float = 0.02, new_critical: int = 0,
                     removed_fails: bool = False) -> Tolerance:
    """A :class:`Tolerance` from ``METRIC=VALUE`` items (``--abs-tol``); an unknown metric is an error."""
    absolute = dict(DEFAULT_ABSOLUTE)
    for item in items:
        metric, _, value = item.partition("=")
        if metric not in DEFAULT_ABSOLUTE:
            raise ConfigError(f"--abs-tol {item!r}: unknown metric {metric!r}; "
                              f"choose one of {', '.join(DEFAULT_ABSOLUTE)}")
        try:
            absolute[metric] = float(value)
        except ValueError:
            raise ConfigError(f"--abs-tol {item!r} is not METRIC=NUMBER") from None
    return Tolerance(absolute, relative, new_critical, removed_fails)


@dataclass(frozen=True)
class GateRun:
    """What one run of the gate found: each corpus's figures and what changed from the baseline."""

    current: dict[str, Any]
    changes: list[Change]
    detectors: tuple[str, ...]

    @property
    def regressions(self) -> list[str]:
        """Where quality dropped past the tolerances (empty when the gate passes)."""
        return sorted({c.where for c in self.changes if c.regression})


def run_regression(corpora: Sequence[Path], baseline: Path, *, tolerance: Tolerance | None = None,
                   engine: str | None = None, model: str | None = None, detectors: Sequence[str] | None = None,
                   flag_model: str | None = None, update_cache: bool = False, rebuild_cache: bool = False,
                   update_baseline: bool = False, config: CheckConfig | None = None) -> GateRun:
    """Score ``corpora`` from their stored back-translations and compare with ``baseline``.

    Sentences with no stored back-translation go to ``engine`` when one is named (and are
    added to each corpus's stored file with ``update_cache``); ``rebuild_cache`` redoes them
    all. Detectors: those named, else the baseline's, else the default set; the detection model
    (``flag_model``: "bundled", "none" or a model file) likewise, where a baseline that names
    none predates the model and was made without it. With
    ``update_baseline`` the figures are merged into the baseline file instead of compared.
    ``config`` (a TOML file's settings, as ``check --config``) sets detectors, their options,
    the model, the severity floor and the flags to drop; ``detectors`` and ``flag_model`` win over it.
    """
    from ..detectors import default_detectors
    from ..engines import EngineSpec, load_engine
    from ..engines.apertium import ApertiumEngine
    from ..engines.stored import StoredEngine

    old = None if update_baseline and not baseline.exists() else read_baseline(baseline)
    names = tuple(detectors or (config.detectors if config else None) or (old or {}).get("detectors")
                  or default_detectors())
    model_setting = flag_model or (config.flag_model if config else None) or (
        old.get("flag_model", "none") if old else "bundled")
    settings = (config or CheckConfig()).override(detectors=names, flag_model=model_setting)
    combiner = settings.build_combiner()
    fallback = (lambda: load_engine(EngineSpec(name=engine, model=model)).engine) if engine else None
    reverse_fallback = ApertiumEngine.english_to_french if engine else None
    stored: list[tuple[Path, StoredEngine]] = []

    def make_checker(corpus: Path) -> Checker:
        forward = StoredEngine.open(corpus / STORED, fallback, rebuild_cache)
        reverse = StoredEngine.open(corpus / REVERSE_STORED, reverse_fallback, rebuild_cache)
        stored.extend([(corpus / STORED, forward), (corpus / REVERSE_STORED, reverse)])
        return Checker(engine=forward, reverse_engine=reverse, detectors=settings.build_detectors(),
                       combiner=combiner, min_severity=settings.min_severity, drop=settings.drop)

    current = run_gate(list(corpora), make_checker)
    if update_cache or rebuild_cache:
        for path, engine_store in stored:
            if engine_store.added or rebuild_cache:
                engine_store.save(path)
    if update_baseline:
        merged = {**((old or {}).get("corpora", {})), **current}
        atomic_write(baseline, json.dumps({"detectors": list(names), "flag_model": model_setting, "corpora": merged},
                                          indent=1, ensure_ascii=False, sort_keys=True) + "\n")
        return GateRun(current, [], names)
    changes = compare(old["corpora"], current, tolerance or Tolerance()) if old else []
    return GateRun(current, changes, names)
