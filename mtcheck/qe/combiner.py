"""One calibrated model over every detector's evidence: which words are wrong, how badly, and
what the whole article is worth.

The rule detectors each know one kind of error and are right when they fire; professional
annotators mark mostly errors no rule names. Piling the two up adds the rules' false alarms
to the model's. Instead every detector flag becomes evidence — features ``hit_<detector>``,
``hit_sev_<severity>``, ``hit_cat_<category>`` on the words it covers — for one logistic
regression that also reads the word features of :mod:`mtcheck.qe.features`. A flag is raised
on each run of words whose probability passes the threshold chosen in training for a stated
precision; its category, message and suggestion come from the detector flags it covers, or
from the features that weighed most when no detector fired (words some detector flagged and
words none did never share a flag, so that a rule's replacement fits its flag's span). Its severity comes from a
classifier fitted on the severities professionals gave the training spans, and the article's
MQM estimate from a regression on the words' probabilities fitted on the training
documents' MQM scores.

News quotes a few originals; a translated document is checked against all of its source.
Every feature but the word identities therefore also exists in a copy that only fires in
segments without a reference (``noref|…``): one model, trained on both kinds, that learns
what each kind needs (Daumé III, 2007, "Frustratingly easy domain adaptation").
A second stage reads each word's first probability in context (:func:`context_features`):
its neighbours', its segment's and its article's, the rules' records and the dense word
features. Errors come in runs and an article with many likely errors has more; a capital
letter means one thing beside a reference and another without one. Gradient-boosted trees
learn such interactions, which a sum of weights cannot; they are trained on out-of-fold
first-stage probabilities, so that they learn how far to trust the first stage on text it
has not seen. ``scripts/train_combiner.py`` fits every part.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Any

from ..lang import french
from ..lang.grammalecte import french_word_classes
from ..types import Category, DetectionContext, Flag, Severity
from .features import WordClasses, WordFeatures, article_word_features, segment_references
from .model import DetectionModel, LinearScore, sigmoid

# What a word feature says, for the message of a flag no detector explains.
_REASONS = {
    "pseudo_missing": "a literal translation of the original does not have this word",
    "cap_unexplained": "capital letter inside the sentence, on a word neither the original nor the article "
                       "uses as a name",
    "copied_unknown": "copied from the English original and not French",
    "english_word": "an English word",
    "unknown_to_engine": "a word the back-translation engine does not know",
    "class_U": "not in the French dictionary",
    "seg_no_verb": "in a passage without a verb (a title or a list, often translated word for word)",
    "pair_N_N": "noun directly after a noun, as English stacks them",
    "pair_A_N": "adjective before its noun, as in English",
    "pair_NA_N": "noun or adjective directly before a noun, as in English",
    "pair_N_NA": "two nouns or adjectives side by side",
    "no_back_translation": "no word of the back-translation comes from it",
}
_MISTRANSLATION = frozenset({"pseudo_missing", "copied_unknown", "english_word", "unknown_to_engine"})
_NO_REFERENCE = "noref|"


def evidence_features(word: WordFeatures, hits: Iterable[Flag]) -> dict[str, float]:
    """The detector flags covering ``word``, as features."""
    features: dict[str, float] = {}
    for flag in hits:
        features["hit_any"] = 1.0
        features[f"hit_{flag.detector}"] = 1.0
        features[f"hit_sev_{flag.severity.value}"] = 1.0
        features[f"hit_cat_{flag.category.value}"] = 1.0
    return features


def model_features(word: WordFeatures, hits: Iterable[Flag]) -> dict[str, float]:
    """Everything the model reads about one word: its features, the flags on it, and the
    no-reference copies of both where its segment renders no reference."""
    features = {**word.features, **evidence_features(word, hits)}
    if "seg_has_reference" in features:
        return features
    return {**features, **{_NO_REFERENCE + name: value for name, value in features.items()
                           if not name.startswith("word")}}


# Dense word features the second stage reads as they are (the word identities stay in the first).
CONTEXT_WORD_FEATURES = (
    "first", "cap_mid", "cap_unexplained", "all_caps", "figure", "english_word", "copied", "copied_unknown",
    "copied_capitalised", "in_pseudo", "pseudo_missing", "unknown_to_engine", "back_in_reference",
    "no_back_translation", "name_in_references", "name_elsewhere", "seg_has_reference", "seg_similarity",
    "seg_no_verb", "seg_log_words", "seg_capitalised", "seg_pseudo_coverage", "doc_reference_coverage",
    "class_P", "class_U", "class_M", "class_G", "class_V", "class_N", "class_A", "class_NA", "class_W", "class_O",
)


# The first stage's logit is also handed over split by the family of its features, so that
# the trees can weigh what the word is, what the rules said and what the grammar around it
# looks like against each other differently in each kind of text.
FAMILIES = ("word", "hit", "class", "rest")


@lru_cache(maxsize=1 << 16)  # called for every feature of every word; the names repeat
def feature_family(name: str) -> str:
    """The family of a first-stage feature (one of :data:`FAMILIES`)."""
    name = name.removeprefix(_NO_REFERENCE)
    if name.startswith("word"):
        return "word"
    if name.startswith("hit_"):
        return "hit"
    if name.startswith(("class_", "pair_", "triple_")):
        return "class"
    return "rest"


class FamilyWeights:
    """A linear score's weights with the family of each, looked up once per feature name
    rather than once per word (the first stage reads some forty features of every word),
    and only for the names articles have: a model holds some 50,000."""

    def __init__(self, score: LinearScore) -> None:
        self._score = score
        self._seen: dict[str, tuple[str, float]] = {}

    def parts(self, features: Mapping[str, float]) -> dict[str, float]:
        """The score's weighted sum over ``features``, family by family (the bias left out)."""
        parts = dict.fromkeys(FAMILIES, 0.0)
        seen, weights = self._seen, self._score.weights
        for name, value in features.items():
            found = seen.get(name)
            if found is None:
                weight = weights.get(name)
                if not weight:  # most names of an article's words are not in the model
                    continue
                found = seen[name] = (feature_family(name), weight)
            parts[found[0]] += found[1] * value
        return parts


