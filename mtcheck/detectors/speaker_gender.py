"""One speaker, two grammatical genders: first-person agreement that contradicts the attribution.

English "I am grateful" has no gender, so machine translation picks one for each sentence
it translates: the same speaker says "je suis reconnaissant" in one quote and "je suis
reconnaissante" in the next. The words that show a speaker's gender are adjectives and past
participles after a first-person copula inside a quote ("je suis profondément
reconnaissante", "j'ai été surpris"). The article itself says who speaks outside the quotation
marks: "a-t-il déclaré", "elle a ajouté", "le président", "Mme". Quotes are grouped by
speaker: the speaker named by the aligned reference where there is one, otherwise the quote
itself. A first-person form whose gender contradicts the attribution is flagged; without an
attribution, a form whose gender differs from the speaker's first one is.
"""

from __future__ import annotations

from typing import ClassVar

import re
from collections import defaultdict
from dataclasses import dataclass, field

from ..lang import french, tags
from ..lang.gender import NAMES, gender, inflect, is_modifier
from ..lang.grammalecte import every_reading
from ..types import Category, Flag, Segment, Severity
from .base import DetectionContext, Need, WordClassDetector

# A first-person subject and the copula that makes the next adjective agree with it.
_FIRST_PERSON = re.compile(
    r"(?i)(?<!\w)(?:je|j['’])\s*(?:ne |n['’])?(?:suis|étais|serai|serais|fus|sois|reste|restais|resterai|demeure|"
    r"me sens|me sentais|ai été|avais été|aurai été|aurais été)(?!\w)"
)
# Words between the copula and the adjective that say nothing of gender.
_SKIPPED = frozenset("pas plus jamais toujours si très tellement trop vraiment profondément aussi "
                     "bien tout encore déjà ici là".split())
_REPORTING_VERBS = ("déclaré dit ajouté expliqué affirmé souligné tweeté écrit indiqué précisé assuré estimé "
                    "poursuivi conclu insisté averti rappelé noté confié répondu lancé martelé annoncé").split()
_TITLES = ("(?:président|présidente|ministre|premier ministre|première ministre|chef|porte-parole|secrétaire|"
           "directeur|directrice|dirigeant|dirigeante|chancelier|chancelière|sénateur|sénatrice|député|"
           "députée|maire|gouverneur|gouverneure|général|générale|reine|roi|prince|princesse|juge|"
           "ambassadeur|ambassadrice|candidat|candidate|patron|patronne|fondateur|fondatrice|PDG)")
# Who speaks, in the article's words outside the quotation marks, and the word that gives the
# gender: an inverted pronoun ("a-t-il", "poursuit-elle"), or a pronoun, title or honorific
# bound to a reporting verb ("elle a ajouté", "a déclaré le président", "Mme Dupont a dit",
# "selon la ministre"). A title elsewhere in the sentence may be someone else's.
_VERB = rf"(?:a|avait|aurait|ont) (?:{'|'.join(_REPORTING_VERBS)})"
_NAME = r"(?: [A-Z][\w-]+){0,3}"
_WHO = rf"(?:(le|la|Le|La) {_TITLES}|(M\.|Mme)(?= [A-Z]))"
_ATTRIBUTIONS = (
    re.compile(r"(?<=\w)-(?:t-)?(il|elle)(?![\w-])"),
    re.compile(rf"(?<!\w)([Ii]l|[Ee]lle) {_VERB}(?!\w)"),
    re.compile(rf"(?<!\w){_VERB} {_WHO}"),
    re.compile(rf"(?<!\w){_WHO}{_NAME} {_VERB}(?!\w)"),
    re.compile(rf"(?<!\w)[Ss]elon {_WHO}"),
)
_GENDER_OF_WORD = {"il": "m", "le": "m", "m.": "m", "elle": "f", "la": "f", "mme": "f"}
_PRONOUN = {"m": "il", "f": "elle"}
# The original's own attribution: "he said", "said she", "Mr. Smith told". English marks the
# speaker's gender there and nowhere else, so it is what the French must follow.
_ENGLISH_REPORTING = ("said says added adds told tells wrote writes tweeted explained stated noted warned announced "
                      "insisted continued asked replied declared").split()
