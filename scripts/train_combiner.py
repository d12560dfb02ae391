"""Train mtcheck's detection model (mtcheck/qe/combiner.py) and print its cross-validated figures.

    pip install -e ".[train]"
    # a third Debian manual, English and French, for the TER-labelled training documents:
    (mkdir -p /tmp/debref && cd /tmp/debref && apt-get download debian-reference-en debian-reference-fr \\
        && for f in *.deb; do dpkg-deb -x "$f" x; done)
    python scripts/train_combiner.py [--dev-data ../shared/dev-data/wmt20-qe-enfr-train.jsonl]
                                     [--debian-reference /tmp/debref/x] [--rows-cache /tmp/combiner-rows.pkl]

Training documents, each run through the real pipeline (Apertium back-translation, reference
alignment, Apertium's French of the references, every default detector):

* the WMT20 QE en-fr MQM documents (``../shared/dev-data``): a word is BAD where a
  professional's span overlaps it; the English source is the reference;
* the same documents once more with no reference at all, so that the model learns what to
  do where news has no original to compare with (the ``noref|`` features);
* Debian Reference (package ``debian-reference-en``/``-fr``, GPL-2.0-or-later), labelled the
  way WMT made word-level QE labels: Apertium translates each English paragraph into French,
  the machine French is aligned with the human French by TER's edit distance (sacrebleu), and
  the machine words the human French does not match are BAD. Its documents are never scored:
  they add a kind of machine French (rule-based, literal) that the WMT data lacks, and it is
  a different manual from the two in data/corpora that benchmarks/document_ranking.py ranks.

Figures: 5-fold cross-validation by WMT document (a document and its no-reference copy are
always in the same fold, and so are documents that share a segment of four words or more;
the Debian documents are in every training part). The word
threshold is the lowest whose out-of-fold precision reaches ``--precision``; severity is a
multinomial logistic regression of the professionals' severities on the word's out-of-fold
logit and the detector flags on it; the document score is a ridge regression of document MQM
on :func:`mtcheck.qe.combiner.document_features` (standardised; with the document's mean of each
column the second stage reads), scored out of fold (Pearson, Spearman).
The model written is fitted on everything; its figures go into its ``about``.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "scripts"))

from build_corpora import paragraphs, usable  # noqa: E402
from flags import DEV_DATA, dev_documents, overlaps  # noqa: E402

from mtcheck import Checker, Reference  # noqa: E402
from mtcheck.detectors import build_detectors  # noqa: E402
from mtcheck.detectors.base import BaseDetector  # noqa: E402
from mtcheck.engines import EngineSpec, load_engine  # noqa: E402
from mtcheck.engines.apertium import reverse_engine  # noqa: E402
from mtcheck.engines.cache import CachedEngine, TranslationCache, default_cache_dir  # noqa: E402
from mtcheck.lang import french  # noqa: E402
from mtcheck.lang.grammalecte import french_word_classes  # noqa: E402
from mtcheck.qe.combiner import (  # noqa: E402
    FAMILIES, context_features, document_features, evidence_features, feature_family, model_features)
from mtcheck.qe.features import WordFeatures, article_word_features  # noqa: E402
from mtcheck.qe.model import (  # noqa: E402
    BUNDLED_DETECTION_MODEL, MIN_DETECTOR_EVIDENCE, SEVERITIES, DetectionModel, LinearScore,
    TreeEnsemble)
from mtcheck.types import DetectionContext, Flag  # noqa: E402

SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
PARAGRAPHS_PER_DOCUMENT = 4


class ContextRecorder(BaseDetector):
    """A detector that flags nothing and keeps the context it was shown."""

    name = "context-recorder"

    def __init__(self) -> None:
        self.context: DetectionContext | None = None

    def detect(self, context: DetectionContext) -> list:
        self.context = context
        return []


@dataclass
class TrainingDocument:
    """A French text to learn from: its references, gold BAD spans with severities, MQM."""

    id: str
    source: str  # "wmt20", "wmt20-noref" or "debian-reference"
    group: int  # documents of one group are never split across folds
    text: str
    references: list[Reference]
    gold: list[tuple[int, int, str]]
    mqm: float | None


@dataclass
class Rows:
    """What the pipeline made of one training document."""

    document: TrainingDocument
    words: list[WordFeatures]
    hits: list[tuple[Flag, ...]]
    bad: list[bool]
    severity: list[str | None]
    detector_flags: list[Flag]


def wmt_documents(path: Path) -> list[TrainingDocument]:
    docs = []
    for number, doc in enumerate(dev_documents(path, None)):
        gold = [(g.start, g.end, g.severity) for g in doc.gold]
        docs.append(TrainingDocument(doc.id, "wmt20", number, doc.text, doc.references, gold, doc.mqm))
        docs.append(TrainingDocument(doc.id, "wmt20-noref", number, doc.text, [], gold, doc.mqm))
    return docs


def ter_bad_words(machine: str, human: str) -> list[tuple[int, int]]:
    """Spans of the words of ``machine`` that TER's alignment with ``human`` does not match.

    Lower-cased letter tokens, edit distance without shifts (a moved word counts as changed):
    sacrebleu's own beam edit distance and trace, as its TER uses them.
    """
    from sacrebleu.metrics.lib_ter import BeamEditDistance, _flip_trace, trace_to_alignment

    hyp = [(m.start(), m.end(), m.group().lower()) for m in french.WORD.finditer(machine)]
    ref = [w.lower() for w in french.WORD.findall(human)]
    if not hyp or not ref:
        return [(s, e) for s, e, _ in hyp]
    _, trace = BeamEditDistance(ref)([w for _, _, w in hyp])
    _, _, hyp_err = trace_to_alignment(_flip_trace(trace))
    return [(s, e) for (s, e, _), err in zip(hyp, hyp_err) if err]


def debian_reference_documents(folder: Path, store: TranslationCache, first_group: int) -> list[TrainingDocument]:
    """TER-labelled Apertium French of Debian Reference, four paragraphs a document."""
    base = folder / "usr" / "share" / "debian-reference"
    chapters = sorted(p.name.split(".")[0] for p in base.glob("*.en.html"))
    pairs = []
    for chapter in chapters:
        en, fr = paragraphs(base / f"{chapter}.en.html"), paragraphs(base / f"{chapter}.fr.html")
        if len(en) == len(fr):
            pairs += [(chapter, i, e, f) for i, (e, f) in enumerate(zip(en, fr)) if usable(e, f)]
    engine = reverse_engine(store)
    if engine is None:
        sys.exit("the Debian Reference documents need Apertium (apt-get install apertium apertium-eng-spa apertium-fr-es)")
    machine = [t.text for t in engine.translate([e for _, _, e, _ in pairs])]
    docs = []
    for n in range(0, len(pairs) - PARAGRAPHS_PER_DOCUMENT + 1, PARAGRAPHS_PER_DOCUMENT):
        chunk = list(zip(pairs[n : n + PARAGRAPHS_PER_DOCUMENT], machine[n : n + PARAGRAPHS_PER_DOCUMENT]))
        text, gold, cursor = [], [], 0
        for (_, _, _, human), mt in chunk:
            gold += [(cursor + s, cursor + e, "minor") for s, e in ter_bad_words(mt, human)]
            text.append(mt)
            cursor += len(mt) + 2
        refs = [Reference(id=f"{c}-p{i}", text=e) for (c, i, e, _), _ in chunk]
        docs.append(TrainingDocument(f"debian-reference-{n // PARAGRAPHS_PER_DOCUMENT}", "debian-reference",
                                     first_group + n, "\n\n".join(text), refs, gold, None))
    return docs


def merge_shared_groups(docs: Sequence[TrainingDocument], min_words: int = 4) -> int:
    """Put documents that share a segment of ``min_words`` words or more into one group.

    A fifth of the WMT words are in segments that recur word for word in other documents (the
    same product blurb under several products). Split across folds, such a segment is
    tested on what its copy taught the model: lexical features that memorise phrases look
    better than they generalise. Returns how many groups were merged away."""
    parent: dict[int, int] = {}

    def root(group: int) -> int:
        while parent.get(group, group) != group:
            group = parent[group]
        return group

    first_seen: dict[str, int] = {}
    for doc in docs:
        for segment in doc.text.split("\n\n"):
            words = segment.lower().split()
            if len(words) < min_words:
                continue
            key = " ".join(words)
            other = first_seen.setdefault(key, doc.group)
            a, b = root(doc.group), root(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    before = len({d.group for d in docs})
    for doc in docs:
        doc.group = root(doc.group)
    return before - len({d.group for d in docs})


def extract(docs: Sequence[TrainingDocument], store: TranslationCache) -> list[Rows]:
    classes = french_word_classes()
    if classes is None:
        sys.exit("train_combiner.py needs Grammalecte (Debian: apt-get install python3-grammalecte)")
    engine = CachedEngine(load_engine(EngineSpec(name="apertium")).engine, store)
    recorder = ContextRecorder()
    detectors = build_detectors()
    for detector in detectors:
        if hasattr(detector, "cache") and detector.cache is None:
            detector.cache = store
    checker = Checker(engine=engine, reverse_engine=reverse_engine(store), detectors=[recorder], cache=store)
    engine.translate(sorted({s.text for d in docs for s in checker.segmenter.segment(d.text)}))
    rows, started = [], time.perf_counter()
    for n, doc in enumerate(docs):
        checker.check(doc.text, doc.references, article_id=doc.id)
        context = recorder.context
        flags = [f for d in detectors for f in d.assess(context)[0]]
        words = article_word_features(context, classes)
        spans = [(s, e) for s, e, _ in doc.gold]
        severity = []
        for w in words:
            found = [sev for s, e, sev in doc.gold if s < w.end and w.start < e]
            severity.append(max(found, key=SEVERITY_RANK.__getitem__) if found else None)
        rows.append(Rows(doc, words, [tuple(f for f in flags if f.start < w.end and w.start < f.end) for w in words],
                         [overlaps((w.start, w.end), spans) for w in words], severity, flags))
        if n % 200 == 0:
            print(f"  {n}/{len(docs)} documents, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return rows


def mcc(gold: np.ndarray, pred: np.ndarray) -> float:
    tp, tn = float(np.sum(gold & pred)), float(np.sum(~gold & ~pred))
    fp, fn = float(np.sum(~gold & pred)), float(np.sum(gold & ~pred))
    denom = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return (tp * tn - fp * fn) / denom if denom else 0.0


def prf(gold: np.ndarray, pred: np.ndarray) -> tuple[float, float, float, float]:
    tp = float(np.sum(gold & pred))
    p = tp / max(1.0, float(pred.sum()))
    r = tp / max(1.0, float(gold.sum()))
    return p, r, (2 * p * r / (p + r) if p + r else 0.0), mcc(gold, pred)


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).statistic)


def detector_precision(hits: Sequence[Sequence[Flag]], gold: np.ndarray, rows: np.ndarray) -> dict[str, float]:
    """Share of BAD words among the words of ``rows`` each detector flags, for the detectors
    that flag at least MIN_DETECTOR_EVIDENCE of them."""
    flagged, bad = defaultdict(int), defaultdict(int)
    for j in rows:
        for name in {f.detector for f in hits[j]}:
            flagged[name] += 1
            bad[name] += int(gold[j])
    return {name: round(bad[name] / n, 3) for name, n in sorted(flagged.items()) if n >= MIN_DETECTOR_EVIDENCE}


def precision_by_reference(hits: Sequence[Sequence[Flag]], gold: np.ndarray, rows: np.ndarray,
                           referenced: np.ndarray) -> dict[str, dict[str, float]]:
    """:func:`detector_precision` in segments with a reference and without one, apart
    (``referenced``: a flag per word)."""
    return {"with": detector_precision(hits, gold, rows[referenced[rows]]),
            "without": detector_precision(hits, gold, rows[~referenced[rows]])}


def rule_records(hits: Sequence[Sequence[Flag]], precision: dict[str, float]) -> np.ndarray:
    """Each word's highest precision on record among the detector flags on it (0: none)."""
    return np.array([max((precision.get(f.detector, f.confidence) for f in found), default=0.0) for found in hits])


