"""Grammalecte, the offline French grammar and spelling checker, when it is installed.

Debian's ``python3-grammalecte`` installs it for the system Python; a virtual environment
or another Python finds it through its dist-packages folder, which is added to the path
only when the plain import fails.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from ..errors import ConfigError

DEBIAN_DIST_PACKAGES = "/usr/lib/python3/dist-packages"
T = TypeVar("T")


@lru_cache(maxsize=1)
def grammalecte_module() -> Any | None:
    """The ``grammalecte`` package, or None when it is not installed (importing it is cheap;
    its checker, which loads the dictionary and the rules, is not)."""
    try:
        import grammalecte
    except ImportError:
        if DEBIAN_DIST_PACKAGES in sys.path:
            return None
        sys.path.append(DEBIAN_DIST_PACKAGES)
        try:
            import grammalecte
        except ImportError:
            sys.path.remove(DEBIAN_DIST_PACKAGES)
            return None
    return grammalecte


@lru_cache(maxsize=1)
def grammalecte_version() -> str | None:
    """The installed Grammalecte's version, or None when it is not installed.

    Read from the package's metadata where it has some (Debian's does): importing its engine
    to ask takes longer than a rerun that reuses every stored result spends on everything else.
    """
    if grammalecte_module() is None:
        return None
    from importlib import metadata

    for distribution in ("Grammalecte_fr", "grammalecte-fr", "grammalecte"):
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue
    from grammalecte.fr import gc_engine

    return str(gc_engine.__version__)


@lru_cache(maxsize=1)
def grammalecte_checker() -> Any | None:
    """A Grammalecte ``GrammarChecker`` for French, or None when Grammalecte is not installed."""
    module = grammalecte_module()
    return module.GrammarChecker("fr") if module is not None else None


def _speller() -> Any:
    checker = grammalecte_checker()
    assert checker is not None, "asked for Grammalecte's dictionary where it is missing"
    return checker.getSpellChecker()


# The functions below hand out lookups that build the checker on their first call (about
# 0.1 s): a run whose every article is reused from its stored result never builds it.

def french_spellchecker() -> Callable[[str], bool] | None:
    """``is_french(word)`` from Grammalecte's dictionary, or None when Grammalecte is missing."""
    if grammalecte_module() is None:
        return None

    def is_french(word: str) -> bool:
        return _speller().isValid(word)

    return is_french


def french_suggestions() -> Callable[[str], list[str]] | None:
    """``suggest(word)``: Grammalecte's spelling suggestions, best first; None when it is missing."""
    if grammalecte_module() is None:
        return None

    def suggest(word: str) -> list[str]:
        return [s for group in _speller().suggest(word) for s in group]

    return suggest


def french_word_classes() -> Callable[[str], tuple[str, ...]] | None:
    """``classes(word)``: the tags of each reading Grammalecte's dictionary gives ``word``.

    A tag reads like ``:N:f:s`` (noun, feminine, singular), ``:A:e:s`` (adjective),
    ``:V1…`` (verb), ``:G…`` (grammatical word); an unknown word has none. None when
    Grammalecte is missing.
    """
    return _dictionary_lookup(lambda morphs: tuple(m.split("/")[1] for m in morphs))


def french_lemmas() -> Callable[[str], frozenset[str]] | None:
    """``lemmas(word)``: the dictionary forms of ``word``'s readings ("mettent" → {"mettre"}).

    None when Grammalecte is missing.
    """
    return _dictionary_lookup(lambda morphs: frozenset(m.split("/")[0].lstrip(">") for m in morphs))


def _dictionary_lookup(read: Callable[[list[str]], T]) -> Callable[[str], T] | None:
    """A cached ``lookup(word)``: ``read`` applied to the word's readings, each ">lemma/tags/…"."""
    if grammalecte_module() is None:
        return None

    @lru_cache(maxsize=65536)
    def lookup(word: str) -> T:
        return read([morph for morph in _speller().getMorph(word) if morph.count("/") >= 2])

    return lookup


def every_reading(classes: Callable[[str], tuple[str, ...]], word: str, test: Callable[[str], bool]) -> bool:
    """True when the dictionary knows ``word`` and every one of its readings passes ``test``."""
    tags = classes(word)
    return bool(tags) and all(test(tag) for tag in tags)


def dictionary_missing(detector: str) -> ConfigError:
    """The error a detector that needs Grammalecte's dictionary raises where it is not installed."""
    return ConfigError(f"the {detector} detector needs Grammalecte's dictionary "
                       "(Debian: apt-get install python3-grammalecte)")


def require_word_classes(detector: str) -> Callable[[str], tuple[str, ...]]:
    """:func:`french_word_classes`, or a ConfigError naming ``detector`` when Grammalecte is missing."""
    classes = french_word_classes()
    if classes is None:
        raise dictionary_missing(detector)
    return classes


def require_lemmas(detector: str) -> Callable[[str], frozenset[str]]:
    """:func:`french_lemmas`, or a ConfigError naming ``detector`` when Grammalecte is missing."""
    lemmas = french_lemmas()
    if lemmas is None:
        raise dictionary_missing(detector)
    return lemmas
