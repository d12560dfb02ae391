"""English word knowledge used to compare back-translations with references."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import snowballstemmer

from .corrections import pyspellchecker_version
from .figures import figure_values

if TYPE_CHECKING:
    from spellchecker.spellchecker import WordFrequency

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


@lru_cache(maxsize=200_000)  # the same words are stemmed again and again across sentences
def stem(word: str) -> str:
    """Lower-cased Snowball stem of an English word."""
    word = word.lower().replace("’", "'")
    return _stemmer().stemWord(word.removesuffix("'s"))


def is_content_word(word: str) -> bool:
    """True for words that carry meaning: not a stop word, not punctuation."""
    return any(c.isalnum() for c in word) and word.lower() not in STOPWORDS


# Capitalised in English without naming anyone: titles and calendar words. Losing one is a
# wording difference, not a lost name.
NOT_ENTITIES = frozenset(
    """president president-elect prime minister secretary general chancellor king queen senator governor
    mayor spokesman spokeswoman official officials administration government
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)


def is_entity_like(word: str) -> bool:
    """Names, nationalities, acronyms and figures: capitalised words (titles and calendar words
    aside), acronyms and numbers."""
    if word.lower().rstrip(".") in NOT_ENTITIES:
        return False
    return word[:1].isupper() or word[:1].isdigit() or (len(word) > 1 and word.replace(".", "").isupper())


# English function words that are not also French words: two or more of them in a French
# text (or one beside words copied from the English original) mark untranslated English.
NOT_FRENCH = frozenset(
    """the and with for of your you this that these those is are was were be been being from by to into
    our ours its it's it he she they them their we his her him will would can could should shall has have had
    not don't doesn't isn't aren't won't all any each every more most new free high best easy just only
    about after before over under up down out off which what who whom whose when where why how
    my mine yes no very much many also than then there here so such""".split()
) - frozenset("on a as an me us or de la le les en en plus site".split())


# How often pyspellchecker's English list (word frequencies from OpenSubtitles) must have seen a
# word for it to count as English: its rarer entries are names, identifiers and typos
# ("debian" and "linux" 50 times each; "deb" 507, "package" 26,236).
COMMON_ENGLISH = 100
# The words of a token: split at a change of case ("inchesWeight", "systemA") as product text
# scraped from a web page runs its fields together.
_WORD_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[^\W\d_]+")
# "didn't" is "did" and a negation.
_NEGATION = re.compile(r"n['’]t$", re.IGNORECASE)
# Glued words ("withlink", "flyandstay") are split into words of at least this many letters
# and this many sightings: shorter or rarer pieces make almost any string English ("prerm" =
# "pre" + "rm", "debian" = "deb" + "ian").
_GLUED_PIECE = 3
_GLUED_COMMON = 2000


def require_english_words() -> None:
    """A ConfigError that says what to install where pyspellchecker, whose English word list
    :func:`is_english_word` reads, is missing (an install made with ``--no-deps``)."""
    pyspellchecker_version("the untranslated detector needs pyspellchecker, whose English word list tells English "
                           "from identifiers: pip install pyspellchecker")


@cache  # the English list takes a quarter of a second to read: once a process, when a word needs it
def _english_frequencies() -> WordFrequency:
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1).word_frequency


def _common(word: str, sightings: int = COMMON_ENGLISH) -> bool:
    words = _english_frequencies()
    return word in NOT_FRENCH or (word in words and words[word] >= sightings)


@lru_cache(maxsize=20_000)
def _glued(word: str) -> bool:
    return any(_common(word[:i], _GLUED_COMMON) and (_common(word[i:], _GLUED_COMMON) or _glued(word[i:]))
               for i in range(_GLUED_PIECE, len(word) - _GLUED_PIECE + 1))


def is_english_word(word: str) -> bool:
    """Whether ``word`` is English: common English words, alone or joined by hyphens,
    apostrophes, a change of case ("inchesWeight") or nothing at all ("withlink"). Identifiers
    copied from an original ("dpkg", "amd64", "postinst") are not, nor are names that only
    English text spells ("debian")."""
    pieces = re.split(r"['’-]", _NEGATION.sub("", word))
    # One letter of a split ("systemA", "it's") says nothing either way.
    content = [part.lower() for piece in pieces for part in _WORD_PARTS.findall(piece) if len(part) > 1]
    return bool(content) and all(_common(part) or _glued(part) for part in content)


# Names that news English writes several ways; a back-translation using another one is no error.
ALIASES = (
    frozenset({"u.s.", "us", "u.s", "american", "americans", "america", "united"}),
    frozenset({"u.k.", "uk", "british", "britain"}),
    frozenset({"kyiv", "kiev"}),
)


def same_entity(a: str, b: str) -> bool:
    """True for two spellings or aliases of one name ("Zelensky"/"Zelenskiy", "American"/"U.S.",
    "Ukraine's"/"ukrainienne")."""
    from difflib import SequenceMatcher

    a, b = a.lower().removesuffix("’s").removesuffix("'s"), b.lower().removesuffix("’s").removesuffix("'s")
    if a == b or any(a in group and b in group for group in ALIASES):
        return True
    if figure_values(a) & figure_values(b):
        return True  # one figure in French and English notation: "1,0" and "1.0"
    # A country and its people or language share their first letters ("Ukraine", "ukrainienne").
    if len(a) >= 5 and len(b) >= 5 and a[:5] == b[:5]:
        return True
    return len(a) > 3 and len(b) > 3 and SequenceMatcher(None, a, b).ratio() >= 0.8

