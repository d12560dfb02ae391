"""One JSON object per line, safe for every line splitter.

Article text is written unescaped (readable French), except U+2028 and U+2029: JSON allows
them raw, but Python's ``str.splitlines`` and many editors treat them as line breaks, which
would cut a record in two.
"""

from __future__ import annotations

import json
from typing import Any


def dumps_line(record: Any) -> str:
    """``record`` as one JSONL line, newline included."""
    text = json.dumps(record, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"


def lone_surrogate(line: str, record: Any) -> str | None:
    """What is wrong with ``record`` (``line`` decoded) when a ``\\udXXX`` escape in ``line``
    decoded to a lone surrogate: valid JSON, but not a character, so the text could never be
    written out as UTF-8 (every output would fail on it). None when there is none."""
    if "\\ud" not in line.lower():  # the only way a surrogate gets into decoded JSON
        return None
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        return (f"holds \\u{ord(exc.object[exc.start]):04x}, a lone surrogate: not a character, so no UTF-8 "
                "file can hold it (an emoji cut in half, or bytes decoded with the wrong encoding); "
                "fix the text where it was exported")
    return None
