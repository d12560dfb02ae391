"""What a batch run did, as every backend reports it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class BatchOutcome:
    """What a batch run did: articles checked now, reused unchanged (``skipped``), and failed."""

    output: Path
    checked: int
    skipped: int  # reused whole: same content, same settings as the stored result
    failed: int
    # Of ``checked``, how many had a stored result that was stale, by why ("content changed", …).
    rechecked: dict[str, int] = field(default_factory=dict)
    # The run signature of the checker that ran (None: none was built, every article was reused).
    signature: str | None = None
    # Articles of another input whose results or failures the output folder also holds (see
    # :func:`~mtcheck.batch.layout.from_other_inputs`).
    from_other_inputs: int = 0
