"""Offline language identification, so that a batch reports English or Indonesian input
instead of scoring it as French.

py3langid (langid.py's model, 97 languages, a few MB, no download) is used because it runs
offline, is fast on whole articles, and is accurate at article length; it is unreliable on
a few words, so short texts are given the benefit of the doubt.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

# Below this many letters langid's guess is close to chance; such texts are not rejected.
_MIN_LETTERS = 40
# A text is rejected only when French is this unlikely: mixed-language articles (quotes
# left in English) still have a real French probability.
_NOT_EXPECTED = 0.05


@dataclass(frozen=True)
class LanguageGuess:
    language: str
    probability: float
    french_probability: float

    @property
    def is_french(self) -> bool:
        return self.language == "fr" or self.french_probability >= _NOT_EXPECTED


@lru_cache(maxsize=1)
def _identifier():  # noqa: ANN202 - py3langid has no type hints
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


def identify(text: str) -> LanguageGuess:
    """The most probable language of ``text`` (ISO 639-1), its probability and that of French."""
    if sum(c.isalpha() for c in text) < _MIN_LETTERS:
        return LanguageGuess("fr", 0.0, 1.0)
    ranked = _identifier().rank(text[:20_000])
    french = next((p for lang, p in ranked if lang == "fr"), 0.0)
    return LanguageGuess(ranked[0][0], float(ranked[0][1]), float(french))
