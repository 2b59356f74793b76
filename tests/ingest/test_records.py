"""JSONL and CSV records: chosen text, id and metadata fields; bad records skipped one by one."""

from __future__ import annotations

import json

from embedrag.ingest import Skipped, load_path


def _jsonl(*records: object) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def test_jsonl_record_ids_default_to_file_and_line(write, split) -> None:  # type: ignore[no-untyped-def]
    path = write("data.jsonl", _jsonl({"text": "first"}, {"text": "second"}))
    docs, skipped = split(list(load_path(path)))
    assert [(d.id, d.text, d.source) for d in docs] == [
        ("data.jsonl:1", "first", "data.jsonl:1"),
        ("data.jsonl:2", "second", "data.jsonl:2"),
    ]
    assert skipped == []


def test_jsonl_uses_the_chosen_text_id_and_metadata_fields(write, load_one) -> None:  # type: ignore[no-untyped-def]
    path = write("news.jsonl", _jsonl({"body": "Rates rise.", "uid": 42, "topic": "economy", "noise": 1}))
    doc = load_one(path, text_field="body", id_field="uid", metadata_fields=("topic", "absent"))
    assert (doc.id, doc.text) == ("42", "Rates rise.")
    assert doc.metadata["topic"] == "economy"
    assert "noise" not in doc.metadata
    assert "absent" not in doc.metadata
    assert (doc.metadata["line"], doc.metadata["path"], doc.metadata["suffix"]) == (1, str(path), ".jsonl")


def test_jsonl_line_without_the_field_is_skipped_and_others_load(write, split) -> None:  # type: ignore[no-untyped-def]
    path = write("mixed.jsonl", _jsonl({"text": "ok"}, {"title": "no text"}, {"text": "also ok"}))
    docs, skipped = split(list(load_path(path)))
    assert [d.text for d in docs] == ["ok", "also ok"]
    assert skipped == [Skipped(str(path), f"{path}: line 2 has no 'text' field", 2)]


def test_jsonl_invalid_json_line_is_skipped(write, split) -> None:  # type: ignore[no-untyped-def]
    path = write("bad.jsonl", '{"text": "ok"}\n{"text": \n')
    docs, skipped = split(list(load_path(path)))
    assert len(docs) == 1
    assert skipped[0].reason == f"{path}: line 2 is not valid JSON (Expecting value)"


def test_jsonl_invalid_utf8_line_names_the_byte_offset(write, split) -> None:  # type: ignore[no-untyped-def]
    path = write("latin.jsonl", b'{"text": "ok"}\n{"text": "caf\xe9"}\n')
    docs, skipped = split(list(load_path(path)))
    assert len(docs) == 1
    assert skipped[0].record == 2
    assert skipped[0].reason.startswith(f"{path}: line 2 is not valid UTF-8: byte 0xE9 at offset 28")


def test_jsonl_empty_text_and_missing_id_are_skipped(write, split) -> None:  # type: ignore[no-untyped-def]
    path = write("gaps.jsonl", _jsonl({"text": " ", "id": "a"}, {"text": "no id"}, {"text": "fine", "id": "c"}))
    docs, skipped = split(list(load_path(path, id_field="id")))
    assert [d.id for d in docs] == ["c"]
    assert [s.reason for s in skipped] == [
        f"{path}: line 1: 'text' is empty",
        f"{path}: line 2 has no 'id' id",
    ]


def test_jsonl_blank_lines_are_ignored_and_bare_strings_are_texts(write, split) -> None:  # type: ignore[no-untyped-def]
    docs, skipped = split(list(load_path(write("plain.jsonl", '"just a string"\n\n{"text": "x"}\n'))))
    assert [(d.id, d.text) for d in docs] == [("plain.jsonl:1", "just a string"), ("plain.jsonl:3", "x")]
    assert skipped == []


def test_csv_rows_become_documents_with_chosen_fields(write, split) -> None:  # type: ignore[no-untyped-def]
    path = write("rows.csv", 'id,body,lang\nr1,"Hello, world",en\nr2,"Two\nlines",fr\n')
    docs, skipped = split(list(load_path(path, text_field="body", id_field="id", metadata_fields=["lang"])))
    assert [(d.id, d.text, d.metadata["lang"], d.metadata["line"]) for d in docs] == [
        ("r1", "Hello, world", "en", 2),
        ("r2", "Two\nlines", "fr", 3),
    ]
    assert skipped == []


def test_csv_without_the_text_column_is_skipped(write, load_one) -> None:  # type: ignore[no-untyped-def]
    path = write("cols.csv", "a,b\n1,2\n")
    assert load_one(path) == Skipped(str(path), f"{path} has no 'text' column (columns: a, b)")


def test_csv_row_without_a_text_value_is_skipped(write, split) -> None:  # type: ignore[no-untyped-def]
    path = write("short.csv", "id,text\n1,fine\n2\n")
    docs, skipped = split(list(load_path(path)))
    assert [d.id for d in docs] == ["short.csv:2"]
    assert skipped == [Skipped(str(path), f"{path}: line 3 has no 'text' value", 3)]


def test_csv_row_with_more_fields_than_the_header_is_skipped(write, split) -> None:  # type: ignore[no-untyped-def]
    # An unquoted comma in a row: its fields no longer line up with the header (the extras were dropped).
    path = write("extra.csv", "id,text,lang\n1,fine,en\n2,Hello, world,en\n3,also fine,fr\n")
    docs, skipped = split(list(load_path(path, metadata_fields=["lang"])))
    assert [(d.text, d.metadata["lang"]) for d in docs] == [("fine", "en"), ("also fine", "fr")]
    assert skipped == [Skipped(str(path), f"{path}: line 3 has 4 fields, the header 3 (a comma not quoted?)", 3)]


def test_csv_with_an_unterminated_quote_says_where_reading_stopped(write, split) -> None:  # type: ignore[no-untyped-def]
    # The quote swallowed the rest of the file into one text, newlines and all.
    path = write("open.csv", 'id,text\n1,fine\n2,"never closed\n3,lost\n')
    docs, skipped = split(list(load_path(path)))
    assert [d.text for d in docs] == ["fine"]
    assert skipped == [
        Skipped(str(path), f"{path}: line 3 is not valid CSV (unexpected end of data); lines 3 on were not read", 3)
    ]
