from mtcheck.detectors.merge import merge_flags
from mtcheck.types import Category, Flag, Severity

TEXT = "les Patriotes se mettent au chômage dans les entrepôts"


def _flag(start, end, severity, detector, confidence=0.5):
    return Flag(start=start, end=end, text=TEXT[start:end], category=Category.MISTRANSLATION,
                severity=severity, message="m", detector=detector, confidence=confidence)


def test_overlapping_flags_merge_into_the_union_with_the_highest_severity():
    merged = merge_flags([_flag(4, 13, Severity.MINOR, "a"), _flag(10, 35, Severity.MAJOR, "b", 0.9)], TEXT)
    (flag,) = merged
    assert (flag.start, flag.end) == (4, 35) and flag.text == TEXT[4:35]
    assert flag.severity is Severity.MAJOR and flag.detector == "b" and flag.confidence == 0.9
    assert flag.evidence["also_flagged_by"] == "a"


def test_disjoint_flags_are_ranked_most_serious_first():
    merged = merge_flags([_flag(0, 3, Severity.MINOR, "a"), _flag(45, 54, Severity.CRITICAL, "b")], TEXT)
    assert [f.severity for f in merged] == [Severity.CRITICAL, Severity.MINOR]


def test_touching_spans_stay_apart():
    merged = merge_flags([_flag(0, 3, Severity.MINOR, "a"), _flag(3, 13, Severity.MINOR, "b")], TEXT)
    assert len(merged) == 2


def test_of_equally_serious_flags_the_one_covering_the_union_leads_so_its_suggestion_fits_the_span():
    word = _flag(14, 24, Severity.MAJOR, "word", confidence=0.9)  # "se mettent"
    clause = _flag(4, 24, Severity.MAJOR, "clause", confidence=0.6)  # "Patriotes se mettent"
    (flag,) = merge_flags([word, clause], TEXT)
    assert flag.detector == "clause" and (flag.start, flag.end) == (4, 24)
    assert flag.confidence == 0.9 and flag.evidence["also_flagged_by"] == "word"
