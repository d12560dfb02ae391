"""French (news) knowledge: abbreviations, quotes and sentence starters for segmentation, and
the word lists the grammar detectors share."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .words import SpanIndex

if TYPE_CHECKING:
    from ..types import DetectionContext


# Words that end with a full stop without ending the sentence, compared without the dot,
# case-sensitively where case matters ("M." is Monsieur, "m." a metre at a sentence end).
ABBREVIATIONS = frozenset(
    """
    M MM Mme Mmes Mlle Mlles Me Mes Dr Drs Pr Mgr St Ste Sts Stes Cie Éts Ets Vve
    av apr env cf conf éd éds ex fig hab coll col chap art al vol no nos n° tél p pp
    janv févr avr juil sept oct nov déc
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
    Mr Mrs Ms Messrs Gen Lt Col Sgt Capt Cmdr Adm Gov Sen Rep Rev Hon Prof Jr Sr Inc Corp Ltd Co vs
    J.-C J.-B J.-P J.-M
    """.split()
)

# After an acronym written with dots (U.S., U.E.), a new sentence starts only with one of these.
SENTENCE_STARTERS = frozenset(
    """
    Le La Les L’ L' Un Une Des Du De Ce Cet Cette Ces Il Elle Ils Elles On Nous Vous Je J’ J'
    Mais Et Or Donc Car Puis Ainsi Alors Selon Pour Dans En Au Aux Cela Ceci C’est C'est Son Sa Ses
    Leur Leurs Après Avant Depuis Pendant Lundi Mardi Mercredi Jeudi Vendredi Samedi Dimanche
    The A An It He She They We This That But And In On At
    """.split()
)

# A word: letters, with inner apostrophes and hyphens ("aujourd’hui", "a-t-il"); no figures.
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")

# The elided words a French word can start with ("l’", "d'", "qu’", "jusqu’").
ELISION = re.compile(r"(?i)^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)['’]")

# Words and single punctuation marks, for the grammar detectors that walk a sentence word by
# word: punctuation between two words breaks a phrase.
WORD_OR_MARK = re.compile(rf"{WORD.pattern}|[^\w\s]")


def without_elision(word: str) -> str:
    """The word without an elided article or pronoun in front of it ("l’arborescence" → "arborescence")."""
    return ELISION.sub("", word) or word

# Verbs whose object may be followed by an infinitive (French grammars' "verbes de perception"
# and the causatives faire and laisser): "laisser les enfants jouer", "voir les prix baisser".
CAUSATIVE_VERBS = frozenset({"laisser", "faire", "voir", "entendre", "regarder", "sentir", "écouter"})

OPENING_QUOTES = {"«": "»", "“": "”", "„": "“", "‹": "›"}
CLOSING_QUOTES = frozenset({"»", "”", "›"})
# Characters that end a sentence; "…" and runs of dots are an ellipsis.
TERMINATORS = frozenset(".!?…")
# List markers that start a new sentence on a new line.
BULLETS = ("-", "–", "—", "•", "*", "·", "▪")
# Residue of embedded posts left in article text.
EMBED_RESIDUE = re.compile(r"(?:pic\.twitter\.com|t\.co|bit\.ly)/\w+|https?://\S+")

# File paths (/dev/sr0, ~/.bashrc, /etc/X11/app-defaults/) and e-mail addresses, which technical
# text copies from its original: neither English left untranslated nor misspelt French (on the
# Debian corpora, 27 of the 198 "untranslated" hits on the human French lay in them).
_PATH = r"(?<![\w/])~?/[\w.][\w.+-]*(?:/[\w.+-]*)*"
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
# A word of code, whitespace to whitespace: an underscore or a manual page's section in it
# ("dh_make", "foo_1.0-1.deb", "papersize(5)"). The English in it ("make", "deb") names
# something, copied as the original writes it. (Digits and dots between letters are no such
# sign: product text runs its fields together, "10inchesWeight", "size.Durable".)
_CODE_WORD = r"\S*(?:_|[^\W\d_]\(\d)\S*"
# Text that is not prose: links, embed residue, e-mail addresses, paths, handles and hashtags
# (a number sign, "#8", is prose), domain names, words of code.
NOT_PROSE = re.compile(rf"{EMBED_RESIDUE.pattern}|{_EMAIL}|{_PATH}|(?<!\w)@\w+|(?<!\w)#(?=\w*[^\W\d_])\w+"
                       rf"|\b[\w.-]+\.(?:com|org|net|fr)\b\S*|{_CODE_WORD}")


def not_prose_spans(context: DetectionContext) -> SpanIndex:
    """Where :data:`NOT_PROSE` lies in the article, found once per article for the detectors
    and the detection model that skip it."""
    return context.shared("not-prose", lambda: SpanIndex(m.span() for m in NOT_PROSE.finditer(context.text)))

# Boilerplate that web pages leave in article text: related-article teasers, photo credits,
# advertising labels, share buttons; also those of the source edition that the translation
# left in its own language (English "Read also", Indonesian "Baca juga", "Simak juga").
BOILERPLATE = re.compile(
    r"(?im)^(?:lire aussi|à lire aussi|lire également|voir aussi|à voir aussi|sur le même sujet|publicité|"
    r"partager|cliquez ici|abonnez-vous|read also|also read|read more|see also|advertisement|"
    r"scroll to continue|baca juga|simak juga|lihat juga|baca selengkapnya)\b.*$"
    r"|\((?:photo|crédit|crédit photo|illustration)\s*:[^)]*\)"
)


# The quotation marks of French news text (guillemets, and curly quotes from English sources).
_OPENING, _CLOSING = "«“", "»”"
QUOTATION_MARKS = _OPENING + _CLOSING


def quoted_spans(passage: str) -> list[tuple[int, int]]:
    """Spans of ``passage`` inside quotation marks.

    A passage may start inside a quote (a closing mark comes first) or end inside one (an
    opening mark is left open): a quote split into two sentences is aligned sentence by sentence.
    """
    marks = [(i, c in _OPENING) for i, c in enumerate(passage) if c in _OPENING or c in _CLOSING]
    if not marks:
        return []
    parts, start = [], 0 if not marks[0][1] else None
    for i, opening in marks:
        if opening and start is None:
            start = i
        elif not opening and start is not None:
            parts.append((start, i + 1))
            start = None
    if start is not None:
        parts.append((start, len(passage)))
    return parts


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer  # the segmenter does not stem: only detectors pay for loading it

    return snowballstemmer.stemmer("french")


@lru_cache(maxsize=200_000)  # the same words are stemmed again and again across sentences
def stem(word: str) -> str:
    """Lower-cased Snowball stem of a French word, elision removed ("l’arme" → "arm")."""
    word = word.lower().replace("’", "'")
    if "'" in word[:6]:
        word = word.split("'", 1)[1] or word
    return _stemmer().stemWord(word)
