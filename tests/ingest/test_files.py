"""Reading one file: content hashes and every reason a file is skipped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from embedrag._identity import content_hash
from embedrag.ingest import Skipped, load_path
from embedrag.types import Document


def test_content_hash_is_sha256_of_utf8_text() -> None:
    assert content_hash("café") == "850f7dc43910ff890f8879c0ed26fe697c93a067ad93a7d50f466a7028a9bf4e"


def test_content_hash_differs_when_the_text_changes() -> None:
    assert content_hash("a") != content_hash("a ")


def test_binary_file_is_skipped_with_the_nul_offset(write, load_one) -> None:  # type: ignore[no-untyped-def]
    path = write("image.txt", b"GIF89a\x00\x01")
    item = load_one(path)
    assert isinstance(item, Skipped)
    assert item.reason == f"{path} is binary (NUL byte at offset 6)"


def test_invalid_utf8_is_skipped_naming_file_and_byte_offset(write, load_one) -> None:  # type: ignore[no-untyped-def]
    path = write("latin1.txt", b"fine\n" + b"caf\xe9 au lait")
    item = load_one(path)
    assert isinstance(item, Skipped)
    assert item.reason.startswith(f"{path} is not valid UTF-8: byte 0xE9 at offset 8")


def test_empty_file_is_skipped(write, load_one) -> None:  # type: ignore[no-untyped-def]
    path = write("empty.txt", "")
    assert load_one(path) == Skipped(str(path), f"{path} is empty")


def test_whitespace_only_file_is_skipped(write, load_one) -> None:  # type: ignore[no-untyped-def]
    path = write("blank.md", " \n\t\n")
    assert load_one(path) == Skipped(str(path), f"{path} holds only whitespace")


def test_unreadable_file_in_a_folder_is_skipped_and_the_rest_loads(tmp_path: Path, split) -> None:  # type: ignore[no-untyped-def]
    link = tmp_path / "gone.txt"
    link.symlink_to(tmp_path / "missing.txt")
    (tmp_path / "kept.txt").write_text("still here")
    docs, skipped = split(list(load_path(tmp_path)))
    assert [d.id for d in docs] == ["kept.txt"]
    assert skipped == [Skipped(str(link), f"{link} cannot be read: No such file or directory")]


def test_missing_path_is_skipped(tmp_path: Path, load_one) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "nowhere"
    assert load_one(path) == Skipped(str(path), f"{path} does not exist")


def test_file_without_read_permission_is_skipped(write, load_one, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    path = write("secret.txt", "hidden")
    real_read_bytes = Path.read_bytes

    def denied(self: Path) -> bytes:
        # chmod 0 does not stop root (CI runs as root), so the denial is simulated where it happens.
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    item = load_one(path)
    assert isinstance(item, Skipped)
    assert "Permission denied" in item.reason


def test_byte_order_mark_is_dropped(write, load_one) -> None:  # type: ignore[no-untyped-def]
    item = load_one(write("bom.txt", b"\xef\xbb\xbfhello"))
    assert isinstance(item, Document)
    assert item.text == "hello"


def test_file_metadata_has_path_suffix_mtime_and_size(write, load_one) -> None:  # type: ignore[no-untyped-def]
    path = write("Notes.TXT", "hello")
    item = load_one(path)
    assert isinstance(item, Document)
    assert item.metadata == {"path": str(path), "suffix": ".txt", "mtime": path.stat().st_mtime, "size": 5}


def test_named_pipe_in_a_folder_is_skipped_without_reading_it(tmp_path: Path, split) -> None:  # type: ignore[no-untyped-def]
    # Opening a FIFO for reading waits for a writer: the ingest would hang forever.
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    (tmp_path / "kept.txt").write_text("still here")
    docs, skipped = split(list(load_path(tmp_path)))
    assert [d.id for d in docs] == ["kept.txt"]
    assert skipped == [Skipped(str(pipe), f"{pipe} is not a regular file (a named pipe)")]


def test_device_given_by_name_is_skipped_without_reading_it(load_one) -> None:  # type: ignore[no-untyped-def]
    # /dev/zero never ends: reading it would fill the memory.
    assert load_one(Path("/dev/zero")) == Skipped("/dev/zero", "/dev/zero is not a regular file (a device)")


def test_link_to_a_folder_is_reported_not_silently_left_out(tmp_path: Path, split) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.txt").write_text("in the real folder")
    root = tmp_path / "docs"
    root.mkdir()
    (root / "kept.txt").write_text("still here")
    (root / "shared").symlink_to(tmp_path / "real")
    (root / "loop").symlink_to(root)
    docs, skipped = split(list(load_path(root)))
    assert [d.id for d in docs] == ["kept.txt"]
    assert [s.reason for s in skipped] == [
        f"{root / name} is a link to a folder; links to folders are not followed (ingest the folder itself)"
        for name in ("loop", "shared")
    ]


@pytest.mark.parametrize(("encoding", "name"), [("utf-16", "UTF-16"), ("utf-16-be", "UTF-16"), ("utf-32", "UTF-32")])
def test_utf16_text_with_a_byte_order_mark_is_named_not_binary(write, load_one, encoding: str, name: str) -> None:  # type: ignore[no-untyped-def]
    # Notepad's "Unicode" and Windows PowerShell's ">" write UTF-16 with a BOM; its NUL bytes are not binary.
    text = "notes" if encoding in ("utf-16", "utf-32") else "\ufeffnotes"  # the first two write their own BOM
    path = write("notes.txt", text.encode(encoding))
    reason = f"{path} is {name} text (it starts with a byte-order mark); save it as UTF-8"
    assert load_one(path) == Skipped(str(path), reason)
