"""English word knowledge used to compare back-translations with references."""

from __future__ import annotations

from functools import lru_cache

import snowballstemmer

# Function words: differences in these are paraphrase, not meaning.
STOPWORDS = frozenset(
    """a an the this that these those it its it's he him his she her hers they them their theirs we us our ours
    you your yours i me my mine who whom whose which what there here of to in on at by for from with without about
    into onto over under up down out off as than then so such and or but nor not no yes if when while where why how
    is are was were be been being am has have had having do does did done will would shall should can could may might
    must also just only very much many more most some any all each every both either neither other others another
    own same too again still yet even ever once s t 's n't don't doesn't didn't isn't aren't wasn't weren't""".split()
)


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


def stem(word: str) -> str:
    """Lower-cased Snowball stem of an English word."""
    word = word.lower().replace("’", "'")
    return _stemmer().stemWord(word.removesuffix("'s"))


def is_content_word(word: str) -> bool:
    """True for words that carry meaning: not a stop word, not punctuation."""
    return any(c.isalnum() for c in word) and word.lower() not in STOPWORDS


def is_entity_like(word: str) -> bool:
    """Capitalised words, acronyms and numbers: names, nationalities, figures."""
    return word[:1].isupper() or word[:1].isdigit() or (len(word) > 1 and word.replace(".", "").isupper())
