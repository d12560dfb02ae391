"""What a Grammalecte dictionary tag says of a reading (":N:f:s", ":V1_it_q_zz:Ip:3s", ":G:D:e:p").

Each test takes one tag; :func:`mtcheck.lang.grammalecte.every_reading` applies one to all of a
word's readings.
"""

from __future__ import annotations

# The moods of a conjugated verb: indicative, subjunctive, conditional, imperative.
_FINITE_MOODS = (":I", ":S", ":K", ":E")
# Infinitive, past participle, present participle.
_NON_FINITE = (":Y", ":Q", ":P")


def noun(tag: str) -> bool:
    return tag.startswith(":N")


def nominal(tag: str) -> bool:
    """A noun or an adjective."""
    return tag.startswith((":N", ":A"))


def nominal_or_participle(tag: str) -> bool:
    """A noun, an adjective or a past participle (which a determiner makes a noun: "les blessés")."""
    return nominal(tag) or (tag.startswith(":V") and ":Q" in tag)


def determiner(tag: str) -> bool:
    return tag.startswith(":G:D")


def adverb(tag: str) -> bool:
    return tag.startswith(":W")


def infinitive(tag: str) -> bool:
    return tag.startswith(":V") and ":Y" in tag


def finite(tag: str) -> bool:
    return tag.startswith(":V") and any(mood in tag for mood in _FINITE_MOODS)


def non_finite(tag: str) -> bool:
    return tag.startswith(":V") and any(form in tag for form in _NON_FINITE)
