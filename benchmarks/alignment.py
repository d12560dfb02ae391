"""How well each engine maps back-translated words to the French words they came from.

    python benchmarks/alignment.py [--tiny-model PATH]

- Fixture model (tests.fixture_models, trained with guided alignment): share of English words
  linked to their gold French word over the training grid, for hf and ct2 (float32, int8).
- Apertium: a hand-made gold set of content-word links on 12 French news sentences (below);
  precision = correct links among the gold words that got a link, coverage = gold words
  linked correctly. The gold is keyed by the English word of Apertium's back-translation.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

APERTIUM_GOLD = [
    ("Le président a signé l'accord lundi à Paris.",
     {"president": "président", "signed": "signé", "agreement": "accord", "Monday": "lundi", "Paris": "Paris"}),
    ("Les soldats ukrainiens ont reçu des armes américaines.",
     {"soldiers": "soldats", "received": "reçu", "American": "américaines", "arms": "armes"}),
    ("La Russie a lancé des missiles contre la capitale.",
     {"Russia": "Russie", "launched": "lancé", "missiles": "missiles", "against": "contre", "capital": "capitale"}),
    ("Le gouvernement prépare une nouvelle loi sur l'énergie.",
     {"executive": "gouvernement", "prepares": "prépare", "new": "nouvelle", "law": "loi", "energy": "énergie"}),
    ("Les agriculteurs bloquent les routes depuis trois jours.",
     {"agriculturalists": "agriculteurs", "block": "bloquent", "roads": "routes", "three": "trois", "days": "jours"}),
    ("Le ministre des Finances a présenté le budget au Parlement.",
     {"minister": "ministre", "presented": "présenté", "estimate": "budget", "Parliament": "Parlement"}),
    ("Une fillette a été retrouvée saine et sauve dans la forêt.",
     {"found": "retrouvée", "healthy": "saine", "saves": "sauve", "forest": "forêt"}),
    ("Les prix du pétrole ont fortement augmenté cette semaine.",
     {"prizes": "prix", "oil": "pétrole", "augmented": "augmenté", "strongly": "fortement", "week": "semaine"}),
    ("La police a arrêté deux suspects après l'incendie.",
     {"police": "police", "arrested": "arrêté", "two": "deux", "suspects": "suspects", "fire": "incendie"}),
    ("Le tribunal a condamné l'ancien maire à deux ans de prison.",
     {"court": "tribunal", "condemned": "condamné", "ancient": "ancien", "mayor": "maire", "years": "ans"}),
    ("Les enseignants réclament de meilleurs salaires.",
     {"demand": "réclament", "better": "meilleurs", "salaries": "salaires"}),
    ("La banque centrale a maintenu ses taux d'intérêt.",
     {"central": "centrale", "bank": "banque", "maintained": "maintenu", "taxes": "taux", "interest": "intérêt"}),
]


def fixture_accuracy(engine) -> tuple[int, int]:
    from tests.fixture_models import training_examples

    examples = training_examples()
    outs = engine.translate([fr for fr, _, _ in examples])
    checked = correct = 0
    for (french, english, gold), out in zip(examples, outs):
        words = french.split()
        # Links come in English word order, one per word, as the test suite checks.
        for link, gold_index in zip(out.links, gold):
            checked += 1
            correct += french[link.source_start:link.source_end] == words[gold_index]
    return correct, checked


def apertium_scores(engine) -> tuple[int, int, int]:
    outs = engine.translate([s for s, _ in APERTIUM_GOLD])
    gold_total = linked = correct = 0
    for (french, gold), out in zip(APERTIUM_GOLD, outs):
        links = {out.text[l.target_start:l.target_end]: french[l.source_start:l.source_end] for l in out.links}
        for en_word, fr_word in gold.items():
            gold_total += 1
            if en_word in links:
                linked += 1
                correct += links[en_word] == fr_word
    return correct, linked, gold_total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny-model", help="a fixture model already built (default: build one, ~30 s)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    from mtcheck.engines.apertium import ApertiumEngine
    from mtcheck.lang.apertium import apertium_problem
    from mtcheck.engines.ct2 import CT2Engine
    from mtcheck.engines.hf import HFEngine

    work = Path(tempfile.mkdtemp(prefix="mtcheck-align-"))
    if args.tiny_model:
        model = Path(args.tiny_model)
    else:
        from tests.fixture_models import build_tiny_marian

        model = build_tiny_marian(work / "tiny")
    rows = []
    for name, engine in [
        ("hf (fixture model)", HFEngine(str(model), beam_size=1, local_files_only=True)),
        ("ct2 float32 (fixture model)", CT2Engine(str(model), beam_size=1, compute_type="float32", cache_dir=work)),
        ("ct2 int8 (fixture model)", CT2Engine(str(model), beam_size=1, compute_type="int8", cache_dir=work)),
    ]:
        correct, checked = fixture_accuracy(engine)
        rows.append(f"| {name} | {correct}/{checked} = {correct / checked:.1%} | – |")
    if apertium_problem() is None:
        correct, linked, total = apertium_scores(ApertiumEngine())
        rows.append(f"| apertium (12 hand-aligned news sentences) | {correct}/{linked} = {correct / linked:.1%} "
                    f"| {correct}/{total} = {correct / total:.1%} |")
    lines = ["## Source alignment (issue #3)", "", "Command: `python benchmarks/alignment.py`", "",
             "| engine | links to the right French word | gold words linked correctly (coverage) |",
             "| --- | ---: | ---: |", *rows, "",
             "Fixture: English words of the fixture model's training grid linked to their gold French word "
             "(cross-attention of layer −2, all heads, for hf; the same heads through CTranslate2's "
             "return_attention for ct2). Apertium: its lexical units, read from a word-by-word gloss run "
             "beside the translation; a word the gloss cannot place gets no link rather than a wrong one, "
             "which is why coverage is below precision. Real opus-mt attention is noisier than the fixture's "
             "guided attention; it could not be measured here (no hub access)."]
    print("\n".join(lines))
    if not args.no_write:
        from _results import write_section

        write_section("alignment", "\n".join(lines))


if __name__ == "__main__":
    main()
