"""French grammar errors found by Grammalecte (optional: Debian's python3-grammalecte)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ConfigError
from ..lang.spelling import grammalecte_checker
from ..types import Category, Flag, Severity
from .base import DetectionContext

# Typography (non-breaking spaces, dashes, ellipsis character, units) is house style, not
# translation quality.
_TYPOGRAPHY = ("nbsp", "typo", "unit", "esp", "apos", "num_", "tab_", "eepi", "maj_")


@dataclass
class GrammarDetector:
    """Flags Grammalecte's grammar errors (agreement, conjugation, …), typography left out."""

    name: str = field(default="grammar", init=False)

    def __post_init__(self) -> None:
        self._checker = grammalecte_checker()
        if self._checker is None:
            raise ConfigError("the grammar detector needs Grammalecte (Debian: apt-get install python3-grammalecte)")

    def detect(self, context: DetectionContext) -> list[Flag]:
        flags = []
        paragraphs: dict[int, list] = {}
        for seg in context.segments:
            paragraphs.setdefault(seg.paragraph, []).append(seg)
        for segs in paragraphs.values():
            start, end = segs[0].start, segs[-1].end
            result = self._checker.getParagraphErrors(context.text[start:end])
            errors = result[0] if isinstance(result, tuple) else result
            for err in errors:
                if err["sRuleId"].startswith(_TYPOGRAPHY):
                    continue
                s, e = start + err["nStart"], start + err["nEnd"]
                suggestions = err.get("aSuggestions") or []
                flags.append(Flag(
                    start=s, end=e, text=context.text[s:e], category=Category.GRAMMAR, severity=Severity.MINOR,
                    message=err["sMessage"], detector=self.name, evidence={"rule": err["sRuleId"]},
                    suggestion=suggestions[0] if suggestions else "", confidence=0.6,
                ))
        return flags
