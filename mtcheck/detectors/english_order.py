"""English word order carried into French: stacked nouns, adjectives before their noun.

Machine translation often keeps the English order of a noun phrase: "sécurité gardes" for
"safety guards" (French: "gardes de sécurité"), "robustes pneus" for "sturdy tyres" (French:
"pneus robustes"). Both patterns are read off Grammalecte's dictionary, so only words it
knows, in every reading, as nouns (or as adjectives) count.
"""

from __future__ import annotations


from dataclasses import dataclass, field

from ..lang import french
from ..lang.grammalecte import every_reading
from ..types import Category, Flag, Severity
from ..lang.words import adjacent_words
from .base import DetectionContext, WordClassDetector


# Nouns French itself uses as epithets after another noun ("rôle clé", "date limite",
# "produit phare", "prix choc", "version amont", "fichier système"): such a pair is
# French, not a calque.
_EPITHET_NOUNS = frozenset(
    "clé clés clef clefs limite limites phare phares type types cible cibles modèle modèles record records "
    "pilote pilotes standard standards témoin témoins surprise surprises choc chocs culte cultes fleuve "
    "fleuves éclair éclairs express minute minutes maison mère mères fille filles soeur soeurs sœur sœurs "
    "frère frères monstre monstres bidon bidons tampon tampons relais amont aval système systèmes".split()
)

# Nouns of number and measure: what they count follows them, after "de" ("10 millions
# d’euros", "deux tonnes de blé"), so the fix keeps their order and adds the "de".
_QUANTITY_NOUNS = frozenset(
    "million millions milliard milliards millier milliers centaine centaines dizaine dizaines douzaine douzaines "
    "tonne tonnes kilo kilos kilogramme kilogrammes gramme grammes litre litres mètre mètres kilomètre "
    "kilomètres paire paires".split()
)

# Adjectives French places before the noun, always or often (Grevisse's short, common
# adjectives, ordinals, quantifiers, and frequent evaluative ones).
_ANTEPOSED_ADJECTIVES = frozenset(
    "petit petite petits petites grand grande grands grandes bon bonne bons bonnes beau bel belle beaux belles "
    "jeune jeunes vieux vieil vieille vieilles nouveau nouvel nouvelle nouveaux nouvelles mauvais mauvaise "
    "mauvaises gros grosse grosses joli jolie jolis jolies haut haute hauts hautes long longue longs longues "
    "premier première premiers premières dernier dernière derniers dernières deuxième troisième seul seule "
    "seuls seules même mêmes autre autres tel telle tels telles meilleur meilleure meilleurs meilleures double "
    "triple vrai vraie vrais vraies faux fausse véritable véritables principal principale principaux ancien "
    "ancienne anciens anciennes prochain prochaine simple simples certain certaine certains certaines "
    "différents différentes divers diverses nombreux nombreuses plusieurs large larges court courte courts "
    "courtes demi énorme énormes excellent excellente excellents excellentes superbe superbes immense immenses "
    "parfait parfaite incroyable incroyables formidable magnifique magnifiques faible faibles vaste vastes "
    "léger légère légers légères plein pleine pleins pleines".split()
)


@dataclass
class EnglishOrderDetector(WordClassDetector):
    """Flags noun phrases in English order: two nouns stacked, or an adjective before its noun.

    Both words in lower case (a capital marks a name or title case), one space between them.
    French has noun appositions ("bouton poussoir") and anteposed adjectives ("faible
    luminosité") too, but far fewer than machine translation makes: on the WMT20 QE en-fr
    development data, 80% of noun–noun pairs and 85% of adjective–noun pairs lie on words
    the annotators marked (documents 600–1,268, not used to write the word lists).
    """

    min_length: int = 3
    name: str = field(default="english-order", init=False)

    def detect(self, context: DetectionContext) -> list[Flag]:
        flags = []
        for seg in context.segments:
            for first, second in adjacent_words(seg.text, french.WORD):
                a, b = first.group(), second.group()
                if not (self._plain(a) and self._plain(b) and self._is(b, _noun)):
                    continue
                if self._is(a, _noun) and a in _QUANTITY_NOUNS:
                    message = (f"a quantity and what it counts side by side ('{a} {b}'), as in English; "
                               "French links them with 'de'")
                    suggestion = f"{a} {_de(b)}"
                elif self._is(a, _noun) and b not in _EPITHET_NOUNS:
                    message = (f"two nouns side by side with nothing linking them ('{a} {b}'), as English stacks "
                               "them; French puts the head noun first and links the two with a preposition")
                    suggestion = f"{b} {_de(a)}"
                elif self._is_adjective(a) and a not in _ANTEPOSED_ADJECTIVES:
                    message = f"adjective before its noun ('{a} {b}'), as in English; in French it follows the noun"
                    suggestion = f"{b} {a}"
                else:
                    continue
                start, end = seg.start + first.start(), seg.start + second.end()
                flags.append(Flag(
                    start=start, end=end, text=context.text[start:end], category=Category.FLUENCY,
                    severity=Severity.MAJOR, message=message, detector=self.name,
                    evidence={"first": a, "second": b}, suggestion=suggestion, confidence=0.6,
                    segment_index=seg.index,
                ))
        return flags

    def _plain(self, word: str) -> bool:
        return len(word) >= self.min_length and word.islower()

    def _is(self, word: str, word_class) -> bool:
        return every_reading(self._classes, word, word_class)

    def _is_adjective(self, word: str) -> bool:
        # Tagged ":N:A…", a word is a noun and an adjective both ("rouge", "classique"): too
        # ambiguous. An adjective has a plain ":A" reading and no reading of another class.
        readings = self._classes(word)
        return (any(r.startswith(":A") for r in readings)
                and all(r.startswith((":A", ":N:A")) for r in readings))


def _de(word: str) -> str:
    """'de' before ``word``, elided before a vowel or a mute h."""
    return f"d’{word}" if word[0] in "aeiouyhàâéèêëîïôûù" else f"de {word}"


def _noun(tag: str) -> bool:
    return tag.startswith(":N") and ":A" not in tag
