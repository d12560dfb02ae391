import subprocess
import sys

import pytest

from mtcheck.score import Scorer
from mtcheck.types import Alignment, Reference, Rendering

HYPS = ["This has been transmitted by the president after the administration authorised his artificial arms.",
        "The missiles will speak by themselves."]
REFS = ["President Joe Biden's administration has allowed Ukraine to use U.S.-made weapons.",
        "The missiles will speak for themselves."]


def _alignments():
    return [
        Alignment(Reference(id=f"r{i}", text=ref), (Rendering((i,), 0, 1, hyp, 50.0, "chrF:segment"),), 50.0)
        for i, (hyp, ref) in enumerate(zip(HYPS, REFS))
    ]


def _sacrebleu_cli(tmp_path, metric_args, hyps, refs, sentence=False):
    ref_file, hyp_file = tmp_path / "ref.txt", tmp_path / "hyp.txt"
    ref_file.write_text("\n".join(refs) + "\n", encoding="utf-8")
    hyp_file.write_text("\n".join(hyps) + "\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "sacrebleu", str(ref_file), "-i", str(hyp_file), "-b", "-w", "6", *metric_args]
    if sentence:
        cmd.append("--sentence-level")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return [float(line) for line in out.split()]


@pytest.mark.parametrize("metric,args", [
    ("bleu", ["-m", "bleu"]),
    ("chrf", ["-m", "chrf", "--chrf-word-order", "2"]),
    ("ter", ["-m", "ter"]),
])
def test_scores_equal_sacrebleu_command_line(tmp_path, metric, args):
    scorer = Scorer()
    pairs = scorer.pair_scores(_alignments())
    article = scorer.corpus_scores(pairs)
    assert article[metric].score == pytest.approx(_sacrebleu_cli(tmp_path, args, HYPS, REFS)[0], abs=0.01)
    # The command line's sentence-level BLEU uses effective order, as mtcheck's pair BLEU does.
    expected = _sacrebleu_cli(tmp_path, args, HYPS, REFS, sentence=True)
    assert [p.metrics[metric] for p in pairs] == pytest.approx(expected, abs=0.01)


def test_article_scores_carry_sacrebleu_signatures():
    scorer = Scorer()
    scores = scorer.corpus_scores(scorer.pair_scores(_alignments()))
    assert "tok:13a" in scores["bleu"].signature
    assert "nw:2" in scores["chrf"].signature
    assert "tercom" in scores["ter"].signature


def test_no_pairs_no_article_scores():
    assert Scorer().corpus_scores([]) == {}
