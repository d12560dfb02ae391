"""Offline language identification, so that a batch reports English or Indonesian input
instead of scoring it as French.

py3langid (langid.py's model, 97 languages, a few MB, no download) is used because it runs
offline, is fast on whole articles, and is accurate at article length; it is unreliable on
a few words, so short texts are given the benefit of the doubt.
"""

from __future__ import annotations

import os
from array import array
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..files import default_cache_dir

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

    model = MODEL_DIR / MODEL_FILE
    try:
        ptc, pc, classes, nextmove, row, output = _unpacked(model, default_cache_dir() / "langid")
    except (OSError, ValueError, KeyError):  # an unwritable or damaged cache: py3langid's own loader
        return LanguageIdentifier.from_modelpath(model, norm_probs=True)
    return LanguageIdentifier(ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=row)


_PARTS = ("ptc", "pc", "classes", "nextmove", "row", "output")


def _unpacked(model: Path, folder: Path) -> tuple:
    """py3langid's model as its loader returns it, from an unpacked copy under ``folder``.

    py3langid ships its model LZMA-compressed and decompresses 68 MB in every process that
    identifies a language (a quarter of a second of each ``mtcheck check``); unpacked once
    into .npy files, later processes map the two large tables instead (and the page cache
    shares them between processes). The copy is named after the model file's size and time,
    so a py3langid upgrade unpacks anew.
    """
    import numpy as np

    stat = model.stat()
    target = folder / f"{model.name.split('.')[0]}-{stat.st_size}-{int(stat.st_mtime)}"
    if not all((target / f"{name}.npy").exists() for name in _PARTS):
        from py3langid.modelio import load_model

        target.mkdir(parents=True, exist_ok=True)
        for name, value in zip(_PARTS, load_model(model)):
            # Each written whole, then renamed: a process reading at the same time never sees half.
            partial = target / f"{name}.{os.getpid()}.partial.npy"
            np.save(partial, np.asarray(value), allow_pickle=False)
            os.replace(partial, target / f"{name}.npy")
    parts = {name: np.load(target / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in _PARTS}

    def stdlib(values: np.ndarray) -> array:  # py3langid walks these as stdlib arrays
        return array({2: "H", 4: "I", 8: "L"}[values.dtype.itemsize], values.tobytes())

    return (parts["ptc"], parts["pc"], parts["classes"].tolist(), stdlib(parts["nextmove"]),
            stdlib(parts["row"]), parts["output"].tolist())


def identify(text: str) -> LanguageGuess:
    """The most probable language of ``text`` (ISO 639-1), its probability and that of French."""
    if sum(c.isalpha() for c in text) < _MIN_LETTERS:
        return LanguageGuess("fr", 0.0, 1.0)
    ranked = _identifier().rank(text[:20_000])
    french = next((p for lang, p in ranked if lang == "fr"), 0.0)
    return LanguageGuess(ranked[0][0], float(ranked[0][1]), float(french))