def rule_evidence(hits: Sequence[Sequence[Flag]], referenced: np.ndarray,
                  precision: dict[str, dict[str, float]]) -> np.ndarray:
    """:func:`rule_records` on the records measured on segments of each word's own reference
    status, as the combiner's noisy-or takes them."""
    return np.where(referenced, rule_records(hits, precision["with"]), rule_records(hits, precision["without"]))


def context_matrix(rows: Sequence[Rows], first: np.ndarray, rules: np.ndarray,
                   parts: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """The second stage's inputs for every word of ``rows`` (in word-row order), as a matrix
    with NaN where a neighbour is missing, and the feature names of its columns. ``parts``:
    each word's first-stage logit by feature family (columns in the order of FAMILIES)."""
    blocks, names, start = [], None, 0
    for r in rows:
        end = start + len(r.words)
        if r.words:
            families = [dict(zip(FAMILIES, map(float, row))) for row in parts[start:end]]
            columns = context_features(r.words, first[start:end], rules[start:end], r.hits, families)
            names = names or sorted(columns)
            blocks.append(np.column_stack([columns[n] for n in names]))
        start = end
    return np.vstack(blocks), names


def fit_trees(x: np.ndarray, y: np.ndarray, weight: np.ndarray, args: argparse.Namespace):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=args.trees, learning_rate=0.1, max_leaf_nodes=args.leaves, min_samples_leaf=100,
        l2_regularization=1.0, early_stopping=False, random_state=0).fit(x, y, sample_weight=weight)


