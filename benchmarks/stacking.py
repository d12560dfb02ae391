"""Issue #22 experiment: do the rule detectors' hits, stacked into word-qe's features, help one model?

    pip install -e ".[train]"
    python benchmarks/stacking.py [N]     # the first N WMT20 dev documents (default 300; 1268 for all)

Each word gets word-qe's features and hit_<detector> / hit_sev_<severity> / hit_any for every
default detector flag overlapping it; logistic regressions are scored by 5-fold
cross-validation by document (threshold at the best out-of-fold MCC, equally optimistic for
each row). Word rows are kept in /tmp/stacking-rows-N.pkl between runs. Figures of the last
run are in the issue-22 note: N=1268 gives MCC 0.357 (word-qe features) and 0.368 (+ hits).
"""
import pickle, sys, time
from pathlib import Path
import numpy as np
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks")); sys.path.insert(0, str(ROOT / "scripts"))
from flags import DEV_DATA, dev_documents, overlaps
from train_word_qe import ContextRecorder, mcc
from mtcheck import Checker
from mtcheck.detectors import build_detectors
from mtcheck.engines import EngineSpec, load_engine
from mtcheck.engines.apertium import reverse_engine
from mtcheck.engines.cache import CachedEngine, TranslationCache, default_cache_dir
from mtcheck.lang.grammalecte import french_word_classes
from mtcheck.qe.features import article_word_features

N = int(sys.argv[1]) if len(sys.argv) > 1 else 300
out = Path(f"/tmp/stacking-rows-{N}.pkl")
if out.exists():
    rows = pickle.loads(out.read_bytes())
else:
    classes = french_word_classes()
    docs = dev_documents(DEV_DATA, N)
    store = TranslationCache(default_cache_dir() / "translations.sqlite")
    engine = CachedEngine(load_engine(EngineSpec(name="apertium")).engine, store)
    recorder = ContextRecorder()
    detectors = build_detectors()
    for d in detectors:
        if hasattr(d, "cache") and d.cache is None: d.cache = store
    checker = Checker(engine=engine, reverse_engine=reverse_engine(store), detectors=[recorder], cache=store)
    rows = []
    t = time.time()
    for n, doc in enumerate(docs):
        checker.check(doc.text, doc.references, article_id=doc.id)
        ctx = recorder.context
        hits = [(f.start, f.end, d.name, f.severity.value) for d in detectors for f in d.detect(ctx)]
        gold = [(g.start, g.end) for g in doc.gold]
        for w in article_word_features(ctx, classes):
            det = {}
            for s, e, name, sev in hits:
                if s < w.end and w.start < e:
                    det[f"hit_{name}"] = 1.0; det["hit_any"] = 1.0; det[f"hit_sev_{sev}"] = 1.0
            rows.append((w.features, det, overlaps((w.start, w.end), gold), n, doc.mqm))
        if n % 50 == 0: print(n, round(time.time() - t), file=sys.stderr)
    out.write_bytes(pickle.dumps(rows))

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_predict
gold = np.array([r[2] for r in rows]); groups = np.array([r[3] for r in rows])
def f1(g, p):
    tp = np.sum(g & p); return 2 * tp / (np.sum(g) + np.sum(p)) if (np.sum(g) + np.sum(p)) else 0
rules = np.array(["hit_any" in r[1] for r in rows])
print(f"words {len(rows)}, BAD rate {gold.mean():.3f}")
print(f"rules (OR of detector flags): MCC {mcc(gold, rules):.3f} F1 {f1(gold, rules):.3f}")
for name, feats in [("word-qe features", [r[0] for r in rows]),
                    ("word-qe + detector hits", [{**r[0], **r[1]} for r in rows]),
                    ("detector hits only", [r[1] or {"none": 1.0} for r in rows])]:
    x = DictVectorizer().fit_transform(feats)
    p = cross_val_predict(LogisticRegression(C=0.3, max_iter=5000), x, gold, groups=groups, cv=GroupKFold(5),
                          method="predict_proba")[:, 1]
    best = max((mcc(gold, p >= t), t) for t in np.arange(0.1, 0.8, 0.01))
    per_fold = []
    for k, (_, test) in enumerate(GroupKFold(5).split(x, gold, groups)):
        per_fold.append(mcc(gold[test], p[test] >= best[1]))
    docs = np.unique(groups)
    est = np.array([p[groups == d].mean() for d in docs]); mqm = np.array([next(r[4] for r in rows if r[3] == d) for d in docs])
    print(f"{name}: CV MCC {best[0]:.3f} at t={best[1]:.2f} (folds {min(per_fold):.3f}-{max(per_fold):.3f}), "
          f"F1 {f1(gold, p >= best[1]):.3f}, Pearson(mean p, MQM) {np.corrcoef(-est, mqm)[0,1]:.3f}")
