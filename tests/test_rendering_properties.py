"""Properties on arbitrary Unicode (brackets, control characters, RTL overrides, very long tokens):
the aligner always gives well-formed alignments, and the table, JSON and HTML renderings of any
report show article text as text, never as markup, and never crash.

Reports are assembled from the real segmenter, aligner and scorer with generated
back-translations and flags (an engine per generated example would make the test minutes long).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtcheck.align import ReferenceAligner
from mtcheck.detectors.merge import merge_flags
from mtcheck.report import ArticleReport, RunSignature
from mtcheck.report.table import printable, render_table
from mtcheck.score import Scorer
from mtcheck.segment import FrenchSegmenter
from mtcheck.types import BackTranslation, Category, Flag, Reference, Severity

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "mtcheck/resources/schema/report.schema.json")
                    .read_text(encoding="utf-8"))
_HOSTILE = ["[sic]", "[/]", "[bold red]", "[link=http://x]", "<script>alert(1)</script>", "<b>", "&amp;", "\u202e",
            "\u202d", "\u200f", "\x1b[31m", "\x00", "\x07", "\r", "\t", "{{ x }}", "{% if %}", "${x}", "%s", "\\",
            '"', "'", "«", "»", "\u00ad", "\u2060", "\ufeff"]
_pieces = st.one_of(st.text(max_size=20), st.sampled_from(_HOSTILE),
                    st.text(alphabet="abcdéèàçœ", min_size=60, max_size=250),  # a very long token
                    st.sampled_from(["Le président a parlé. ", "Il a dit : « Merci. » ", "\n\n", ". ", " "]))
_texts = st.lists(_pieces, min_size=1, max_size=12).map("".join).filter(lambda t: t.strip())
_english = st.lists(st.one_of(st.text(max_size=15), st.sampled_from(_HOSTILE),
                              st.sampled_from(["The president spoke.", "Thank you", " "])),
                    min_size=1, max_size=6).map("".join)
_SIGNATURE = RunSignature(mtcheck="test", segmenter="seg", engine="generated", detectors=("generated",),
                          aligner="chrF", sacrebleu="2", metrics={})


@st.composite
def reports(draw) -> ArticleReport:
    text = draw(_texts)
    segments = FrenchSegmenter().segment(text)
    back = [BackTranslation(segment=s, text=draw(_english), engine="generated") for s in segments]
    refs = [Reference(id=f"r{i}{draw(st.sampled_from(['', '[x]', '<i>', ' ']))}", text=t)
            for i, t in enumerate(draw(st.lists(_english.filter(str.strip), max_size=3)))]
    alignments = ReferenceAligner().align(back, refs)
    pairs = Scorer().pair_scores(alignments)
    raw_flags = []
    for start, length in draw(st.lists(st.tuples(st.integers(0, len(text)), st.integers(1, 30)), max_size=6)):
        end = min(len(text), start + length)
        raw_flags.append(Flag(start=start, end=end, text=text[start:end], category=draw(st.sampled_from(list(Category))),
                              severity=draw(st.sampled_from(list(Severity))), message=draw(_english),
                              detector="generated", evidence={"back_translation": draw(_english)},
                              suggestion=draw(_english)))
    return ArticleReport(article_id=draw(st.sampled_from(["a", "[id]", "<id>", "=1+1"])), text=text,
                         segments=tuple(segments), back_translations=tuple(back), alignments=tuple(alignments),
                         pairs=tuple(pairs), scores=Scorer().corpus_scores(pairs),
                         flags=tuple(merge_flags(raw_flags, text)), signature=_SIGNATURE)


_PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROPERTY
@given(_texts, st.lists(_english, max_size=6), st.lists(_english.filter(str.strip), max_size=4))
def test_alignments_are_well_formed_on_any_text(text, translations, references):
    segments = FrenchSegmenter().segment(text)
    back = [BackTranslation(segment=s, text=translations[i % len(translations)] if translations else "",
                            engine="generated") for i, s in enumerate(segments)]
    refs = [Reference(id=f"r{i}", text=t) for i, t in enumerate(references)]
    alignments = ReferenceAligner().align(back, refs)
    assert [a.reference.id for a in alignments] == [r.id for r in refs]
    for alignment in alignments:
        assert 0 <= alignment.similarity <= 100
        for rendering in alignment.renderings:
            covered = [segments[i] for i in rendering.segment_indices]
            assert covered and list(rendering.segment_indices) == sorted(rendering.segment_indices)
            assert rendering.start == covered[0].start and rendering.end == covered[-1].end
            assert 0 <= rendering.similarity <= 100
    for pair in Scorer().pair_scores(alignments):
        assert all(v == v for v in pair.metrics.values())  # no NaN


def _compact(text: str) -> str:
    """What a reader can compare: no whitespace, no control or invisible format characters."""
    return "".join(ch for ch in text if ch.isprintable() and not ch.isspace() and ch not in "\u00ad\u2060\ufeff")


@_PROPERTY
@given(reports())
def test_the_table_prints_every_sentence_as_written(report):
    report.to_table()  # at the terminal's width: a MarkupError or any other exception fails the property
    table = render_table(report, width=5000)  # wide enough that rich folds no word
    assert "\x1b" not in table, "a terminal escape from the text reached the output"
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", table), "a control character reached the output"
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", table), "a bidirectional override reached the output"
    flat = _compact(table.replace("│", "").replace("┃", ""))
    for seg in report.segments:
        # Rich wraps a cell over lines at spaces; every word is whole. Controls show as signs.
        for word in printable(seg.text).split():
            assert _compact(word) in flat, (word, table)


@_PROPERTY
@given(reports())
def test_json_keeps_every_string_exactly_and_follows_the_schema(report):
    data = json.loads(report.to_json())
    jsonschema.validate(data, SCHEMA)
    assert [s["text"] for s in data["segments"]] == [s.text for s in report.segments]
    assert [b["back_translation"] for b in data["segments"]] == [b.text for b in report.back_translations]
    for flag in data["flags"]:
        assert report.text[flag["start"] : flag["end"]] == flag["text"]
    records = [json.loads(json.dumps(r)) for r in report.jsonl_records()]
    assert [r["type"] for r in records] == ["segment"] * len(report.segments) + ["flag"] * len(report.flags)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.data: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, _ in attrs:
            self.tags.add(f"{tag}@{name}")

    def handle_data(self, data):
        self.data.append(data)


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


_PLAIN_TAGS = _parse(ArticleReport(
    article_id="a", text="Le président a parlé. Il a dit merci.",
    segments=tuple(FrenchSegmenter().segment("Le président a parlé. Il a dit merci.")), back_translations=(),
    alignments=(), pairs=(), scores={}, flags=(Flag(0, 2, "Le", Category.FLUENCY, Severity.MAJOR, "m", "d"),),
    signature=_SIGNATURE)._repr_html_()).tags


@_PROPERTY
@given(reports())
def test_html_shows_article_text_as_text_never_as_tags(report):
    page = _parse(report._repr_html_())
    markup = {t for t in page.tags if "@" not in t} | {t.split("@")[1] for t in page.tags if "@" in t}
    allowed = {t for t in _PLAIN_TAGS if "@" not in t} | {t.split("@")[1] for t in _PLAIN_TAGS if "@" in t}
    # The template's own tags and attributes (a flag's title, data- offsets), nothing the text adds.
    extra = markup - allowed - {"title", "data-start", "data-end", "data-segment", "data-severity"}
    assert not extra, extra
    shown = _compact("".join(page.data))
    for flag in report.flags:
        assert _compact(flag.text) in shown