def export_trees(model, names: list[str], check: np.ndarray) -> TreeEnsemble:
    """scikit-learn's trees as mtcheck's :class:`TreeEnsemble`, checked, as the model file will
    hold them (through its JSON), against scikit-learn's own decision function on ``check`` rows."""
    trees = []
    for (predictor,) in model._predictors:
        # A split that only parts the missing values from the rest has an infinite threshold,
        # which JSON cannot hold; every value there is at most the largest float as well.
        trees.append([[-1 if node["is_leaf"] else int(node["feature_idx"]),
                       min(float(node["num_threshold"]), sys.float_info.max),
                       int(node["left"]), int(node["right"]), int(node["missing_go_to_left"]), float(node["value"])]
                      for node in predictor.nodes])
    ensemble = TreeEnsemble.from_json(
        TreeEnsemble(names, trees, float(np.ravel(model._baseline_prediction)[0])).to_json())
    ours = np.array(ensemble.logits({name: check[:, k] for k, name in enumerate(names)}))
    theirs = model.decision_function(check)
    if not np.allclose(ours, theirs, atol=1e-4):
        raise AssertionError(f"exported trees disagree with scikit-learn: {np.abs(ours - theirs).max()}")
    return ensemble


def penalty_per_bad_word(rows: Sequence[Rows]) -> float:
    """The MQM penalty a BAD word costs in the WMT documents, on average: their penalty
    (``words × (1 − MQM / 100)``, from the documents WMT's clip at 0 left alone) over their BAD words."""
    scored = [r for r in rows if r.document.source == "wmt20" and r.document.mqm and any(r.bad)]
    penalty = sum(len(r.bad) * (1.0 - r.document.mqm / 100.0) for r in scored)
    return penalty / max(1, sum(sum(r.bad) for r in scored))


def labelled_mqm(bad: Sequence[bool], penalty_per_bad: float) -> float:
    """MQM of a TER-labelled document, scored as WMT scores a document (``100 × (1 − penalty /
    words)``, clipped at 0) with each changed word costing what a BAD word costs in WMT's."""
    return max(0.0, 100.0 * (1.0 - penalty_per_bad * sum(bad) / max(1, len(bad))))


