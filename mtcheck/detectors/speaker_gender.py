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

import re
from collections import defaultdict
from dataclasses import dataclass, field

from ..lang import french
from ..lang.gender import NAMES, gender, inflect, is_modifier
from ..lang.spelling import every_reading, require_word_classes
from ..types import Category, Flag, Segment, Severity
from .base import DetectionContext

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


@dataclass
class SpeakerGenderDetector:
    """Flags first-person agreement that gives a speaker the other gender than the article does."""

    name: str = field(default="speaker-gender", init=False)

    def __post_init__(self) -> None:
        self._classes = require_word_classes(self.name)

    def detect(self, context: DetectionContext) -> list[Flag]:
        speakers = self._speakers(context)
        forms: dict[str, list[_SelfAgreement]] = defaultdict(list)
        attributed: dict[str, list[str]] = defaultdict(list)
        for seg in context.segments:
            speaker = speakers.get(seg.index)
            if speaker is None:
                continue
            quoted = _quoted(seg)
            forms[speaker] += [f for f in self._self_agreements(seg) if _inside(f.start - seg.start, quoted)]
            attributed[speaker] += _attributed_genders(seg.text, quoted)
        flags = []
        for speaker, found in forms.items():
            expected = _expected_gender(found, attributed[speaker])
            if expected is None:
                continue
            for form in found:
                if form.gender != expected.gender:
                    flags.append(self._flag(context, speaker, form, expected))
        return flags

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
                if lowered in _SKIPPED or every_reading(self._classes, lowered, lambda t: t.startswith(":W")):
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
            confidence=0.75 if expected.source == "attribution" else 0.55, segment_index=form.segment_index,
        )


def _quoted(seg: Segment) -> list[tuple[int, int]]:
    """Spans of the segment inside quotation marks; all of it when it has none but lies in a quote
    or renders a quoted reference (an embedded post keeps no marks)."""
    return french.quoted_spans(seg.text) or [(0, len(seg.text))]


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= offset < e for s, e in spans)


def _attributed_genders(text: str, quoted: list[tuple[int, int]]) -> list[str]:
    genders = []
    for pattern in _ATTRIBUTIONS:
        for match in pattern.finditer(text):
            if not _inside(match.start(), quoted):
                word = next(g for g in match.groups() if g)
                genders.append(_GENDER_OF_WORD[word.lower()])
    return genders


@dataclass(frozen=True)
class _Expectation:
    """The gender a speaker's first-person forms should have, and why."""

    gender: str
    source: str  # "attribution", or "first form"
    reason: str


def _expected_gender(forms: list[_SelfAgreement], attributed: list[str]) -> _Expectation | None:
    """The article's attribution when it leans one way, else the speaker's first form when later ones differ."""
    counts = {g: attributed.count(g) for g in ("m", "f")}
    if counts["m"] != counts["f"]:
        expected = max(counts, key=counts.get)
        return _Expectation(expected, "attribution", f"the article calls the speaker {NAMES[expected]}")
    if len({f.gender for f in forms}) > 1:
        first = forms[0]
        return _Expectation(first.gender, "first form",
                            f"the same speaker is '{first.word}' ({NAMES[first.gender]}) earlier")
    return None
