"""Folders: recursive, sorted, hidden entries skipped, include/exclude globs, bad files reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedrag.ingest import Skipped, chunk_document, load_path


@pytest.fixture
def tree(write, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    for name in ["b.txt", "a.md", "sub/c.txt", "sub/deep/d.md", "drafts/e.md", ".hidden.txt", ".git/config.txt"]:
        write(name, f"text of {name}")
    return tmp_path


def _ids(root: Path, **options: object) -> list[str]:
    return [i.id for i in load_path(root, **options) if not isinstance(i, Skipped)]  # type: ignore[arg-type]


def test_folder_is_walked_recursively_in_sorted_order(tree: Path) -> None:
    assert _ids(tree) == ["a.md", "b.txt", "drafts/e.md", "sub/c.txt", "sub/deep/d.md"]


def test_hidden_files_and_folders_are_skipped(tree: Path) -> None:
    assert not any(i.startswith(".") or "/." in i for i in _ids(tree))


def test_ids_are_relative_posix_paths_and_source_is_the_path_as_given(tree: Path) -> None:
    docs = list(load_path(tree / "sub"))
    assert [(d.id, d.source) for d in docs] == [  # type: ignore[union-attr]
        ("c.txt", str(tree / "sub" / "c.txt")),
        ("deep/d.md", str(tree / "sub" / "deep" / "d.md")),
    ]


def test_include_patterns_match_names_at_any_depth(tree: Path) -> None:
    assert _ids(tree, include=["*.md"]) == ["a.md", "drafts/e.md", "sub/deep/d.md"]


def test_include_patterns_with_a_slash_match_the_relative_path(tree: Path) -> None:
    assert _ids(tree, include=["sub/**/*.md"]) == ["sub/deep/d.md"]


def test_exclude_patterns_drop_files_and_folders(tree: Path) -> None:
    assert _ids(tree, exclude=["drafts", "b.*"]) == ["a.md", "sub/c.txt", "sub/deep/d.md"]


def test_exclude_wins_over_include(tree: Path) -> None:
    assert _ids(tree, include=["*.md"], exclude=["drafts/**"]) == ["a.md", "sub/deep/d.md"]


def test_single_file_id_is_its_name(tree: Path) -> None:
    assert _ids(tree / "sub" / "deep" / "d.md") == ["d.md"]


def test_bad_files_are_reported_and_the_rest_of_the_batch_loads(write, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write("1-good.txt", "good")
    write("2-binary.txt", b"\x00\x01\x02")
    write("3-empty.md", "")
    write("4-latin.txt", b"\xff")
    write("5-good.md", "# also good")
    items = list(load_path(tmp_path))
    assert [type(i).__name__ for i in items] == ["Document", "Skipped", "Skipped", "Skipped", "Document"]


def test_loading_is_deterministic(tree: Path) -> None:
    assert list(load_path(tree)) == list(load_path(tree))


def test_huge_single_line_loads_and_chunks(write, minilm) -> None:  # type: ignore[no-untyped-def]
    words = ("alpha beta gamma delta epsilon zeta eta theta iota kappa " * 90_000)[:5_000_000]
    path = write("huge.txt", words)
    [doc] = list(load_path(path))
    chunks = chunk_document(doc, minilm)  # type: ignore[arg-type]
    assert len(doc.text) == 5_000_000
    assert chunks[-1].end == len(doc.text.rstrip())
    assert max(c.tokens for c in chunks) <= 254
