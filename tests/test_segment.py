import pytest

from mtcheck.segment import segment

# (text, expected sentences): real news phrasing, one case per line.
CASES = [
    ("Le président est arrivé. Il a parlé.", ["Le président est arrivé.", "Il a parlé."]),
    ("M. Dupont est arrivé hier. Il a parlé.", ["M. Dupont est arrivé hier.", "Il a parlé."]),
    ("Il a une portée de 190 miles (306 km), selon la source. Fin.",
     ["Il a une portée de 190 miles (306 km), selon la source.", "Fin."]),
    ("« Je suis reconnaissant. C’est un effort mondial », a-t-il déclaré. Puis il est parti.",
     ["« Je suis reconnaissant.", "C’est un effort mondial », a-t-il déclaré.", "Puis il est parti."]),
    ("Titre sans point\n\nJAKARTA - Le texte commence ici.", ["Titre sans point", "JAKARTA - Le texte commence ici."]),
    ("Voir pic.twitter.com/4VZu4JpzxG\n\nSuite.", ["Voir pic.twitter.com/4VZu4JpzxG", "Suite."]),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_sentences(text, expected):
    assert [s.text for s in segment(text)] == expected


def test_offsets_index_the_original_text(sample):
    segments = segment(sample.text)
    for seg in segments:
        assert sample.text[seg.start : seg.end] == seg.text
    # Between segments there is only whitespace: nothing of the article is lost.
    cursor = 0
    for seg in segments:
        assert not sample.text[cursor : seg.start].strip()
        cursor = seg.end
    assert not sample.text[cursor:].strip()


def test_quotation_over_several_sentences_keeps_one_id(sample):
    segments = segment(sample.text)
    quoted = [s for s in segments if "Les missiles parleront" in s.text or "Encore une chose" in s.text]
    assert len(quoted) == 2
    assert quoted[0].quote is not None and quoted[0].quote == quoted[1].quote
    unquoted = next(s for s in segments if s.text.startswith("L’Ukraine prévoit"))
    assert unquoted.quote is None


def test_paragraphs_are_numbered(sample):
    segments = segment(sample.text)
    assert segments[0].paragraph == 0
    assert segments[-1].paragraph == sample.text.strip().count("\n\n")


def test_crlf_offsets():
    text = "Première phrase.\r\n\r\nDeuxième phrase. Troisième."
    segs = segment(text)
    assert [s.text for s in segs] == ["Première phrase.", "Deuxième phrase.", "Troisième."]
    assert all(text[s.start : s.end] == s.text for s in segs)
    assert [s.paragraph for s in segs] == [0, 1, 1]


# --- the gold set and invariants ---------------------------------------------------------

import json  # noqa: E402
from pathlib import Path  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

GOLD = [json.loads(line) for line in (Path(__file__).parent / "data" / "segmentation_fr.jsonl").read_text(encoding="utf-8").splitlines()]


def test_gold_set_covers_every_category_with_150_cases():
    assert len(GOLD) >= 150
    assert {c["category"] for c in GOLD} >= {
        "guillemets", "nested_quotes", "multi_sentence_quote", "attribution", "abbreviations", "numbers_units",
        "ellipsis", "dateline", "headline", "urls_handles", "lists", "paragraphs", "crlf", "nbsp_zero_width",
    }


def test_gold_set_boundary_f1():
    tp = predicted = gold = 0
    for case in GOLD:
        expected_ends, cursor = set(), 0
        for sentence in case["sentences"]:
            cursor = case["text"].index(sentence, cursor) + len(sentence)
            expected_ends.add(cursor)
        got_ends = {s.end for s in segment(case["text"])}
        tp += len(expected_ends & got_ends)
        predicted += len(got_ends)
        gold += len(expected_ends)
    precision, recall = tp / predicted, tp / gold
    assert 2 * precision * recall / (precision + recall) >= 0.98


_ALPHABET = "aàbcdeéèfgLMJ.U.S «»“”\"'’!?…,;:-–—()\n\r \u00a0\u202f\u200b\ufeff0123456789/@#"
_SPACE = set(" \t\r\n\u00a0\u202f\u2009\u2007\u200b\u200c\u200d\u2060\ufeff")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=300))
def test_segments_and_gaps_rebuild_any_input(text):
    segs = segment(text)
    cursor = 0
    for seg in segs:
        assert text[seg.start : seg.end] == seg.text and seg.text
        assert seg.start >= cursor
        assert all(ch in _SPACE for ch in text[cursor : seg.start])
        assert seg.text[0] not in _SPACE and seg.text[-1] not in _SPACE
        cursor = seg.end
    assert all(ch in _SPACE for ch in text[cursor:])
    assert [s.index for s in segs] == list(range(len(segs)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abc. «»!?", min_size=1, max_size=30), max_size=6))
def test_html_offsets_point_into_the_markup(paragraphs):
    markup = "<html><body>" + "".join(f"<p class='x'>{p}</p>" for p in paragraphs) + "</body></html>"
    previous_end = 0
    for seg in segment(markup, "html"):
        assert 0 <= seg.start < seg.end <= len(markup) and seg.start >= previous_end
        assert seg.text[0] == markup[seg.start] and seg.text[-1] == markup[seg.end - 1]
        previous_end = seg.end


def test_html_input_keeps_visible_text_and_original_offsets():
    markup = "<p>Le <b>président</b> est arrivé. Il a dit &laquo;&nbsp;oui&nbsp;&raquo;.</p><script>x = 'A. B';</script>"
    segs = segment(markup, "html")
    assert [s.text for s in segs] == ["Le président est arrivé.", "Il a dit «\u00a0oui\u00a0»."]
    assert markup[segs[0].start : segs[0].end] == "Le <b>président</b> est arrivé."


def test_markdown_input():
    text = "# Titre\n\nLe **président** a [dit](https://x.fr) oui. Il est _parti_."
    segs = segment(text, "markdown")
    assert [s.text for s in segs] == ["Titre", "Le président a dit oui.", "Il est parti."]
    assert text[segs[1].start : segs[1].end] == "Le **président** a [dit](https://x.fr) oui."