def document_regression(x: np.ndarray, y: np.ndarray, alpha: float,
                        weight: np.ndarray | None = None) -> "_FittedDocument":
    """Ridge regression of document MQM on standardised features (their scales differ by
    orders of magnitude: a mean probability, a share of flagged words, a column of counts),
    returned on the raw features, as mtcheck computes them, with the scaling folded in."""
    from sklearn.linear_model import Ridge

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    ridge = Ridge(alpha=alpha).fit((x - mean) / scale, y, sample_weight=weight)
    weights = ridge.coef_ / scale
    return _FittedDocument(weights, float(ridge.intercept_ - np.dot(weights, mean)))


class _FittedDocument:
    """A linear document score over the feature columns, as numbers; :meth:`score` names them."""

    def __init__(self, weights: np.ndarray, bias: float) -> None:
        self.weights, self.bias = weights, bias

    def predict(self, x: np.ndarray) -> np.ndarray:
        return x @ self.weights + self.bias

    def score(self, names: Sequence[str]) -> LinearScore:
        return LinearScore(dict(zip(names, map(float, self.weights))), self.bias)


def model_card(about: dict, weights: int, trees: int, threshold: float, pooled: dict[str, float],
               precisions: dict[str, dict[str, float]]) -> str:
    """The model card shipped beside the weights: what the model was trained on, under which
    licence, how it was measured and how to retrain it."""
    cv = about["cross_validation"]
    words, doc = cv["word_level"], cv["document_mqm"]
    folds = "\n".join(
        f"| {k + 1} | {f['precision']:.3f} | {f['recall']:.3f} | {f['f1_bad']:.3f} | {f['mcc']:.3f} "
        f"| {f['f1_every_word']:.3f} |" for k, f in enumerate(cv["per_fold"]))
    noref = cv["word_level_without_references"]
    sweep = "\n".join(f"| {t['unexplained_threshold']} | {t['precision']:.3f} | {t['recall']:.3f} | {t['f1_bad']:.3f} "
                      f"| {t['mcc']:.3f} |" for t in cv.get("unexplained_threshold_sweep", []))
    return f"""# mtcheck-detection

The word-level error model behind mtcheck's flags (`mtcheck/qe/combiner.py`), in two stages:
a logistic regression over the word features of `mtcheck/qe/features.py` and every rule
detector's flags ({weights} word weights), then gradient-boosted trees ({trees} trees) that read
its probability in context: the neighbours' within the sentence, the sentence's and the
article's, its logit split by feature family, the rules' records and the dense word features.
The trees learned from out-of-fold first-stage probabilities, as they meet them on new text.
A multinomial regression gives the severity, and a ridge regression the document MQM score
(from how much of the document the model finds wrong and its mean of each second-stage column),
fitted on the WMT documents' MQM and on the Debian Reference documents scored as WMT scores a
document, each word their TER labels mark costing the penalty a BAD word costs in WMT's.
A word some detector flagged is flagged at probability >= {threshold}
({about["threshold_rule"]}); {about["unexplained_threshold_rule"]}; {about["severe_threshold_rule"]}
(flags no detector explains are always minor). A detector's flag also counts at the precision
training measured for it in segments like its own, with a reference or without (below), or at
the confidence it states where it flagged fewer than {MIN_DETECTOR_EVIDENCE} such training words,
combined with the model's probability by noisy-or.

## Training data

| source | what | licence |
| --- | --- | --- |
| WMT20 QE task 3, en-fr (`../shared/dev-data`) | {about["trained_on"]["wmt20-qe-enfr"]} | not stated by the task; released for research |
| Debian Reference 2.100 (`apt-get download debian-reference-en debian-reference-fr`) | {about["trained_on"]["debian-reference"]} | GPL-2.0-or-later |

Words: {about["words"]["wmt20"]} WMT20 words (BAD rate {about["words"]["bad_rate_wmt20"]}),
{about["words"]["debian_reference"]} Debian Reference words (BAD rate {about["words"]["bad_rate_debian_reference"]}).
The Debian Reference labels follow the way WMT made its word-level QE labels: the English is
translated by a machine (Apertium en→fr), the machine French is aligned with the human French
by TER, and the words the human changed are BAD. Apertium's French is rule-based and literal,
so these labels teach the model the calques and word-for-word renderings that the product
descriptions rarely show; they weigh {about["trained_on"]["debian-reference"].rsplit(" ", 1)[-1]} of a WMT word.

## Cross-validated figures

{cv["folds"]}. A fifth of the WMT words are in segments that recur word for word in other
documents (one product blurb under several products); split across folds, such a segment was
tested on what its copy had taught the model, and the figures of models before
mtcheck-detection trained this way were optimistic by about 0.07 MCC. Word level, BAD class,
at the shipped threshold:

| fold | precision | recall | F1-BAD | MCC | F1 flagging every word |
| --- | --- | --- | --- | --- | --- |
{folds}
| all | {words["precision"]:.3f} | {words["recall"]:.3f} | {words["f1_bad"]:.3f} | {words["mcc"]:.3f} | {words["f1_flag_every_word"]:.3f} |

MCC spread over folds {words["mcc_spread"]["min"]:.3f}–{words["mcc_spread"]["max"]:.3f}; the
same documents without their references (as a news article quoting nothing): F1-BAD
{noref["f1_bad"]:.3f}, MCC {noref["mcc"]:.3f}. Best MCC at any threshold: {cv["best_mcc"]:.3f}
(at {cv["best_mcc_threshold"]}).

What the threshold of words no detector flagged trades (cross-validated, the others unchanged):
recall on these documents against the precision of the model's own flags, which on news fall
near the base rate while the rules keep theirs (lower thresholds lower the bundled sample's
MCC and add flags to the professional translations, which have no error to find):

| unexplained threshold | precision | recall | F1-BAD | MCC |
| --- | --- | --- | --- | --- |
{sweep}

Document MQM, out-of-fold: Pearson {doc["pearson"]:.3f}, Spearman {doc["spearman"]:.3f}
(per fold: {", ".join(f"{f['pearson']:.3f}" for f in doc["per_fold"])}).

Detector precision measured on the WMT words, in segments with a reference:
{", ".join(f"{k} {v:.3f}" for k, v in precisions["with"].items())}; without one:
{", ".join(f"{k} {v:.3f}" for k, v in precisions["without"].items())}. Over both (the rules' records
that the second stage reads): {", ".join(f"{k} {v:.3f}" for k, v in pooled.items())}.

Severity: trained on {", ".join(f"{n} {k}" for k, n in cv["severity"]["training_bad_words"].items())}
annotated words; {cv["severity"]["accuracy_on_training"]:.3f} agreement on them.

## Retraining

    {about["command"]}

needs `../shared/dev-data`, Grammalecte and Apertium (`apt-get install python3-grammalecte
apertium apertium-eng-spa apertium-fr-es`) and the two Debian Reference packages unpacked where
`--debian-reference` points (`apt-get download debian-reference-en debian-reference-fr` and
`dpkg-deb -x` of each into one folder). Learner: {about["learner"]}.
"""


