import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sacrebleu.metrics import CHRF

from mtcheck.align import CachedCHRF, ReferenceAligner
from mtcheck.segment import segment
from mtcheck.types import BackTranslation, Reference, Segment
from tests.conftest import needs_apertium


def _bts(sentences):
    out, cursor = [], 0
    for i, (fr, en) in enumerate(sentences):
        seg = Segment(index=i, text=fr, start=cursor, end=cursor + len(fr), paragraph=i)
        out.append(BackTranslation(segment=seg, text=en, engine="test"))
        cursor += len(fr) + 1
    return out


BTS = _bts([
    ("Le ministre est arrivé.", "The minister has arrived."),
    ("Les missiles parleront d'eux-mêmes.", "The missiles will speak for themselves."),
    ("Il pleut à Paris.", "It is raining in Paris."),
    ("Les missiles parlent d'eux-mêmes.", "The missiles speak for themselves."),
])


def test_reference_rendered_twice_lists_both_segments():
    ref = Reference(id="r1", text="The missiles will speak for themselves.")
    (alignment,) = ReferenceAligner().align(BTS, [ref])
    assert alignment.segment_indices == (1, 3)
    assert len(alignment.renderings) == 2 and "2 times" in alignment.note


def test_reference_rendered_nowhere_is_not_found():
    ref = Reference(id="r2", text="The White House declined to comment on the decision.")
    (alignment,) = ReferenceAligner().align(BTS, [ref])
    assert not alignment.found and alignment.segment_indices == ()
    assert alignment.note == "not found in the article"


def test_order_does_not_matter():
    refs = [Reference(id="late", text="It is raining in Paris."), Reference(id="early", text="The minister has arrived.")]
    late, early = ReferenceAligner().align(BTS, refs)
    assert late.segment_indices == (2,) and early.segment_indices == (0,)


GOLD = json.loads((Path(__file__).parent / "data" / "alignment_ukraine-atacms.json").read_text(encoding="utf-8"))


def test_gold_segments_start_with_the_hand_checked_french(sample):
    segments = segment(sample.text)
    for ref_id, gold in GOLD["rendered"].items():
        for index, french in zip(gold["segments"], gold["french"]):
            assert segments[index].text.startswith(french), ref_id


@needs_apertium
def test_sample_alignment_reproduces_the_hand_checked_file(sample_report_apertium):
    by_id = {a.reference.id: a for a in sample_report_apertium.alignments}
    for ref_id, gold in GOLD["rendered"].items():
        got = set(by_id[ref_id].segment_indices)
        assert set(gold["segments"]) <= got <= set(gold["segments"]) | set(gold.get("also", [])), ref_id
    for ref_id in GOLD["not_found"]:
        assert not by_id[ref_id].found and by_id[ref_id].note == "not found in the article"


def test_gap_between_aligned_neighbours_is_filled():
    bts = _bts([
        ("Premier.", "The minister has arrived in Kyiv today."),
        ("Deuxième.", "Strikes are spent by words."),
        ("Troisième.", "The missiles will speak for themselves."),
    ])
    refs = [Reference(id="a", text="The minister has arrived in Kyiv today."),
            Reference(id="b", text="But attacks are not carried out with speeches."),
            Reference(id="c", text="The missiles will speak for themselves.")]
    a, b, c = ReferenceAligner().align(bts, refs)
    assert b.segment_indices == (1,) and b.renderings[0].method.endswith("+gap")
    # Without aligned neighbours on both sides, a weak match stays unaligned.
    (lonely,) = ReferenceAligner().align(bts[1:2], refs[1:2])
    assert not lonely.found


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="abcd .", max_size=60) | st.text(max_size=60), min_size=1, max_size=4),
       st.lists(st.text(alphabet="abcd .", min_size=1, max_size=60) | st.text(min_size=1, max_size=60), min_size=1,
                max_size=3))
def test_chrf_matrix_equals_sacrebleu_for_every_pair(hypotheses, references):
    matrix = CachedCHRF().matrix(hypotheses, references)
    for i, hypothesis in enumerate(hypotheses):
        for j, reference in enumerate(references):
            assert matrix[i, j] == pytest.approx(CHRF().sentence_score(hypothesis, [reference]).score)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab c\u00a0\n."), max_size=40), st.data(),
       st.text(alphabet=st.sampled_from("abc ."), min_size=1, max_size=30))
def test_chrf_of_substrings_equals_sacrebleu_on_each_substring(text, data, reference):
    bounds = st.integers(min_value=0, max_value=len(text))
    spans = [tuple(sorted(data.draw(st.tuples(bounds, bounds)))) for _ in range(3)]
    scores = CachedCHRF().substring_scores(text, spans, reference)
    for (start, end), score in zip(spans, scores):
        assert score == pytest.approx(CHRF().sentence_score(text[start:end], [reference]).score)


SPEECH = Reference(id="speech", text=(
    "We have received the first deliveries of the new air defence systems this week. "
    "Our soldiers are already learning to use them near the front line. "
    "I thank every partner who made this possible, and I ask them not to stop now. "
    "Winter is coming, and our cities need protection from the missiles and drones that Russia launches every night. "
    "Every system we receive saves the lives of children, of doctors, of engineers who keep the lights on. "
    "We will keep asking, because we have no other choice."))


def test_a_speech_quoted_by_one_sentence_is_aligned_with_that_sentence():
    bts = _bts([
        ("Le président a parlé mardi soir.", "The president spoke on Tuesday evening."),
        ("Nos soldats apprennent déjà à les utiliser près de la ligne de front.",
         "Our soldiers are already learning to use them near the front line."),
        ("Il pleut à Kiev.", "It is raining in Kyiv."),
    ])
    (whole,) = ReferenceAligner().align(bts, [SPEECH])
    # Against the whole speech the quoted sentence scores below even the weak bar; against its sentence, far above.
    assert CHRF().sentence_score(bts[1].text, [SPEECH.text]).score < ReferenceAligner().weak_threshold
    assert whole.segment_indices == (1,)
    (rendering,) = whole.renderings
    assert rendering.reference_part == "Our soldiers are already learning to use them near the front line."
    assert whole.rendered_text(rendering) == rendering.reference_part and "sentence 2" in whole.note
    from mtcheck.score import Scorer

    (pair,) = Scorer().pair_scores([whole])
    assert pair.reference == rendering.reference_part and pair.metrics["chrf"] > 90


def test_a_speech_none_of_whose_sentences_is_rendered_stays_not_found():
    (alignment,) = ReferenceAligner().align(BTS, [SPEECH])
    assert not alignment.found


def test_a_segment_another_reference_claims_is_not_given_to_a_speech_sentence():
    bts = _bts([("Nos soldats apprennent déjà à les utiliser près de la ligne de front.",
                 "Our soldiers are already learning to use them near the front line.")])
    claimer = Reference(id="claim", text="Our soldiers are already learning to use them near the front.")
    speech, claim = ReferenceAligner().align(bts, [SPEECH, claimer])
    assert claim.segment_indices == (0,) and not speech.found
