"""Word-level quality estimation: words a model trained on professional MQM spans marks as wrong.

The rule-based detectors each know one kind of error. Professional annotators of machine
translation mark mostly other kinds (English word order, literal renderings, wrong
prepositions, missing determiners), which no single rule captures but which leave traces
the word features of :mod:`mtcheck.qe.features` see. A logistic regression over those
features, trained on the WMT20 QE en-fr MQM documents (``scripts/train_word_qe.py``), gives
each word a probability of being inside an error; runs of words above the model's threshold
become flags, with the features that weighed most as the explanation.
"""

from __future__ import annotations

from typing import ClassVar

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from ..lang.grammalecte import require_word_classes
from ..qe.model import LinearWordModel
from ..types import Category, Flag, Severity
from ..qe.features import WordFeatures, article_word_features, segment_references
from .base import BaseDetector, DetectionContext, Need

# What a feature says, for the flag's message; features not listed are not named there.
_REASONS = {
    "pseudo_missing": "a literal translation of the original does not have this word",
    "cap_mid": "capital letter inside the sentence",
    "prev_cap_mid": "next to a word capitalised inside the sentence",
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


@dataclass
class WordQEDetector(BaseDetector):
    """Flags runs of words whose estimated error probability passes the model's threshold."""

    # A model file written by scripts/train_word_qe.py; None: the bundled model.
    model: str | None = None
    # Overrides the model's own threshold (higher: fewer, surer flags).
    threshold: float | None = None
    name: str = field(default="word-qe", init=False)
    needs: ClassVar[frozenset[Need]] = frozenset({Need.GRAMMALECTE, Need.REFERENCES, Need.REVERSE_ENGINE})
    default: ClassVar[bool] = False

    def __post_init__(self) -> None:
        self._classes = require_word_classes(self.name)
        self._model = LinearWordModel.load(Path(self.model) if self.model else None)
        if self.threshold is not None and not 0.0 < self.threshold < 1.0:
            raise ConfigError(f"word-qe: threshold must lie between 0 and 1, not {self.threshold}")

    def detect(self, context: DetectionContext) -> list[Flag]:
        return self.assess(context)[0]

    def assess(self, context: DetectionContext) -> tuple[list[Flag], float | None]:
        """The flags, and the model's MQM-style estimate for the whole article (None without one).

        The estimate uses every word's probability, not only the flagged ones: on held-out
        WMT20 documents it follows document MQM more closely than any count of flags.
        """
        cut = self.threshold if self.threshold is not None else self._model.threshold
        references = segment_references(context)
        flags: list[Flag] = []
        run: list[tuple[WordFeatures, float]] = []
        probabilities = []
        for word in article_word_features(context, self._classes, references):
            p = self._model.probability(word.features)
            probabilities.append(p)
            if run and (p < cut or word.segment_index != run[-1][0].segment_index):
                flags.append(self._flag(context, run, references))
                run = []
            if p >= cut:
                run.append((word, p))
        if run:
            flags.append(self._flag(context, run, references))
        return flags, self._model.document_mqm(probabilities)

    def _flag(self, context: DetectionContext, run: list[tuple[WordFeatures, float]],
              references: dict[int, list[tuple[str, float]]]) -> Flag:
        start, end = run[0][0].start, run[-1][0].end
        peak_word, peak = max(run, key=lambda wp: wp[1])
        reasons = [name for name, _ in self._model.contributions(peak_word.features) if name in _REASONS][:3]
        category = Category.MISTRANSLATION if reasons and reasons[0] in _MISTRANSLATION else Category.FLUENCY
        back = context.back_translation(peak_word.segment_index)
        evidence = {"probability": f"{peak:.2f}", "back_translation": back.text}
        pseudo = _pseudo_reference(context, references.get(peak_word.segment_index, []))
        if pseudo:
            evidence["literal_translation_of_original"] = pseudo
        because = "; ".join(_REASONS[r] for r in reasons) or "its features resemble annotated errors"
        return Flag(
            start=start, end=end, text=context.text[start:end], category=category,
            severity=Severity.MAJOR if peak >= self._model.major_threshold else Severity.MINOR,
            message=f"likely translation error (estimated probability {peak:.2f}): {because}",
            detector=self.name, evidence=evidence,
            suggestion=f"compare with a literal translation of the original: “{pseudo}”" if pseudo else "",
            confidence=round(peak, 3), segment_index=peak_word.segment_index,
        )


def _pseudo_reference(context: DetectionContext, found: list[tuple[str, float]]) -> str:
    """Apertium's French for the reference that best matches a segment (``found``: its
    references and their similarity), or ""."""
    candidates = [(similarity, context.reference_translations[rid].text)
                  for rid, similarity in found if rid in context.reference_translations]
    return max(candidates)[1] if candidates else ""
