"""Embed residue and page boilerplate left in the article text."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..lang import french
from ..types import Category, Flag, Severity
from .base import BaseDetector, DetectionContext


@dataclass
class ResidueDetector(BaseDetector):
    """Flags embedded-post residue (pic.twitter.com/…, t.co links) and boilerplate ("Lire aussi")."""

    name: str = field(default="residue", init=False)

    def detect(self, context: DetectionContext) -> list[Flag]:
        flags = []
        for match in french.EMBED_RESIDUE.finditer(context.text):
            if match.group().startswith("http"):
                continue  # a link in an article can be legitimate; embed short links are not
            flags.append(self._flag(context, match.start(), match.end(), "residue of an embedded post"))
        for match in french.BOILERPLATE.finditer(context.text):
            flags.append(self._flag(context, match.start(), match.end(), "page boilerplate in the article text"))
        return flags

    def _flag(self, context: DetectionContext, start: int, end: int, message: str) -> Flag:
        return Flag(start=start, end=end, text=context.text[start:end], category=Category.ARTIFACT,
                    severity=Severity.MINOR, message=message, detector=self.name,
                    suggestion="remove it from the article text", confidence=0.9)
