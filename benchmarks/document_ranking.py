"""Does the document score rank a human French above a machine French of the same English? (issue #22)

    python benchmarks/document_ranking.py [--config FILE] [--paragraphs] [--no-write]

`data/corpora/*` hold, for each article, the human French of Debian's documentation
(`articles/<id>`) and Apertium's French of the same English (`apertium-mt/<id>`), with
the English paragraphs as references. Each French is checked with the default settings
(Apertium back-translation, through the translation cache); a pair is ranked right when the
human French scores better (higher `mqm_estimate`, higher article chrF). Ties are counted
apart: a score that cannot tell the two apart is no help either. ``--paragraphs`` ranks each
paragraph of each article on its own, with its own English paragraph as the reference: short
texts, where a score has few words to go on.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from _results import write_section  # noqa: E402

from mtcheck import Checker  # noqa: E402
from mtcheck.corpus import read_article  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="TOML run settings, as mtcheck check --config")
    parser.add_argument("--paragraphs", action="store_true", help="rank paragraph by paragraph")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    checker = Checker.from_config(args.config, engine="apertium")
    tallies = {"mqm_estimate": [0, 0, 0], "chrf": [0, 0, 0]}  # right, tie, wrong
    pairs = 0
    for corpus in sorted(p for p in (ROOT / "data" / "corpora").iterdir() if (p / "apertium-mt").is_dir()):
        for machine_folder in sorted((corpus / "apertium-mt").iterdir()):
            human_folder = corpus / "articles" / machine_folder.name
            if not human_folder.is_dir():
                continue
            human, machine = read_article(human_folder), read_article(machine_folder)
            if not machine.references:
                machine = read_article(machine_folder, references=human_folder / "references.en.jsonl")
            for texts in _units(human, machine, args.paragraphs):
                scores = []
                for article_id, text, references in texts:
                    report = checker.check(text, references, article_id=article_id)
                    chrf = report.scores["chrf"].score if "chrf" in report.scores else 0.0
                    scores.append({"mqm_estimate": report.mqm_estimate, "chrf": chrf})
                pairs += 1
                for metric, tally in tallies.items():
                    difference = scores[0][metric] - scores[1][metric]
                    tally[0 if difference > 1e-9 else 1 if abs(difference) <= 1e-9 else 2] += 1
    lines = ["| score | human French ranked above Apertium's | ties | machine ranked above |", "| --- | ---: | ---: | ---: |"]
    for metric, (right, tie, wrong) in tallies.items():
        lines.append(f"| {metric} | {right}/{pairs} ({right / pairs:.0%}) | {tie} | {wrong} |")
    unit = "paragraph" if args.paragraphs else "article"
    body = "\n".join([f"## Document score: human vs Apertium French of the same English (issue #22), {pairs} {unit} pairs",
                      "", "Command: `python benchmarks/document_ranking.py"
                      + (f" --config {args.config}" if args.config else "")
                      + (" --paragraphs" if args.paragraphs else "") + "`", "", "Goal: at least 95% for the document "
                      "score (chrF of the back-translation alone must not decide).", ""] + lines)
    print(body)
    if not args.no_write:
        write_section("document-ranking" + ("-paragraphs" if args.paragraphs else "")
                      + ("-config" if args.config else ""), body)


def _units(human, machine, paragraphs: bool):
    """The (article id, text, references) of the human and the machine French to rank against
    each other: the whole articles, or each paragraph with its own English paragraph."""
    if not paragraphs:
        yield [(human.id, human.text, human.references), (machine.id, machine.text, machine.references)]
        return
    split = [[p for p in article.text.split("\n\n") if p.strip()] for article in (human, machine)]
    if not len(split[0]) == len(split[1]) == len(human.references):
        sys.exit(f"{machine.id}: the human and machine French have different paragraphs; cannot pair them")
    for n, (human_paragraph, machine_paragraph, reference) in enumerate(zip(*split, human.references), start=1):
        yield [(f"{human.id}-p{n}", human_paragraph, [reference]),
               (f"{machine.id}-p{n}", machine_paragraph, [reference])]

if __name__ == "__main__":
    main()
