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


def test_references_exported_from_a_spreadsheet_as_csv_are_read_as_columns(tmp_path):
    """A CSV used to be read as plain text: its header became a reference ("id,text") and every
    quote kept its id and quotes glued on. Commas inside a quoted cell stay in the quote."""
    with_header = tmp_path / "refs.csv"
    with_header.write_text('id,text,speaker\nq1,"Give us the weapons, he said.",Zelensky\nq2,It rains.,\n',
                           encoding="utf-8")
    assert [(r.id, r.text, r.speaker) for r in read_references(with_header)] == [
        ("q1", "Give us the weapons, he said.", "Zelensky"), ("q2", "It rains.", None)]
    without_header = tmp_path / "plain.csv"
    without_header.write_text('q1,"Hot, very hot."\n', encoding="utf-8")
    assert [(r.id, r.text) for r in read_references(without_header)] == [("q1", "Hot, very hot.")]
    unquoted = tmp_path / "unquoted.csv"
    unquoted.write_text("q1,Hot, very hot.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"unquoted\.csv:1: expected 2 comma-separated columns"):
        read_references(unquoted)


def test_duplicate_reference_ids_are_refused(tmp_path):
    path = tmp_path / "refs.jsonl"
    path.write_text('{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="duplicate reference id"):
        read_references(path)