def main() -> None:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev-data", default=str(DEV_DATA))
    parser.add_argument("--debian-reference", default="/tmp/debref/x",
                        help="folder where debian-reference-en and -fr were extracted (see above); "
                             "skipped when missing")
    parser.add_argument("--precision", type=float, default=0.5, help="precision the word threshold is chosen for")
    parser.add_argument("--severe-precision", type=float, default=0.65,
                        help="precision a flag needs before the model calls it major or critical")
    parser.add_argument("--unexplained-precision", type=float, default=0.65,
                        help="precision the threshold for words no detector flagged is chosen for (0.65: at 0.6 "
                             "the two-stage model drew half as many flags again on the human French of "
                             "tests/data/professional and data/corpora as the one-stage model before it)")
    parser.add_argument("--regularisation", type=float, default=0.3, help="scikit-learn's C (smaller: simpler)")
    parser.add_argument("--debian-weight", type=float, default=0.5,
                        help="weight of a TER-labelled word against a professionally annotated one")
    parser.add_argument("--nested", action=argparse.BooleanOptionalAction, default=True,
                        help="nested cross-validation for the second stage's figures (--no-nested: faster, "
                             "slightly optimistic, for trying settings)")
    parser.add_argument("--trees", type=int, default=300, help="boosting rounds of the second stage")
    parser.add_argument("--leaves", type=int, default=31, help="leaves per tree of the second stage")
    parser.add_argument("--min-weight", type=float, default=0.01, help="drop weights smaller than this")
    parser.add_argument("--document-alpha", type=float, default=300.0,
                        help="ridge penalty of the document score, on standardised features")
    parser.add_argument("--out", default=str(ROOT / "mtcheck" / "resources" / Path(*BUNDLED_DETECTION_MODEL)))
    parser.add_argument("--rows-cache", help="pickle of the extracted documents, reused when it exists (delete it "
                                             "after changing a detector or mtcheck/qe/features.py)")
    parser.add_argument("--limit", type=int, help="only the first N WMT documents (for a quick try)")
    args = parser.parse_args()

    started = time.perf_counter()
    cache = Path(args.rows_cache) if args.rows_cache else None
    if cache and cache.exists():
        rows: list[Rows] = pickle.loads(cache.read_bytes())
    else:
        store = TranslationCache(default_cache_dir() / "translations.sqlite")
        docs = wmt_documents(Path(args.dev_data))
        if args.limit:
            docs = docs[: 2 * args.limit]
        debian = Path(args.debian_reference)
        if debian.exists():
            docs += debian_reference_documents(debian, store, first_group=100_000)
        else:
            print(f"{debian}: not found, training without the Debian Reference documents", file=sys.stderr)
        rows = extract(docs, store)
        if cache:
            cache.write_bytes(pickle.dumps(rows))
    print(f"{len(rows)} documents extracted, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    merged = merge_shared_groups([r.document for r in rows])
    print(f"  {merged} groups merged into others for sharing a segment", file=sys.stderr)

    word_rows = [(r, i) for r in rows for i in range(len(r.words))]
    features = [model_features(r.words[i], r.hits[i]) for r, i in word_rows]
    gold = np.array([r.bad[i] for r, i in word_rows])
    groups = np.array([r.document.group for r, _ in word_rows])
    source = np.array([r.document.source for r, _ in word_rows])
    weight = np.where(source == "debian-reference", args.debian_weight, 1.0)
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform(features)
    wmt = source != "debian-reference"
    scored = source == "wmt20"

    # The first stage's out-of-fold probabilities (folds by document, a WMT document and its
    # no-reference copy together), each word's rule record measured on the training part only:
    # the second stage learns from what the first says of text it has not seen, as it will be
    # used. Its own figures are nested: in each outer fold the first stage's probabilities on
    # the training part come from an inner cross-validation of that part alone, so that no
    # label of the tested documents reaches either stage.
    hit_lists = [r.hits[i] for r, i in word_rows]
    referenced = np.array([r.words[i].referenced for r, i in word_rows])
    wmt_index = np.flatnonzero(wmt)

    family_columns = [np.array([feature_family(n) == family for n in vectorizer.feature_names_]) for family in FAMILIES]

    def first_stage(train: np.ndarray, test: np.ndarray, out: dict[str, np.ndarray]) -> None:
        model = LogisticRegression(C=args.regularisation, max_iter=3000)
        model.fit(x[train], gold[train], sample_weight=weight[train])
        precision = detector_precision(hit_lists, gold, train[wmt[train]])
        by_reference = precision_by_reference(hit_lists, gold, train[wmt[train]], referenced)
        out["first"][test] = model.predict_proba(x[test])[:, 1]
        for column, mask in enumerate(family_columns):
            out["parts"][test, column] = x[test][:, mask] @ model.coef_[0][mask]
        tested_hits = [hit_lists[j] for j in test]
        out["rules"][test] = rule_records(tested_hits, precision)
        out["evidence"][test] = rule_evidence(tested_hits, referenced[test], by_reference)

    def out_of_fold(index: np.ndarray, parts: int) -> dict[str, np.ndarray]:
        out = {"first": np.zeros(len(gold)), "rules": np.zeros(len(gold)), "evidence": np.zeros(len(gold)),
               "parts": np.zeros((len(gold), len(FAMILIES)))}
        for train, test in GroupKFold(parts).split(index, groups=groups[index]):
            first_stage(index[train], index[test], out)
        return out

    folds = list(GroupKFold(5).split(np.arange(len(gold)), groups=groups))
    fold_of = np.full(len(gold), -1)
    stage = out_of_fold(np.arange(len(gold)), 5)
    first, rules, evidence = stage["first"], stage["rules"], stage["evidence"]
    print(f"  first stage out of fold, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    single_stage = 1.0 - (1.0 - first) * (1.0 - evidence)  # the one-stage combiner, for comparison
    context, context_names = context_matrix(rows, first, rules, stage["parts"])

    second = np.zeros(len(gold))
    for k, (train, test) in enumerate(folds):
        fold_of[test] = k
        if args.nested:
            inner = out_of_fold(train, 4)
            first_stage(train, test, inner)
            fold_context, _ = context_matrix(rows, inner["first"], inner["rules"], inner["parts"])
        else:
            fold_context = context
        trees = fit_trees(fold_context[train], gold[train], weight[train], args)
        second[test] = trees.predict_proba(fold_context[test])[:, 1]
        print(f"  second stage, fold {k + 1}/5 fitted, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    # As the combiner does: each rule that fired counts once more on its own record (noisy-or),
    # which costs the WMT words about 0.003 MCC and keeps the news rules the product
    # descriptions never trigger in force. The record is the one measured on segments of the
    # word's reference status: truncation, 0.2 without a reference, never fired beside one.
    oof = 1.0 - (1.0 - second) * (1.0 - evidence)
    for label, probabilities in (("one stage", single_stage), ("two stages", oof)):
        best = max((mcc(gold[scored], probabilities[scored] >= t), t) for t in np.arange(0.1, 0.9, 0.01))
        best_f1 = max((prf(gold[scored], probabilities[scored] >= t)[2:], t) for t in np.arange(0.1, 0.9, 0.01))
        print(f"  {label}: best MCC {best[0]:.3f} at {best[1]:.2f}; best F1-BAD {best_f1[0][0]:.3f} "
              f"(MCC {best_f1[0][1]:.3f}) at {best_f1[1]:.2f}", file=sys.stderr)

    candidates = [round(float(t), 3) for t in np.arange(0.10, 0.90, 0.005)]
    reaching = [t for t in candidates if prf(gold[scored], oof[scored] >= t)[0] >= args.precision]
    threshold = reaching[0] if reaching else max(candidates, key=lambda t: mcc(gold[scored], oof[scored] >= t))
    # Below this a flag is minor whatever its likely kind: a reviewer triages by severity, and
    # a guess should not outrank what the model is sure of.
    reaching = [t for t in candidates if prf(gold[scored], oof[scored] >= t)[0] >= args.severe_precision]
    severe_threshold = reaching[0] if reaching else candidates[-1]
    # A word no rule flagged is flagged only from a higher probability: on news the model's own
    # flags are much less precise than on the product descriptions it learned from (precision
    # at the base rate on the sample at the word threshold), while the rules keep theirs.
    # (Telling news from a translated document by the share of its sentences that render a
    # reference does not work: the sample's quotes render references in 20 of 23 sentences.)
    explained = np.array([bool(h) for h in hit_lists])
    unexplained = scored & ~explained
    reaching = [t for t in candidates if t >= threshold
                and prf(gold[unexplained], oof[unexplained] >= t)[0] >= args.unexplained_precision]
    unexplained_threshold = reaching[0] if reaching else candidates[-1]
    flagged = np.where(explained, oof >= threshold, oof >= unexplained_threshold)
    # What the unexplained threshold trades: recall on the product descriptions against the
    # precision of flags no rule explains, which is what news text meets (the model card shows it).
    sweep = []
    for t in [c for c in candidates if c >= threshold][::10]:
        p, r, f, m = prf(gold[scored], np.where(explained, oof >= threshold, oof >= t)[scored])
        sweep.append({"unexplained_threshold": t, "precision": round(p, 3), "recall": round(r, 3),
                      "f1_bad": round(f, 3), "mcc": round(m, 3)})
    best_mcc_threshold = max(candidates, key=lambda t: mcc(gold[scored], oof[scored] >= t))
    per_fold = []
    for k in range(5):
        mask = scored & (fold_of == k)
        p, r, f, m = prf(gold[mask], flagged[mask])
        _, _, bf, _ = prf(gold[mask], np.ones(mask.sum(), bool))
        per_fold.append({"precision": p, "recall": r, "f1_bad": f, "mcc": m, "f1_every_word": bf})
    p, r, f, m = prf(gold[scored], flagged[scored])
    noref = source == "wmt20-noref"
    np_, nr, nf, nm = prf(gold[noref], flagged[noref])

    # Severity: multinomial regression of the professionals' severities on the out-of-fold logit
    # and the detector flags, over the BAD words of the WMT documents.
    sev_rows = [(j, r.severity[i]) for j, (r, i) in enumerate(word_rows) if wmt[j] and r.severity[i]]
    eps = 1e-6
    sev_features = [{"logit": float(np.log(max(oof[j], eps) / max(1 - oof[j], eps))),
                     **{k: v for k, v in features[j].items() if k.startswith("hit_")}} for j, _ in sev_rows]
    sev_vectorizer = DictVectorizer()
    sx = sev_vectorizer.fit_transform(sev_features)
    sev_labels = np.array([s for _, s in sev_rows])
    severity_model = LogisticRegression(C=1.0, max_iter=3000).fit(sx, sev_labels)
    severities = {}
    for c, label in enumerate(severity_model.classes_):
        coef = severity_model.coef_[c] if len(severity_model.classes_) > 2 else (
            severity_model.coef_[0] * (1 if c else -1))
        bias = severity_model.intercept_[c] if len(severity_model.classes_) > 2 else (
            severity_model.intercept_[0] * (1 if c else -1))
        severities[str(label)] = LinearScore({n: float(w) for n, w in zip(sev_vectorizer.feature_names_, coef)
                                              if abs(w) >= 1e-3}, float(bias))
    sev_accuracy = float(np.mean(severity_model.predict(sx) == sev_labels))
    sev_counts = {s: int(np.sum(sev_labels == s)) for s in SEVERITIES}

    # Document score: ridge regression of MQM on the document features of out-of-fold probabilities.
    offsets = np.cumsum([0] + [len(r.words) for r in rows])
    # The Debian documents teach the score what literal machine French of a manual looks like
    # (their MQM from the TER labels, as below); they are never scored, like their words.
    documents = [k for k, r in enumerate(rows) if r.document.source in ("wmt20", "debian-reference") and r.words]
    doc_rows = [(rows[k], oof[offsets[k]:offsets[k + 1]]) for k in documents]
    severity_scorer = DetectionModel(words=LinearScore({}), threshold=threshold, severities=severities,
                                     document=LinearScore({}), severe_threshold=severe_threshold)
    # Each document's words in the second stage's columns (out-of-fold first stage, as trained).
    doc_columns = [{name: context[offsets[k]:offsets[k + 1], j] for j, name in enumerate(context_names)}
                   for k in documents]
    doc_x = [document_features(list(p), threshold, r.detector_flags, r.words,
                               severity_scorer.expected_penalties(
                                   [evidence_features(w, h) for w, h in zip(r.words, r.hits)], p), columns)
             for (r, p), columns in zip(doc_rows, doc_columns)]
    names = sorted(doc_x[0])
    dx = np.array([[d[n] for n in names] for d in doc_x])
    bad_word_penalty = penalty_per_bad_word(rows)
    all_dy = np.array([r.document.mqm if r.document.mqm is not None else labelled_mqm(r.bad, bad_word_penalty)
                       for r, _ in doc_rows])
    is_wmt = np.array([r.document.source == "wmt20" for r, _ in doc_rows])
    wmt_docs, debian_docs = np.flatnonzero(is_wmt), np.flatnonzero(~is_wmt)
    doc_weight = np.where(is_wmt, 1.0, args.debian_weight)
    print(f"  document score: a BAD word costs {bad_word_penalty:.2f} of MQM penalty; Debian documents' MQM "
          f"{np.mean(all_dy[debian_docs]):.1f} on average", file=sys.stderr)
    dy = all_dy[wmt_docs]
    dgroups = np.array([doc_rows[i][0].document.group for i in wmt_docs])
    doc_oof = np.zeros(len(dy))
    doc_folds = []
    for train, test in GroupKFold(5).split(wmt_docs, groups=dgroups):
        # Clipped as mtcheck clips its estimate. (Fitting the penalty before WMT's clip at 0,
        # which a quarter of the documents score, measured worse: Pearson 0.317 against 0.349.)
        fitted = np.concatenate([wmt_docs[train], debian_docs])
        regression = document_regression(dx[fitted], all_dy[fitted], args.document_alpha, doc_weight[fitted])
        doc_oof[test] = np.clip(regression.predict(dx[wmt_docs[test]]), 0, 100)
        doc_folds.append((float(np.corrcoef(doc_oof[test], dy[test])[0, 1]), spearman(doc_oof[test], dy[test])))
    pearson_doc, spearman_doc = float(np.corrcoef(doc_oof, dy)[0, 1]), spearman(doc_oof, dy)
    doc_model = document_regression(dx, all_dy, args.document_alpha, doc_weight)

    final = LogisticRegression(C=args.regularisation, max_iter=3000).fit(x, gold, sample_weight=weight)
    weights = {n: float(w) for n, w in zip(vectorizer.feature_names_, final.coef_[0]) if abs(w) >= args.min_weight}
    final_trees = export_trees(fit_trees(context, gold, weight, args), context_names, context[:: max(1, len(gold) // 2000)])

    def spread(key: str) -> dict[str, float]:
        values = [fold[key] for fold in per_fold]
        return {"mean": round(float(np.mean(values)), 3), "min": round(min(values), 3), "max": round(max(values), 3)}

    about = {
        "name": "mtcheck-detection",
        "trained_on": {
            "wmt20-qe-enfr": f"{Path(args.dev_data).name}: {sum(r.document.source == 'wmt20' for r in rows)} "
                             "documents (WMT20 QE task 3 en-fr, professional MQM spans), each also without "
                             "its references",
            "debian-reference": f"{sum(r.document.source == 'debian-reference' for r in rows)} documents of "
                                "Debian Reference 2.100 (debian-reference-en/-fr, GPL-2.0-or-later): Apertium "
                                "en→fr, words labelled by TER alignment with the human French, weight "
                                f"{args.debian_weight}",
        },
        "words": {"wmt20": int(scored.sum()), "wmt20_without_references": int(noref.sum()),
                  "debian_reference": int((~wmt).sum()), "bad_rate_wmt20": round(float(gold[scored].mean()), 3),
                  "bad_rate_debian_reference": round(float(gold[~wmt].mean()), 3) if (~wmt).any() else None},
        "threshold_rule": f"lowest threshold whose cross-validated precision reaches {args.precision}",
        "unexplained_threshold_rule": f"a word no detector flagged needs probability {unexplained_threshold}, the "
                                      f"lowest whose cross-validated precision on such words reaches "
                                      f"{args.unexplained_precision}",
        "severe_threshold_rule": f"major or critical only from probability {severe_threshold}, the lowest whose "
                                 f"cross-validated precision reaches {args.severe_precision}",
        "cross_validation": {
            "folds": ("5, by document (GroupKFold; a WMT document, its no-reference copy and every document "
                      "sharing a segment of four words or more with it in the same fold), "
                      + ("nested: the second stage of each fold trained on first-stage probabilities from an "
                         "inner 4-fold cross-validation of its training part" if args.nested else
                         "not nested (the second stage's training probabilities saw the tested documents' "
                         "labels: optimistic)")),
            "word_level": {"precision": round(p, 3), "recall": round(r, 3), "f1_bad": round(f, 3), "mcc": round(m, 3),
                           "mcc_spread": spread("mcc"), "f1_bad_spread": spread("f1_bad"),
                           "f1_flag_every_word": round(float(np.mean([x["f1_every_word"] for x in per_fold])), 3)},
            "word_level_without_references": {"precision": round(np_, 3), "recall": round(nr, 3),
                                              "f1_bad": round(nf, 3), "mcc": round(nm, 3)},
            "per_fold": [{k: round(v, 3) for k, v in fold.items()} for fold in per_fold],
            "unexplained_threshold_sweep": sweep,
            "best_mcc_threshold": best_mcc_threshold,
            "best_mcc": round(mcc(gold[scored], oof[scored] >= best_mcc_threshold), 3),
            "document_mqm": {"pearson": round(pearson_doc, 3), "spearman": round(spearman_doc, 3),
                             "per_fold": [{"pearson": round(a, 3), "spearman": round(b, 3)} for a, b in doc_folds]},
            "severity": {"training_bad_words": sev_counts, "accuracy_on_training": round(sev_accuracy, 3)},
        },
        "command": "python scripts/train_combiner.py"
                   + (f" --precision {args.precision}" if args.precision != 0.5 else ""),
        "learner": (f"scikit-learn LogisticRegression (first stage, severity), HistGradientBoostingClassifier "
                    f"({args.trees} trees of at most {args.leaves} leaves, exported node by node; second stage), "
                    f"Ridge (document; standardised features, alpha {args.document_alpha:g})"),
    }
    model = DetectionModel(
        words=LinearScore(weights, float(final.intercept_[0])), threshold=threshold, severities=severities,
        severe_threshold=severe_threshold, unexplained_threshold=unexplained_threshold,
        detector_precision=detector_precision(hit_lists, gold, wmt_index),
        detector_precision_by_reference=precision_by_reference(hit_lists, gold, wmt_index, referenced),
        document=doc_model.score(names),
        target_precision=args.precision, about=about, context=final_trees)
    model.save(Path(args.out))
    card = model_card(about, len(weights), len(final_trees.trees), threshold, model.detector_precision,
                      model.detector_precision_by_reference)
    Path(args.out).with_suffix(".md").write_text(card, encoding="utf-8")
    print(json.dumps(about["cross_validation"], indent=1))
    print(f"{len(weights)} weights, threshold {threshold}; {time.perf_counter() - started:.0f} s → {args.out}")


if __name__ == "__main__":
    main()
