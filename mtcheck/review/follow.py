"""Decisions follow the article's text: a rerun after the article was edited moves or retires them.

A decision holds the words it was made on and a little of their context on each side. When
the run is read again after the article changed (a sentence added above, a typo fixed, the
article checked again), its offsets may point at other words. Each decision is therefore
looked for in the article as it now is: where its words still stand where they stood, or
are found again (the occurrence whose context agrees best, or the only one of words long
enough not to be chance), the decision moves there, and a decision on a flag moves to the
flag now raised on those words. Where its words are gone, the decision is stale: it stays in
the database and is shown to the reviewer, but exports and calibration leave it out, since
its offsets would name other words.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .run import ReviewArticle, flag_id

if TYPE_CHECKING:
    from .decisions import Decision

CONTEXT = 24  # characters kept on each side of a decision's words
MIN_CONTEXT = 8  # characters of agreeing context that place short or repeated words


@dataclass(frozen=True)
class Followed:
    """An article's standing decisions where its text now has their words, and the stale ones."""

    decisions: dict[str, Decision]  # by item: a current flag's id, or an added span's id
    stale: tuple[Decision, ...]


def context_of(text: str, start: int, end: int) -> tuple[str, str]:
    return text[max(0, start - CONTEXT):start], text[end:end + CONTEXT]


def follow(article: ReviewArticle, decisions: Iterable[Decision]) -> Followed:
    """Each decision at the article's current offsets, or stale where its words are gone."""
    standing: dict[str, Decision] = {}
    stale = []
    # Oldest first, so that of two decisions that now fall on the same flag the later stands.
    for decision in sorted(decisions, key=lambda d: d.id):
        place = locate(article.text, decision)
        if place is None:
            stale.append(decision)
            continue
        start, end = place
        item = decision.item if decision.added else _flag_on(article, decision, start, end)
        standing[item] = dataclasses.replace(decision, item=item, start=start, end=end)
    return Followed(standing, _latest_per_flag(stale))


def _latest_per_flag(stale: list[Decision]) -> tuple[Decision, ...]:
    """A flag decided again after a rerun moved it was decided under its new id; when its words
    then go, both decisions are stale, and only the later is what the reviewer last said (two
    detectors' flags on the same words stay two)."""
    latest: dict[tuple[str, str | None, str | None, str | None], Decision] = {}
    kept = []
    for decision in stale:  # oldest first
        if decision.added:
            kept.append(decision)
        else:
            latest[(decision.text, decision.context_before, decision.context_after, decision.flag_detector)] = decision
    return tuple(sorted(kept + list(latest.values()), key=lambda d: d.id))


def locate(text: str, decision: Decision) -> tuple[int, int] | None:
    """Where ``decision``'s words are in ``text`` now, or None when they are gone or no place
    is sure: short words whose surroundings changed, or several places equally likely."""
    words, length = decision.text, len(decision.text)
    found = _occurrences(text, words)
    if not found:
        return None
    # Words this long found once are those words; a short one ("de", "les") may be any.
    distinctive = len(found) == 1 and length >= MIN_CONTEXT
    before, after = decision.context_before, decision.context_after
    if before is None or after is None:  # stored before contexts were kept
        if text[decision.start:decision.end] == words:
            return decision.start, decision.end
        return (found[0], found[0] + length) if distinctive else None
    agreement = {at: _agreement(text, at, length, before, after) for at in found}
    best = max(agreement.values())
    if best < min(MIN_CONTEXT, len(before) + len(after)) and not distinctive:
        return None
    tied = [at for at in found if agreement[at] == best]
    at = min(tied, key=lambda a: abs(a - decision.start))  # the same words in the same context: the nearest
    return at, at + length


def _occurrences(text: str, words: str) -> list[int]:
    found, at = [], text.find(words)
    while at != -1 and words:
        found.append(at)
        at = text.find(words, at + 1)
    return found


def _agreement(text: str, at: int, length: int, before: str, after: str) -> int:
    """Characters of context that agree: next to the words, outwards on each side."""
    now_before, now_after = context_of(text, at, at + length)
    left = 0
    while left < min(len(before), len(now_before)) and before[-1 - left] == now_before[-1 - left]:
        left += 1
    right = 0
    while right < min(len(after), len(now_after)) and after[right] == now_after[right]:
        right += 1
    return left + right


def _flag_on(article: ReviewArticle, decision: Decision, start: int, end: int) -> str:
    """The id of the flag the run now raises where ``decision``'s flag was (its words moved
    from ``decision.start`` to ``start``), or the decision's own item when none is raised."""
    if (start, end) == (decision.start, decision.end):
        return decision.item  # a flag's id comes from its offsets: the same words, the same id
    for flag in article.flags:
        if (flag.start, flag.end) != (start, end):
            continue
        then = {"start": decision.start, "end": decision.end, "detector": flag.detector, "category": flag.category}
        if flag_id(article.article_id, then) == decision.item:
            return flag.id
    return decision.item
