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
