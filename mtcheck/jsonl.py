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
