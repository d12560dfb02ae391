"""Train the word-qe detector's model on the WMT20 QE en-fr MQM documents.

    pip install -e ".[train]"
    python scripts/train_word_qe.py [--dev-data ../shared/dev-data/wmt20-qe-enfr-train.jsonl]
                                    [--held-out 300] [--out data/models/word-qe.json]

Every document is run through the real pipeline (Apertium back-translation, reference
alignment, Apertium's French translation of the English source as pseudo-reference); each
French word gets the features of :mod:`mtcheck.qe.features` and the label BAD when an
annotated span overlaps it, as benchmarks/flags.py counts. A logistic regression
(scikit-learn) is fitted on all documents but the first ``--held-out``, which
benchmarks/flags.py scores (``--limit 300``). The threshold is the one that maximises the
Matthews correlation of 5-fold cross-validated predictions (folds by document) on the
training documents; the fitted model's own training predictions would pick one too low.
Weights under ``--min-weight`` are dropped. The document estimate's scale is fitted to the
training documents' MQM scores. The model is written as named weights in JSON
(:class:`mtcheck.qe.model.LinearWordModel`), with its figures.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from flags import DEV_DATA, HELD_OUT, dev_documents, overlaps  # noqa: E402

from mtcheck import Checker  # noqa: E402
from mtcheck.detectors.base import BaseDetector  # noqa: E402
from mtcheck.types import DetectionContext  # noqa: E402
from mtcheck.engines import EngineSpec, load_engine  # noqa: E402
from mtcheck.engines.apertium import reverse_engine  # noqa: E402
from mtcheck.engines.cache import CachedEngine, TranslationCache  # noqa: E402
from mtcheck.engines.cache import default_cache_dir  # noqa: E402
from mtcheck.lang.grammalecte import french_word_classes  # noqa: E402
from mtcheck.qe.model import BUNDLED_MODEL, LinearWordModel  # noqa: E402
from mtcheck.qe.features import article_word_features  # noqa: E402


class ContextRecorder(BaseDetector):
    """A detector that flags nothing and keeps the context it was shown."""

    name = "context-recorder"

    def __init__(self) -> None:
        self.context: DetectionContext | None = None

    def detect(self, context: DetectionContext) -> list:
        self.context = context
        return []


def word_rows(dev_data: Path) -> tuple[list[dict[str, float]], list[bool], list[int], list[float]]:
    """Features, gold labels and document numbers of every word, and each document's MQM score."""
    classes = french_word_classes()
    if classes is None:
        sys.exit("train_word_qe.py needs Grammalecte (Debian: apt-get install python3-grammalecte)")
    docs = dev_documents(dev_data, None)
    store = TranslationCache(default_cache_dir() / "translations.sqlite")
    engine = CachedEngine(load_engine(EngineSpec(name="apertium")).engine, store)
    recorder = ContextRecorder()
    checker = Checker(engine=engine, reverse_engine=reverse_engine(store), detectors=[recorder], cache=store)
    engine.translate([s.text for d in docs for s in checker.segmenter.segment(d.text)])
    features, labels, doc_numbers = [], [], []
    for number, doc in enumerate(docs):
        checker.check(doc.text, doc.references, article_id=doc.id)
        gold = [(g.start, g.end) for g in doc.gold]
        for word in article_word_features(recorder.context, classes):
            features.append(word.features)
            labels.append(overlaps((word.start, word.end), gold))
            doc_numbers.append(number)
        if number % 100 == 0:
            print(f"  {number}/{len(docs)} documents", file=sys.stderr)
    return features, labels, doc_numbers, [d.mqm for d in docs]


def mcc(gold: np.ndarray, pred: np.ndarray) -> float:
    tp = float(np.sum(gold & pred))
    tn = float(np.sum(~gold & ~pred))
    fp = float(np.sum(~gold & pred))
    fn = float(np.sum(gold & ~pred))
    denom = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return (tp * tn - fp * fn) / denom if denom else 0.0


