from mtcheck.align import ReferenceAligner
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


@needs_apertium
def test_sample_alignment(sample_report_apertium):
    by_id = {a.reference.id: a for a in sample_report_apertium.alignments}
    assert by_id["zel-x-1"].segment_indices == (3, 7)  # the tweet, rendered twice
    assert by_id["rtr-u1"].segment_indices == (6,)  # "armes artificielles"
    for absent in ("rtr-u7", "rtr-u8", "rtr-3"):
        assert not by_id[absent].found
