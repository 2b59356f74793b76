"""``embedrag ingest --sync`` end to end: it removes only documents whose files are gone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

MODEL = "tokenlearn-static-64"  # a fast encoder: these tests are about what sync keeps
TOPICS = ("cats", "stocks", "bread", "tennis", "rain", "trains", "music", "chess", "gardens")


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    root.mkdir()
    for number, topic in enumerate(TOPICS, start=1):
        (root / f"{number:03}.txt").write_text(f"Note {number} is about {topic} and nothing else.\n", encoding="utf-8")
    return root


def _ingest(cli, *args: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    result = cli("ingest", *args, "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


def _documents(cli, collection: Path) -> int:  # type: ignore[no-untyped-def]
    return int(json.loads(cli("stats", "-c", str(collection), "--json").out)["documents"])


def test_sync_of_a_folder_that_does_not_exist_is_an_error_and_removes_nothing(cli, docs: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    collection = tmp_path / "c1"
    assert _ingest(cli, str(docs), "-c", str(collection), "--model", MODEL)["added"] == 9
    docs.rename(tmp_path / "x")  # renamed, or a drive that is not mounted
    result = cli("ingest", str(docs), "-c", str(collection), "--sync")
    assert result.code == 1
    last = result.err.strip().splitlines()[-1]
    assert last == f"error: cannot sync {docs}: it does not exist (nothing was added or removed)"
    assert _documents(cli, collection) == 9


def test_ingest_without_sync_still_skips_a_missing_path(cli, docs: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = _ingest(cli, str(docs), str(tmp_path / "nope"), "-c", str(tmp_path / "c1"), "--model", MODEL)
    assert report["added"] == 9
    assert [s["reason"] for s in report["skipped"]] == [f"{tmp_path / 'nope'} does not exist"]


def test_sync_with_a_narrower_include_keeps_files_it_did_not_select(cli, docs: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    collection = tmp_path / "c1"
    _ingest(cli, str(docs), "-c", str(collection), "--model", MODEL)
    report = _ingest(cli, str(docs), "-c", str(collection), "--sync", "--include", "001.txt")
    assert (report["unchanged"], report["removed"]) == (1, 0)
    assert _documents(cli, collection) == 9


def test_sync_with_an_include_removes_a_selected_file_that_is_gone(cli, docs: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    collection = tmp_path / "c1"
    _ingest(cli, str(docs), "-c", str(collection), "--model", MODEL)
    (docs / "002.txt").unlink()
    (docs / "003.txt").unlink()
    report = _ingest(cli, str(docs), "-c", str(collection), "--sync", "--include", "00[12].txt")
    assert report["removed"] == 1  # 003.txt is gone too, but this sync did not select it
    assert _documents(cli, collection) == 8


def test_sync_with_an_exclude_keeps_the_excluded_folder(cli, docs: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (docs / "drafts").mkdir()
    (docs / "drafts" / "plan.txt").write_text("A draft plan for the garden shed.\n", encoding="utf-8")
    collection = tmp_path / "c1"
    _ingest(cli, str(docs), "-c", str(collection), "--model", MODEL)
    report = _ingest(cli, str(docs), "-c", str(collection), "--sync", "--exclude", "drafts")
    assert report["removed"] == 0
    assert _documents(cli, collection) == 10


def test_sync_stores_a_duplicate_whose_original_it_removes(cli, docs: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (docs / "036.txt").write_text((docs / "003.txt").read_text(encoding="utf-8"), encoding="utf-8")
    collection = tmp_path / "c1"
    first = _ingest(cli, str(docs), "-c", str(collection), "--model", MODEL)
    assert [s["reason"] for s in first["skipped"]] == [f"{docs / '036.txt'} duplicates the content of '003.txt'"]
    (docs / "003.txt").unlink()
    report = _ingest(cli, str(docs), "-c", str(collection), "--sync")
    assert (report["added"], report["removed"], report["skipped"]) == (1, 1, [])
    hits = json.loads(cli("search", "bread", "-c", str(collection), "--mode", "bm25", "-k", "1", "--json").out)
    assert [h["id"] for h in hits] == ["036.txt#0"]


def test_sync_of_an_empty_folder_removes_nothing_and_says_how(cli, docs: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    collection = tmp_path / "c1"
    _ingest(cli, str(docs), "-c", str(collection), "--model", MODEL)
    for file in docs.iterdir():  # a drive not mounted leaves its mount point, empty
        file.rename(tmp_path / file.name)
    result = cli("ingest", str(docs), "-c", str(collection), "--sync")
    assert result.code == 1
    assert "the folder is empty" in result.err and "nothing was removed" in result.err
    assert f"embedrag delete --under {docs}" in result.err
    assert _documents(cli, collection) == 9
    deleted = cli("delete", "--under", str(docs), "-c", str(collection), "--json")
    assert deleted.code == 0, deleted.err
    assert json.loads(deleted.out)["removed"] == 9
    assert _documents(cli, collection) == 0


def test_delete_by_id_refuses_unknown_ids_and_deletes_nothing(cli, docs: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    collection = tmp_path / "c1"
    _ingest(cli, str(docs), "-c", str(collection), "--model", MODEL)
    refused = cli("delete", "001.txt", "nope.txt", "-c", str(collection))
    assert refused.code == 1 and "'nope.txt'" in refused.err and "nothing was deleted" in refused.err
    assert _documents(cli, collection) == 9
    done = cli("delete", "001.txt", "002.txt", "-c", str(collection))
    assert done.code == 0 and "2 removed" in done.out
    assert _documents(cli, collection) == 7
    assert cli("delete", "-c", str(collection)).code == 1


def _search(cli, collection: Path, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    result = cli("search", query, "-c", str(collection), "--mode", "bm25", "--json")
    assert result.code == 0, result.err
    return [hit["id"] for hit in json.loads(result.out)]


def test_a_file_edited_into_a_copy_of_another_loses_its_old_text(cli, docs: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    collection = tmp_path / "c1"
    _ingest(cli, str(docs), "-c", str(collection), "--model", MODEL)
    (docs / "001.txt").write_text((docs / "002.txt").read_text(encoding="utf-8"), encoding="utf-8")
    report = _ingest(cli, str(docs), "-c", str(collection))
    assert [s["reason"] for s in report["skipped"]] == [f"{docs / '001.txt'} duplicates the content of '002.txt'"]
    assert report["removed"] == 1
    assert _search(cli, collection, "cats") == []  # 001.txt no longer says it: it was served as its text
    assert _documents(cli, collection) == 8


def test_a_file_ingested_from_two_folders_is_not_left_behind_with_its_old_text(cli, docs: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (docs / "sub").mkdir()
    (docs / "sub" / "walrus.txt").write_text("Walruses sleep on the ice.\n", encoding="utf-8")
    collection = tmp_path / "c1"
    _ingest(cli, str(docs / "sub"), "-c", str(collection), "--model", MODEL)  # id walrus.txt
    _ingest(cli, str(docs), "-c", str(collection))  # sub/walrus.txt: a duplicate of walrus.txt
    (docs / "sub" / "walrus.txt").write_text("Walruses dive for clams.\n", encoding="utf-8")
    _ingest(cli, str(docs), "-c", str(collection))  # sub/walrus.txt added with the new text
    report = _ingest(cli, str(docs / "sub"), "-c", str(collection))  # walrus.txt: now a duplicate
    assert report["removed"] == 1
    assert _search(cli, collection, "ice") == []
    assert _search(cli, collection, "clams") == ["sub/walrus.txt#0"]


def test_a_sync_counts_the_old_text_it_drops_with_the_files_that_are_gone(cli, docs: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    collection = tmp_path / "c1"
    _ingest(cli, str(docs), "-c", str(collection), "--model", MODEL)
    (docs / "001.txt").write_text((docs / "002.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (docs / "003.txt").unlink()
    assert _ingest(cli, str(docs), "-c", str(collection), "--sync")["removed"] == 2
    assert _documents(cli, collection) == 7


@pytest.mark.parametrize("sync", [False, True])
def test_two_files_that_swap_their_texts_keep_both_texts_each_under_its_file(
    cli, docs: Path, tmp_path: Path, sync: bool
) -> None:  # type: ignore[no-untyped-def]
    collection = tmp_path / "c1"
    _ingest(cli, str(docs), "-c", str(collection), "--model", MODEL)
    first, second = docs / "001.txt", docs / "002.txt"
    texts = first.read_text(encoding="utf-8"), second.read_text(encoding="utf-8")
    first.write_text(texts[1], encoding="utf-8")
    second.write_text(texts[0], encoding="utf-8")
    report = _ingest(cli, str(docs), "-c", str(collection), *(["--sync"] if sync else []))
    assert report["skipped"] == []
    assert _search(cli, collection, "cats") == ["002.txt#0"]
    assert _search(cli, collection, "stocks") == ["001.txt#0"]
    assert _documents(cli, collection) == 9


def test_a_sync_from_another_folder_or_spelling_finds_gone_files(cli, docs: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Stored paths were as typed ("docs/003.txt"): from another working folder, or with the folder
    # spelled another way, a sync saw none of them under its path and removed nothing.
    collection = tmp_path / "c1"
    monkeypatch.chdir(tmp_path)
    _ingest(cli, "docs", "-c", str(collection), "--model", MODEL)
    (docs / "003.txt").unlink()
    monkeypatch.chdir(docs)
    assert _ingest(cli, ".", "-c", str(collection), "--sync")["removed"] == 1
    (docs / "004.txt").unlink()
    monkeypatch.chdir("/")
    assert _ingest(cli, str(docs / ".." / "docs"), "-c", str(collection), "--sync")["removed"] == 1
    assert _documents(cli, collection) == 7


def test_a_folder_of_the_same_name_elsewhere_replaces_nothing(cli, docs: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # "docs/001.txt" stored from one working folder was taken for the file of that name in another.
    collection = tmp_path / "c1"
    monkeypatch.chdir(tmp_path)
    _ingest(cli, "docs", "-c", str(collection), "--model", MODEL)
    other = tmp_path / "elsewhere"
    (other / "docs").mkdir(parents=True)
    (other / "docs" / "001.txt").write_text("Something else entirely about volcanoes.\n", encoding="utf-8")
    monkeypatch.chdir(other)
    report = _ingest(cli, "docs", "-c", str(collection))
    assert [s["reason"] for s in report["skipped"]] == [
        f"docs/001.txt: its id '001.txt' already belongs to {docs / '001.txt'}"
    ]
    assert _search(cli, collection, "cats") == ["001.txt#0"]
    assert _search(cli, collection, "volcanoes") == []