def context_features(words: Sequence[WordFeatures], first: Sequence[float], rules: Sequence[float],
                     hits: Sequence[Sequence[Flag]], parts: Sequence[Mapping[str, float]] | None = None,
                     ) -> dict[str, Any]:
    """What the second stage reads about the words of an article (in article order, each
    segment's words together): feature name → one numpy column, a value per word.

    ``first``: each word's first-stage probability; ``rules``: the highest precision on record
    of the detector flags on it (0 for none); ``hits``: the detector flags on it;
    ``parts``: its first-stage logit by feature family (:meth:`FamilyWeights.parts`).
    A neighbour beyond the word's segment is NaN (missing), not 0.
    """
    import numpy as np

    n = len(words)
    if not n:
        return {}
    p, r = np.asarray(first, dtype=float), np.asarray(rules, dtype=float)
    segment = np.array([w.segment_index for w in words])
    opens = np.flatnonzero(np.r_[True, segment[1:] != segment[:-1]])
    sizes = np.diff(np.r_[opens, n])
    per_word = np.repeat(sizes, sizes)

    def by_segment(values: Any) -> Any:
        return np.repeat(np.add.reduceat(values, opens), sizes) / per_word

    top = np.sort(p)[::-1][: max(1, n // 10)]
    columns: dict[str, Any] = {
        "p": p, "rule": r, "detectors": np.array([len({f.detector for f in found}) for found in hits], dtype=float),
        "position": (np.arange(n) - np.repeat(opens, sizes)) / per_word,
        "length": np.minimum([len(w.text) for w in words], 20) / 20,
        "seg_max": np.repeat(np.maximum.reduceat(p, opens), sizes),
        "seg_mean": by_segment(p), "seg_share_likely": by_segment((p >= 0.5).astype(float)),
        "seg_rules": by_segment((r > 0).astype(float)),
        "doc_mean": np.full(n, p.mean()), "doc_top_decile": np.full(n, top.mean()),
        "doc_rule_share": np.full(n, (r > 0).mean()), "doc_log_words": np.full(n, math.log1p(n) / 10),
    }
    index = np.arange(n)
    for offset in (-3, -2, -1, 1, 2, 3):
        j = np.clip(index + offset, 0, n - 1)
        inside = (index + offset >= 0) & (index + offset < n) & (segment[j] == segment)
        columns[f"p{offset:+d}"] = np.where(inside, p[j], np.nan)
        columns[f"rule{offset:+d}"] = np.where(inside, r[j], np.nan)
    absent = (0.0,) * len(CONTEXT_WORD_FEATURES)
    dense = np.array([list(map(w.features.get, CONTEXT_WORD_FEATURES, absent)) for w in words], dtype=float)
    columns.update(zip(CONTEXT_WORD_FEATURES, dense.T))
    if parts is not None:
        by_family = np.array([[part[family] for family in FAMILIES] for part in parts], dtype=float)
        columns.update((f"z_{family}", column) for family, column in zip(FAMILIES, by_family.T))
    return columns


def document_features(probabilities: Sequence[float], threshold: float, hits: Sequence[Flag],
                      words: Sequence[WordFeatures], penalties: Sequence[float] | None = None,
                      columns: Mapping[str, Any] | None = None) -> dict[str, float]:
    """What the document score reads: how much of the article the model finds wrong, how
    surely, and what it would cost in MQM (``penalties``: each word's expected MQM weight
    should it be an error; MQM counts errors, not words, so runs of flagged words count once),
    and the article's mean of each column the second stage read (``columns``, from
    :func:`context_features`: how its words look on average, not only how likely they are wrong)."""
    n = max(1, len(probabilities))
    penalties = penalties if penalties is not None else [1.0] * len(probabilities)
    ordered = sorted(probabilities, reverse=True)
    top = ordered[: max(1, n // 10)]
    coverage = words[0].features.get("doc_reference_coverage", 0.0) if words else 0.0
    severe = sum(f.severity is not Severity.MINOR for f in hits)
    runs, run_penalty, inside = 0, 0.0, False
    for i, p in enumerate(probabilities):
        starts = p >= threshold and (not inside or words[i].segment_index != words[i - 1].segment_index)
        if starts:
            runs += 1
            run_penalty += penalties[i]
        inside = p >= threshold
    return {
        "mean_probability": sum(probabilities) / n,
        "share_flagged": sum(p >= threshold for p in probabilities) / n,
        "mean_top_decile": sum(top) / len(top) if top else 0.0,
        "detector_flags_per_word": len(hits) / n,
        "severe_detector_flags_per_word": severe / n,
        "log_words": math.log1p(len(probabilities)) / 10,
        "reference_coverage": coverage,
        "runs_per_word": runs / n,
        "run_penalty_per_word": run_penalty / n,
        "expected_penalty_per_word": sum(p * w for p, w in zip(probabilities, penalties)) / n,
        **({f"mean_{name}": _mean_present(values) for name, values in columns.items()} if columns else {}),
    }


def _mean_present(values: Any) -> float:
    """The mean of a column's values that are there (a neighbour beyond its segment is NaN); 0 for none."""
    import numpy as np

    present = np.asarray(values, dtype=float)
    present = present[~np.isnan(present)]
    return float(present.mean()) if present.size else 0.0


@dataclass(frozen=True)
class WordEstimate:
    """One word, what the model read about it, and its error probability."""

    word: WordFeatures
    features: Mapping[str, float]
    probability: float
    hits: tuple[Flag, ...]


@dataclass
class Combiner:
    """Turns the detectors' flags and the article's word features into the report's flags."""

    model: DetectionModel
    classes: WordClasses

    @classmethod
    def bundled(cls) -> Combiner | None:
        """The model shipped in the package, or None where Grammalecte (its word classes) is missing."""
        classes = french_word_classes()
        return cls(DetectionModel.load(), classes) if classes is not None else None

    @property
    def signature(self) -> str:
        return self.model.signature

    @cached_property
    def _family_weights(self) -> FamilyWeights:
        return FamilyWeights(self.model.words)

    def estimate(self, context: DetectionContext, detector_flags: Sequence[Flag]) -> list[WordEstimate]:
        """Every word of the article with its probability of being part of an error."""
        return self._estimate(context, detector_flags)[0]

    def _estimate(self, context: DetectionContext,
                  detector_flags: Sequence[Flag]) -> tuple[list[WordEstimate], dict[str, Any] | None]:
        """:meth:`estimate`, and the columns the second stage read (None without one)."""
        words = article_word_features(context, self.classes, segment_references(context))
        hits = [tuple(f for f in detector_flags if f.start < word.end and word.start < f.end) for word in words]
        features = [model_features(word, found) for word, found in zip(words, hits)]
        rules = [max(map(self.model.flag_precision, found), default=0.0) for found in hits]
        evidence = [max((self.model.flag_evidence(f, word.referenced) for f in found), default=0.0)
                    for word, found in zip(words, hits)]
        if self.model.context is not None:
            # One pass over each word's features gives the first stage's logit and its parts.
            parts = [self._family_weights.parts(f) for f in features]
            first = [sigmoid(self.model.words.bias + sum(part.values())) for part in parts]
            columns = context_features(words, first, rules, hits, parts)
            modelled = self.model.context_probabilities(columns)
        else:
            columns = None
            modelled = [self.model.probability(f) for f in features]
        # A rule that fires is evidence on its own record, combined with the model's as
        # independent (noisy-or): rules the product descriptions never trigger (most news
        # rules) keep their force, and on the training documents this costs about 0.003 MCC.
        # That record is the one measured on segments like the word's, with a reference or
        # without; the trees read the rule's record over both, and the reference status beside it.
        probabilities = [1.0 - (1.0 - p) * (1.0 - r) for p, r in zip(modelled, evidence)]
        return [WordEstimate(*estimate) for estimate in zip(words, features, probabilities, hits)], columns

    def combine(self, context: DetectionContext, detector_flags: Sequence[Flag]) -> tuple[list[Flag], float | None]:
        """The flags of the article and its MQM estimate (None for an article without words)."""
        estimates, columns = self._estimate(context, detector_flags)
        cut = self.model.threshold
        # Links, paths, e-mail addresses and handles are copied, not translated: the model reads
        # them as words it does not know ("not in the French dictionary"), and only a detector
        # that reports them (embed residue) raises a flag there.
        not_prose = french.not_prose_spans(context)
        flags: list[Flag] = []
        run: list[WordEstimate] = []
        for estimate in estimates:
            copied = not estimate.hits and not_prose.holds(_first_alphanumeric(context.text, estimate.word))
            flagged = not copied and self.model.flags_word(estimate.probability, bool(estimate.hits))
            # A run also stops where the rules' words meet words no rule flagged (a rule's
            # suggestion replaces its own span, and would delete a neighbour the model added),
            # and between the words of two rules' flags that merely touch: one flag would take
            # the other's words with its own message and fix ("Maison Blanche, Karine Jean-Sal"
            # for a garbled name beside a missing hyphen).
            if run and (not flagged or estimate.word.segment_index != run[-1].word.segment_index
                        or _apart(estimate.hits, run[-1].hits)):
                flags.append(self._flag(context, run))
                run = []
            if flagged:
                run.append(estimate)
        if run:
            flags.append(self._flag(context, run))
        if not estimates:
            return flags, None
        # The severity classifier reads the word's logit and the detector evidence on it alone.
        penalties = self.model.expected_penalties([evidence_features(e.word, e.hits) for e in estimates],
                                                  [e.probability for e in estimates])
        features = document_features([e.probability for e in estimates], cut, detector_flags,
                                     [e.word for e in estimates], penalties, columns)
        return flags, self.model.document_mqm(features)

    def _flag(self, context: DetectionContext, run: list[WordEstimate]) -> Flag:
        peak = max(run, key=lambda e: e.probability)
        severity = self.model.severity(peak.features, peak.probability)
        evidence = {"probability": f"{peak.probability:.2f}"}
        start, end = _without_edge_punctuation(context.text, run[0].word.start, run[-1].word.end)
        hits = {id(f): f for e in run for f in e.hits}.values()
        if hits:
            lead = max(hits, key=lambda f: (f.severity.rank, f.confidence))
            others = sorted({f.detector for f in hits} - {lead.detector})
            evidence = {**lead.evidence, **evidence}
            if others:
                evidence["also_flagged_by"] = ", ".join(others)
            if not self.model.weighed(lead.detector):
                # The severity model never saw this detector's errors: the detector's own stands.
                severity = lead.severity
            elif _typographic_fix(lead.text, lead.suggestion):
                # The model learned one severity for all of a detector's errors; a fix that only
                # adds a hyphen or changes a capital ("Maison Blanche" → "Maison-Blanche") is a
                # typographic slip, minor in MQM, whatever the rule's other errors cost.
                severity = Severity.MINOR
            start, end = min(start, lead.start), max(end, lead.end)
            return replace(lead, start=start, end=end, text=context.text[start:end], severity=severity,
                           evidence=evidence, confidence=round(peak.probability, 3),
                           segment_index=peak.word.segment_index)
        # No rule explains these words: the severity classifier's guess would outrank the rules.
        severity = Severity.MINOR
        reasons = [name for name, _ in self.model.contributions(peak.features) if name in _REASONS][:3]
        because = "; ".join(_REASONS[r] for r in reasons) or "its features resemble annotated errors"
        back = context.back_translation(peak.word.segment_index)
        evidence["back_translation"] = back.text
        pseudo = _pseudo_reference(context, segment_references(context).get(peak.word.segment_index, []))
        if pseudo:
            evidence["literal_translation_of_original"] = pseudo
        return Flag(
            start=start, end=end, text=context.text[start:end],
            category=Category.MISTRANSLATION if reasons and reasons[0] in _MISTRANSLATION else Category.FLUENCY,
            severity=severity, detector="model",
            message=f"likely translation error (estimated probability {peak.probability:.2f}): {because}",
            evidence=evidence,
            suggestion=f"compare with a literal translation of the original: “{pseudo}”" if pseudo else "",
            confidence=round(peak.probability, 3), segment_index=peak.word.segment_index,
        )


# Sentence punctuation, quotes and brackets that a whitespace-delimited word carries ("vélo.",
# "«Nous"): not part of the error. Symbols that belong to a figure (%, €, $) stay.
_EDGE_PUNCTUATION = ".,;:!?…\"'«»“”‘’()[]{}"


def _typographic_fix(text: str, suggestion: str) -> bool:
    """Whether ``suggestion`` differs from ``text`` only in hyphens, spaces or letter case."""
    return bool(suggestion) and suggestion != text and _letters(suggestion) == _letters(text)


def _letters(text: str) -> str:
    return "".join(c for c in text if not (c.isspace() or c in "-‐‑")).casefold()


def _apart(hits: Sequence[Flag], previous: Sequence[Flag]) -> bool:
    """Whether two neighbouring words belong in different flags: one is a rule's and the other
    not, or both are rules' and no detector flagged the two (a detector's flags that touch
    are one error seen from each word: Grammalecte's "abri" and "russes" for one agreement)."""
    if not hits or not previous:
        return bool(hits) != bool(previous)
    return not {f.detector for f in hits} & {f.detector for f in previous}


def _first_alphanumeric(text: str, word: WordFeatures) -> int:
    """Where the first letter or digit of ``word`` stands (its start when it has none): past the
    brackets and quotes a link or an address is written between ("<debian-admin@…>")."""
    return next((i for i in range(word.start, word.end) if text[i].isalnum()), word.start)


def _without_edge_punctuation(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of words ``text[start:end]`` without the punctuation at either edge, so that a
    flag does not take in the sentence's full stop (and a suggestion for its words, applied to
    the span, keeps it); a span of punctuation alone is left as it is."""
    inner_start, inner_end = start, end
    while inner_start < inner_end and text[inner_start] in _EDGE_PUNCTUATION:
        inner_start += 1
    while inner_end > inner_start and text[inner_end - 1] in _EDGE_PUNCTUATION:
        inner_end -= 1
    return (inner_start, inner_end) if inner_start < inner_end else (start, end)


def _pseudo_reference(context: DetectionContext, found: Sequence[tuple[str, float]]) -> str:
    """Apertium's French for the reference that best matches a segment (``found``: its
    references and their similarity), or ""."""
    candidates = [(similarity, context.reference_translations[rid].text)
                  for rid, similarity in found if rid in context.reference_translations]
    return max(candidates)[1] if candidates else ""