def main() -> None:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev-data", default=str(DEV_DATA))
    parser.add_argument("--held-out", type=int, default=HELD_OUT, help="first N documents, left out of training")
    parser.add_argument("--regularisation", type=float, default=0.3, help="scikit-learn's C (smaller: simpler)")
    parser.add_argument("--min-weight", type=float, default=0.01, help="drop weights smaller than this")
    parser.add_argument("--out", default=str(ROOT / "mtcheck" / "resources" / Path(*BUNDLED_MODEL)))
    parser.add_argument("--rows-cache", help="pickle of the extracted words, reused when it exists (delete it "
                                             "after changing mtcheck/word_features.py)")
    args = parser.parse_args()

    started = time.perf_counter()
    cache = Path(args.rows_cache) if args.rows_cache else None
    if cache and cache.exists():
        features, labels, doc_numbers, document_mqm = pickle.loads(cache.read_bytes())
    else:
        features, labels, doc_numbers, document_mqm = word_rows(Path(args.dev_data))
        if cache:
            cache.write_bytes(pickle.dumps((features, labels, doc_numbers, document_mqm)))
    gold, numbers = np.array(labels), np.array(doc_numbers)
    train = numbers >= args.held_out
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([f for f, t in zip(features, train) if t])
    classifier = LogisticRegression(C=args.regularisation, max_iter=5000)
    p_folds = cross_val_predict(classifier, x, gold[train], groups=numbers[train], cv=GroupKFold(5),
                                method="predict_proba")[:, 1]
    cv_mcc, threshold = max((mcc(gold[train], p_folds >= t), round(float(t), 2)) for t in np.arange(0.15, 0.75, 0.01))
    # Major: the surest fifth of the words flagged in cross-validation.
    major = float(np.quantile(p_folds[p_folds >= threshold], 0.8))
    classifier.fit(x, gold[train])
    weights = {name: float(w) for name, w in zip(vectorizer.feature_names_, classifier.coef_[0])
               if abs(w) >= args.min_weight}
    model = LinearWordModel(weights=weights, bias=float(classifier.intercept_[0]), threshold=threshold,
                            major_threshold=round(major, 3))
    # Document MQM ≈ 100 − 100 × scale × mean probability: least squares through the origin over
    # the training documents, on cross-validated probabilities (the fitted ones are overconfident).
    train_docs = numbers[train]
    mean_folds = np.array([p_folds[train_docs == d].mean() for d in np.unique(train_docs)])
    penalty = (100.0 - np.array(document_mqm)[np.unique(train_docs)]) / 100.0
    model = replace(model, document_scale=round(float(mean_folds @ penalty / (mean_folds @ mean_folds)), 4))
    held_out = [f for f, t in zip(features, train) if not t]
    p_held = np.array([model.probability(f) for f in held_out])
    held_mcc = mcc(gold[~train], p_held >= threshold)
    held_docs = numbers[~train]
    mqm = np.array(document_mqm)[: args.held_out]
    estimate = np.array([model.document_mqm(p_held[held_docs == d]) for d in range(args.held_out)])
    held_pearson = float(np.corrcoef(estimate, mqm)[0, 1])
    model = replace(model, about={
        "trained_on": f"{Path(args.dev_data).name}, documents {args.held_out + 1}–{int(numbers.max()) + 1} "
                      "(WMT20 QE task 3 en-fr, MQM spans), Apertium back-translation and pseudo-reference",
        "held_out_documents": f"1–{args.held_out}",
        "words": {"train": int(train.sum()), "held_out": int((~train).sum())},
        "word_level_mcc": {"cross_validated": round(cv_mcc, 3), "held_out": round(held_mcc, 3)},
        "pearson_document_estimate_vs_mqm": {"held_out": round(held_pearson, 3)},
        "command": "python scripts/train_word_qe.py"
                   + (f" --held-out {args.held_out}" if args.held_out != HELD_OUT else "")
                   + (f" --regularisation {args.regularisation}" if args.regularisation != 0.3 else ""),
        "learner": "scikit-learn LogisticRegression",
    })
    model.save(Path(args.out))
    print(f"{len(weights)} weights, threshold {threshold:.2f}, major above {major:.3f}; word-level MCC "
          f"cross-validated {cv_mcc:.3f}, held-out {held_mcc:.3f}; held-out Pearson(document estimate, MQM) "
          f"{held_pearson:.3f}; {time.perf_counter() - started:.0f} s → {args.out}")


if __name__ == "__main__":
    main()
