import pytest

from mtcheck.corpus import read_article, read_references
from mtcheck.errors import InputError


def test_sample_folder_reads_article_and_references(sample):
    assert sample.id == "ukraine-atacms"
    assert "armes artificielles" in sample.text
    assert len(sample.references) == 21
    assert sample.references[0].id == "zel-x-1"


def test_missing_file_is_named(tmp_path):
    with pytest.raises(InputError, match="missing.txt: no such file"):
        read_article(tmp_path / "missing.txt")


def test_empty_article_names_file_and_line(tmp_path):
    path = tmp_path / "empty.fr.txt"
    path.write_text("  \n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_article(path)
    assert err.value.path == str(path) and err.value.line == 1


def test_latin1_article_is_detected(tmp_path):
    path = tmp_path / "latin.fr.txt"
    path.write_bytes("Première ligne.\nL'été arrive.".encode("cp1252"))
    with pytest.raises(InputError, match="Windows-1252") as err:
        read_article(path)
    assert err.value.line == 1


def test_bom_is_dropped(tmp_path):
    path = tmp_path / "bom.fr.txt"
    path.write_bytes("\ufeffBonjour.".encode("utf-8"))
    assert read_article(path).text == "Bonjour."


def test_malformed_jsonl_names_the_line(tmp_path):
    path = tmp_path / "refs.jsonl"
    path.write_text('{"id": "a", "text": "Hello."}\n\n{"id": "b", text}\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_references(path)
    assert err.value.line == 3 and "malformed JSON" in str(err.value)


def test_jsonl_line_without_text(tmp_path):
    path = tmp_path / "refs.jsonl"
    path.write_text('{"id": "a"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"refs.jsonl:1: missing"):
        read_references(path)


def test_tsv_and_plain_text_references(tmp_path):
    tsv = tmp_path / "refs.tsv"
    tsv.write_text("q1\tThe missiles will speak for themselves.\nq2\tThese things are not announced.\n", encoding="utf-8")
    assert [r.id for r in read_references(tsv)] == ["q1", "q2"]
    txt = tmp_path / "refs.txt"
    txt.write_text("First quote.\n\nSecond quote.\n", encoding="utf-8")
    assert [r.text for r in read_references(txt)] == ["First quote.", "Second quote."]
    bad = tmp_path / "bad.tsv"
    bad.write_text("only-one-column\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.tsv:1"):
        read_references(bad)


def test_duplicate_reference_ids_are_refused(tmp_path):
    path = tmp_path / "refs.jsonl"
    path.write_text('{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="duplicate reference id"):
        read_references(path)
