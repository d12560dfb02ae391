"""Does the spelling detector offer the right fix for a slip of a real word?

    python benchmarks/corrections.py [--words 150] [--seed 7] [--no-write]

Every French word of five letters or more in ``tests/data/professional`` (human translations,
every word one Grammalecte knows) gets one slip of each kind: an accent dropped, a double
letter undoubled, a letter doubled, two letters swapped, a letter dropped, inserted or
replaced (``--words`` words a kind, drawn with ``--seed``). A slip that is itself a French word
is left out. For each misspelt word, the fixes the spelling detector offers (at most three,
close to the word) are compared with the word it came from: from Grammalecte's suggestions
alone, as before, and from :mod:`mtcheck.lang.corrections` (the words one slip away first).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from _results import write_section  # noqa: E402

from mtcheck.detectors.spelling import fixes_offered  # noqa: E402
from mtcheck.lang.corrections import corrections_version, french_corrections  # noqa: E402
from mtcheck.lang.grammalecte import french_spellchecker, french_suggestions, grammalecte_version  # noqa: E402

UNACCENTED = {"é": "e", "è": "e", "ê": "e", "à": "a", "â": "a", "ç": "c", "î": "i", "ï": "i", "ô": "o", "ù": "u",
              "û": "u"}
KINDS = ("accent dropped", "letter undoubled", "letter doubled", "letters swapped", "letter dropped",
         "letter inserted", "letter replaced")


def slip(word: str, kind: str, rng: random.Random) -> str | None:
    """``word`` with one slip of ``kind``; None where the word offers none of that kind."""
    at = rng.randrange(len(word))
    if kind == "accent dropped":
        places = [i for i, c in enumerate(word) if c in UNACCENTED]
        if not places:
            return None
        i = rng.choice(places)
        return word[:i] + UNACCENTED[word[i]] + word[i + 1:]
    if kind == "letter undoubled":
        places = [i for i in range(len(word) - 1) if word[i] == word[i + 1]]
        return None if not places else _drop(word, rng.choice(places))
    if kind == "letter doubled":
        places = [i for i, c in enumerate(word) if c in "bcdfglmnprst"] or [at]
        i = rng.choice(places)
        return word[:i] + word[i] + word[i:]
    if kind == "letters swapped":
        i = min(at, len(word) - 2)
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "letter dropped":
        return _drop(word, at)
    if kind == "letter inserted":
        return word[:at] + rng.choice("aeinrst") + word[at:]
    return word[:at] + rng.choice("aeinrst") + word[at + 1:]  # letter replaced


def _drop(word: str, at: int) -> str:
    return word[:at] + word[at + 1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=150, help="words a kind of slip")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    is_french, suggest = french_spellchecker(), french_suggestions()
    if is_french is None or suggest is None:
        raise SystemExit("Grammalecte is missing (Debian: apt-get install python3-grammalecte)")
    corrections = french_corrections(is_french, suggest)
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests/data/professional").rglob("*.fr.txt")))
    words = sorted({w for w in re.findall(r"[a-zàâçéèêëîïôùûüœ]{5,}", text) if is_french(w)})
    rng = random.Random(args.seed)
    rows, total = [], {"before": [0, 0], "after": [0, 0], "n": 0}
    for kind in KINDS:
        tally = {"before": [0, 0], "after": [0, 0], "n": 0}
        for word in rng.sample(words, min(len(words), args.words)):
            misspelt = slip(word, kind, rng)
            if misspelt is None or misspelt == word or is_french(misspelt):
                continue
            tally["n"] += 1
            for name, fixes in (("before", fixes_offered(misspelt, suggest(misspelt))),
                                ("after", fixes_offered(misspelt, corrections(misspelt)))):
                tally[name][0] += bool(fixes) and fixes[0] == word
                tally[name][1] += word in fixes
        for key in ("before", "after"):
            total[key] = [a + b for a, b in zip(total[key], tally[key])]
        total["n"] += tally["n"]
        rows.append((kind, tally))
    rows.append(("all", total))
    lines = [f"Command: `python benchmarks/corrections.py --words {args.words} --seed {args.seed}`", "",
             f"{len(words)} words of tests/data/professional; Grammalecte {grammalecte_version()}, "
             f"{corrections_version()}. "
             "A row counts the misspelt words whose first fix offered is the word (first), or whose fixes "
             "offered (at most three) hold it (in three).", "",
             "| slip | misspelt words | Grammalecte alone: first | in three | one slip away first: first | in three |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for kind, tally in rows:
        n = max(1, tally["n"])
        lines.append(f"| {kind} | {tally['n']} | {tally['before'][0] / n:.1%} | {tally['before'][1] / n:.1%} | "
                     f"{tally['after'][0] / n:.1%} | {tally['after'][1] / n:.1%} |")
    body = "## Spelling fixes offered for a slip of a real word\n\n" + "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("corrections", body)


if __name__ == "__main__":
    main()
