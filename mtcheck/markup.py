"""The visible text of an HTML or Markdown article, with the offset of each of its characters
in the markup, so that segments of the visible text still index the file as given.

html.parser (the standard library's) rather than a fuller parser: news pages only need the
text nodes and where they start, and a lenient tokenizer keeps going on broken markup.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 blockquote section article header footer tr table figcaption title".split()
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template"})


def visible_text(source: str, input_format: str) -> tuple[str, list[int]]:
    """The visible text of ``source`` (``html`` or ``markdown``) and each character's offset in it."""
    if input_format == "html":
        return _HTMLText.extract(source)
    if input_format == "markdown":
        return _markdown_text(source)
    raise ValueError(f"unknown markup {input_format!r}; use markdown or html")


class _HTMLText(HTMLParser):
    """Collects visible text with the source offset of every character."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.chars: list[str] = []
        self.origin: list[int] = []
        self.skip = 0

    @classmethod
    def extract(cls, source: str) -> tuple[str, list[int]]:
        parser = cls(source)
        parser.feed(source)
        parser.close()
        return "".join(parser.chars), parser.origin

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _emit(self, text: str, at: int) -> None:
        self.chars.extend(text)
        self.origin.extend([at] * len(text))

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self._emit("\n\n", self._offset())

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self._emit("\n\n", self._offset())

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        at = self._offset()
        self.chars.extend(data)
        self.origin.extend(range(at, at + len(data)))

    def handle_entityref(self, name: str) -> None:
        self._charref(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._charref(f"&#{name};")

    def _charref(self, raw: str) -> None:
        if not self.skip:
            at = self._offset()
            for ch in html.unescape(raw):
                self.chars.append(ch)
                self.origin.append(at)


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARK = re.compile(r"(?m)^(?:#{1,6}\s+|>\s?)|\*\*|__|`|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")


def _markdown_text(source: str) -> tuple[str, list[int]]:
    """Markdown with link syntax, emphasis, code marks, headings and quote marks removed."""
    keep = [True] * len(source)
    for m in _MD_LINK.finditer(source):
        for pos in range(m.start(), m.end()):
            keep[pos] = False
        for pos in range(m.start(1), m.end(1)):
            keep[pos] = True
    for m in _MD_MARK.finditer(source):
        for pos in range(m.start(), m.end()):
            keep[pos] = False
    origin = [pos for pos in range(len(source)) if keep[pos]]
    return "".join(source[pos] for pos in origin), origin