_ENGLISH_ATTRIBUTIONS = (
    re.compile(rf"(?i)(?<!\w)(he|she) (?:{'|'.join(_ENGLISH_REPORTING)})(?!\w)"),
    re.compile(rf"(?i)(?<!\w)(?:{'|'.join(_ENGLISH_REPORTING)}) (he|she)(?!\w)"),
    re.compile(rf"(?<!\w)(Mr|Ms|Mrs)\.?(?: [A-Z][\w-]+){{1,3}} (?:{'|'.join(_ENGLISH_REPORTING)})(?!\w)"),
)
_GENDER_OF_ENGLISH = {"he": "m", "mr": "m", "she": "f", "ms": "f", "mrs": "f"}


@dataclass(frozen=True)
class _SelfAgreement:
    """An adjective or participle agreeing with a quoted speaker's "je"."""

    start: int
    end: int
    word: str
    gender: str
    segment_index: int
    # Where the first-person subject starts: the flag covers "je suis … reconnaissante",
    # the words that agree, as the agreement detector covers "de tels attaques".
    clause_start: int


@dataclass(frozen=True)
class _Attribution:
    """The word of an attribution that gives the speaker's gender ("il" of "a-t-il déclaré")."""

    start: int  # in the segment's text
    end: int
    word: str
    gender: str


@dataclass
class SpeakerGenderDetector(WordClassDetector):
    """Flags a speaker given the other gender than the article's attribution or the original's.

    Two kinds of flag: first-person agreement inside a quote that contradicts the speaker's
    gender ("« Je suis profondément reconnaissante », a-t-il déclaré"), and an attribution
    pronoun that contradicts the original's ("a-t-elle déclaré" where the reference says "he
    said"). Where the original says "he" or "she", that gender wins over the article's.
    """

    name: str = field(default="speaker-gender", init=False)
    needs: ClassVar[frozenset[Need]] = frozenset({Need.GRAMMALECTE, Need.REFERENCES})

    def detect(self, context: DetectionContext) -> list[Flag]:
        speakers = self._speakers(context)
        original = _original_genders(context)
        forms: dict[str, list[_SelfAgreement]] = defaultdict(list)
        attributed: dict[str, list[str]] = defaultdict(list)
        referenced: dict[str, list[str]] = defaultdict(list)
        flags = []
        for seg in context.segments:
            marks = french.quoted_spans(seg.text)
            # A segment without quotation marks that renders a quote (an embedded post keeps
            # none) is all quote: its first-person forms count, and nothing in it attributes.
            quoted = marks or [(0, len(seg.text))]
            outside = _attributions(seg.text, marks)
            attributions = outside if marks else []
            said = original.get(seg.index)
            if said is not None:
                # Against the original, any words outside quotation marks may attribute.
                flags += [self._attribution_flag(context, seg, a, said) for a in outside
                          if a.word.lower() in _PRONOUN.values() and a.gender != said[0]]
            speaker = speakers.get(seg.index)
            if speaker is None:
                continue
            forms[speaker] += [f for f in self._self_agreements(seg) if _inside(f.start - seg.start, quoted)]
            attributed[speaker] += [a.gender for a in attributions]
            if said is not None:
                referenced[speaker].append(said[0])
        for speaker, found in forms.items():
            expected = _expected_gender(found, attributed[speaker], referenced[speaker])
            if expected is None:
                continue
            for form in found:
                if form.gender != expected.gender:
                    flags.append(self._flag(context, speaker, form, expected))
        return flags

    def _attribution_flag(self, context: DetectionContext, seg: Segment, attribution: _Attribution,
                          said: tuple[str, str]) -> Flag:
        gender, words = said
        start, end = seg.start + attribution.start, seg.start + attribution.end
        fixed = _PRONOUN[gender]
        return Flag(
            start=start, end=end, text=context.text[start:end], category=Category.MISTRANSLATION,
            severity=Severity.MAJOR,
            message=f"'{attribution.word}' makes the speaker {NAMES[attribution.gender]}, but the original says "
                    f"'{words}'",
            detector=self.name, evidence={"original_attribution": words, "speaker_gender": NAMES[gender],
                                          "gender_from": "reference"},
            suggestion=fixed.capitalize() if attribution.word[:1].isupper() else fixed,
            confidence=0.75, segment_index=seg.index,
        )

    def _speakers(self, context: DetectionContext) -> dict[int, str]:
        """Each quoted segment's speaker: the aligned reference's, else the quote's own id."""
        speakers = {}
        for alignment in context.alignments:
            if alignment.reference.speaker:
                for rendering in alignment.renderings:
                    for index in rendering.segment_indices:
                        speakers[index] = alignment.reference.speaker
        for seg in context.segments:
            if seg.quote and seg.index not in speakers:
                speakers[seg.index] = seg.quote
        return speakers

    def _self_agreements(self, seg: Segment) -> list[_SelfAgreement]:
        found = []
        for match in _FIRST_PERSON.finditer(seg.text):
            for word in french.WORD.finditer(seg.text, match.end()):
                between = seg.text[match.end() : word.start()]
                if any(c in between for c in ",.;:!?«»“”()"):
                    break
                lowered = word.group().lower()
                if lowered in _SKIPPED or every_reading(self._classes, lowered, tags.adverb):
                    continue  # an adverb: the agreeing word comes after it
                genders = {gender(t) for t in self._classes(lowered) if is_modifier(t)}
                if len(genders) == 1 and genders <= {"m", "f"}:
                    found.append(_SelfAgreement(seg.start + word.start(), seg.start + word.end(), word.group(),
                                                genders.pop(), seg.index, seg.start + match.start()))
                break
        return found

    def _flag(self, context: DetectionContext, speaker: str, form: _SelfAgreement, expected: _Expectation) -> Flag:
        fixed = inflect(form.word.lower(), expected.gender, self._classes)
        lead = context.text[form.clause_start : form.start]
        return Flag(
            start=form.clause_start, end=form.end, text=context.text[form.clause_start : form.end],
            category=Category.INCONSISTENCY, severity=Severity.MAJOR,
            message=f"'{form.word}' makes the speaker {NAMES[form.gender]}, but {expected.reason}",
            detector=self.name,
            evidence={"speaker": speaker, "speaker_gender": NAMES[expected.gender], "gender_from": expected.source},
            suggestion=lead + fixed if fixed else f"make '{form.word}' {NAMES[expected.gender]}",
            confidence=0.55 if expected.source == "first form" else 0.75, segment_index=form.segment_index,
        )


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= offset < e for s, e in spans)


