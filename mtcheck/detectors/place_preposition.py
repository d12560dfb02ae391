"""The preposition before a country or region: "en France", "au Japon", "aux États-Unis".

English has one preposition for every place ("in France", "in Japan", "in Normandy");
French chooses by the name's gender, number and first sound: "en" before a feminine name
and a masculine one that starts with a vowel ("en Iran"), "au" before any other masculine one,
"aux" before a plural, "à" before a city or an island without an article ("à Paris", "à
Malte"); and "of" is "du" before such a masculine name, "des" before a plural. Machine
translation often keeps one of them for all: "à Normandie", "en Japon", "au France", "le
président de Mexique". Grammalecte's dictionary says which names are countries (``#P``), which are
cities (``#C``), their gender and number; a feminine name the dictionary knows only with a
capital (a region: "Normandie", "Bretagne") counts as a country. A name that is also a person's
or a city's (Hollande, Luxembourg), one the dictionary gives no gender (Malte, Israël: ``:MP``),
one followed by another capitalised word or a figure (a company or a channel: "France
Télévisions", "France 24") and an acronym ("à LED") are left alone. On the WMT20 QE en-fr
development data (1,268 documents) it fires three times, each on an annotated error ("Hold'em de
Texas", "l'arrière-pays de Colorado"), once acronyms ("à LED") and abbreviations ("du Mt.") were
left out; on the human French of ``data/corpora``, ``tests/data/professional`` and the sample, never.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..lang import french
from ..types import Category, Flag, Severity
from .base import DetectionContext, WordClassDetector

_PREPOSITIONS = {"à", "au", "aux", "en"}
# "of" before a place: "de" (or "d'") before a feminine name or one that starts with a vowel,
# whether or not an article follows ("de France", "de la France"); "du" before any other
# masculine one, "des" before a plural. Only the last two can be told wrong without an article.
_OF = {"de": {"au": "du", "aux": "des"}, "du": {"en": "de", "aux": "des"}, "des": {"en": "de", "au": "du"}}
_VOWELS = "aeiouyàâäéèêëîïôöùûüœæ"


@dataclass
class PlacePrepositionDetector(WordClassDetector):
    """Flags "à", "au", "aux", "en", "de", "du" or "des" before a country or region that takes another."""

    name: str = field(default="place-preposition", init=False)

    def detect(self, context: DetectionContext) -> list[Flag]:
        flags = []
        for seg in context.segments:
            tokens = list(french.WORD_OR_MARK.finditer(seg.text))
            for i, token in enumerate(tokens[:-1]):
                given = token.group()
                if given.lower() not in _PREPOSITIONS | set(_OF) or given not in (given.lower(), given.capitalize()):
                    continue
                place = tokens[i + 1].group()
                following = seg.text[tokens[i + 1].end():].lstrip()[:1]
                if following.isupper() or following.isdigit():
                    continue  # part of a longer name: "France Télévisions", "France 24"
                expected = self.preposition(place)
                if expected is not None and given.lower() in _OF:  # "of" rather than "in"
                    expected = _OF[given.lower()].get(expected)
                if expected is None or expected == given.lower():
                    continue
                start, end = seg.start + token.start(), seg.start + tokens[i + 1].end()
                right = expected if given.islower() else expected.capitalize()
                flags.append(Flag(
                    start=start, end=end, text=context.text[start:end], category=Category.GRAMMAR,
                    severity=Severity.MINOR,
                    message=(f"'{place}' takes '{expected}' in French, not '{given.lower()}' (English has one "
                             "preposition for every place)"),
                    detector=self.name, evidence={"place": place, "preposition": given, "expected": expected},
                    suggestion=f"{right} {place}", confidence=0.8, segment_index=seg.index,
                ))
        return flags

    def preposition(self, place: str) -> str | None:
        """The preposition that says "in" before ``place``, or None when it is not a country or
        region whose preposition the dictionary settles."""
        if not place[:1].isupper() or place.isupper():  # an acronym ("à LED") is not a place
            return None
        readings = self._classes(place)
        if not readings or any(r.startswith((":M", ":V")) or "#C" in r for r in readings):
            return None
        countries = [r for r in readings if "#P" in r]
        if not countries:
            # A feminine name known only with its capital: a region ("Normandie"), not a word
            # that starts a sentence ("Défense").
            # ("Mt", an abbreviation, is no region: regions have longer names.)
            if len(place) < 4 or self._classes(place.lower()) or not all(r.startswith(":N:f") for r in readings):
                return None
            countries = readings
        genders = {r.split(":")[2][:1] for r in countries if r.startswith(":N:")}
        numbers = {r.split(":")[3][:1] for r in countries if r.startswith(":N:") and r.count(":") >= 3}
        if len(countries) != sum(r.startswith(":N:") for r in countries) or len(genders) != 1:
            return None
        if numbers == {"p"}:
            return "aux"
        if "p" in numbers:
            return None
        if genders == {"f"} or place[0].lower() in _VOWELS:
            return "en"
        return "au" if genders == {"m"} else None
