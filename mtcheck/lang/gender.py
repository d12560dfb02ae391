"""Grammatical gender of French words, from Grammalecte's dictionary tags.

A tag reads like ``:A:f:s`` (adjective, feminine, singular); its gender part is ``m``, ``f``
or ``e`` (either). ``classes`` is :func:`mtcheck.lang.grammalecte.french_word_classes`.
"""

from __future__ import annotations

from collections.abc import Callable

from . import tags

Classes = Callable[[str], tuple[str, ...]]

OTHER = {"m": "f", "f": "m"}
NAMES = {"m": "masculine", "f": "feminine"}
# Masculine → feminine endings, longest first; the reverse gives feminine → masculine.
_FEMININE_ENDINGS = (("eux", "euse"), ("eur", "euse"), ("el", "elle"), ("en", "enne"), ("on", "onne"),
                     ("et", "ette"), ("et", "ète"), ("er", "ère"), ("if", "ive"), ("", "e"))


def gender(tag: str) -> str | None:
    """The gender part of one tag ("m", "f", "e"), or None when it has none."""
    return next((part for part in tag.split(":")[1:] if part in ("m", "f", "e")), None)


def number(tag: str) -> str | None:
    """The number part of one tag ("s", "p", or "i" for invariable), or None when it has none."""
    return next((part for part in tag.split(":")[1:] if part in ("s", "p", "i")), None)


def is_modifier(tag: str) -> bool:
    """A determiner, adjective or past-participle reading: the readings that agree in gender."""
    return tags.determiner(tag) or ":A" in tag or ":Q" in tag


def other_gender_spelling(a: str, b: str) -> bool:
    """True when ``b`` is ``a`` with a regular ending of the other gender, in either number
    ("fier" / "fière", "heureux" / "heureuses", "reconnaissant" / "reconnaissante")."""
    a, b = a.lower(), b.lower()
    for masculine, feminine in _FEMININE_ENDINGS:
        for one, other, old, new in ((a, b, masculine, feminine), (a, b, feminine, masculine)):
            if not one.endswith(old) or not (old or new):
                continue
            stem = one[: len(one) - len(old)]
            if other in (stem + new, stem + new + "s", stem + new + "x") and other != one:
                return True
    return False


def inflect(word: str, wanted: str, classes: Classes) -> str | None:
    """``word`` in gender ``wanted``, when a regular ending gives a form the dictionary knows."""
    # A final s may be the plural ("tels" → "telles") or part of the word ("surpris" → "surprise").
    splits = [(word, "")] + ([(word[:-1], "s")] if word.endswith("s") and not word.endswith("eux") else [])
    pairs = _FEMININE_ENDINGS if wanted == "f" else tuple((f, m) for m, f in _FEMININE_ENDINGS)
    for stem, plural in splits:
        for old, new in pairs:
            if stem.endswith(old) and (old or wanted == "f"):
                candidate = stem[: len(stem) - len(old)] + new + plural
                if any(gender(t) in (wanted, "e") for t in classes(candidate) if is_modifier(t)):
                    return candidate
    return None