def _attributions(text: str, quoted: list[tuple[int, int]]) -> list[_Attribution]:
    found = []
    for pattern in _ATTRIBUTIONS:
        for match in pattern.finditer(text):
            if not _inside(match.start(), quoted):
                group = next(i for i, g in enumerate(match.groups(), 1) if g)
                word = match.group(group)
                found.append(_Attribution(match.start(group), match.end(group), word, _GENDER_OF_WORD[word.lower()]))
    return found


def _original_genders(context: DetectionContext) -> dict[int, tuple[str, str]]:
    """Segment index → the speaker's gender in the aligned reference's own attribution, and its words.

    Only a reference whose attributions all give one gender counts ("he said … he added").
    """
    said = {}
    for alignment in context.alignments:
        matches = [m for pattern in _ENGLISH_ATTRIBUTIONS for m in pattern.finditer(alignment.reference.text)]
        genders = {_GENDER_OF_ENGLISH[next(g for g in m.groups() if g).lower()] for m in matches}
        if len(genders) != 1:
            continue
        gender = genders.pop()
        for rendering in alignment.renderings:
            for index in rendering.segment_indices:
                said[index] = (gender, matches[0].group())
    return said


@dataclass(frozen=True)
class _Expectation:
    """The gender a speaker's first-person forms should have, and why."""

    gender: str
    source: str  # "reference", "attribution" or "first form"
    reason: str


def _expected_gender(forms: list[_SelfAgreement], attributed: list[str], referenced: list[str]) -> _Expectation | None:
    """The original's attribution, else the article's when it leans one way, else the speaker's first
    form when later ones differ."""
    if len(set(referenced)) == 1:
        return _Expectation(referenced[0], "reference", f"the original calls the speaker {NAMES[referenced[0]]}")
    counts = {g: attributed.count(g) for g in ("m", "f")}
    if counts["m"] != counts["f"]:
        expected = max(counts, key=counts.get)
        return _Expectation(expected, "attribution", f"the article calls the speaker {NAMES[expected]}")
    if len({f.gender for f in forms}) > 1:
        first = forms[0]
        return _Expectation(first.gender, "first form",
                            f"the same speaker is '{first.word}' ({NAMES[first.gender]}) earlier")
    return None
