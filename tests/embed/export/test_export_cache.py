"""Built once, cached by content, written atomically."""

from __future__ import annotations

import shutil
from pathlib import Path

import onnx
import pytest

from embedrag._atomic import publish
from embedrag.embed.export import build, onnx_for


@pytest.fixture(autouse=True)
def _fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Other tests build the same tiny model; counting builds needs a cache of our own.
    monkeypatch.setenv("EMBEDRAG_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def model_dir(tiny_bert: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(tiny_bert, tmp_path / "model"))


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Counts graph builds: each call of the torch-free builder appends the model directory."""
    calls: list[Path] = []
    real = build._BUILDERS["bert-graph"]

    def counting(model_dir: Path, *args: object) -> object:
        calls.append(model_dir)
        return real(model_dir, *args)  # type: ignore[arg-type]

    monkeypatch.setitem(build._BUILDERS, "bert-graph", counting)
    return calls


def test_second_call_reuses_the_cached_file(model_dir: Path, builds: list[Path]) -> None:
    first = onnx_for(model_dir)
    stamp = first.stat().st_mtime_ns
    assert onnx_for(model_dir) == first
    assert first.stat().st_mtime_ns == stamp
    assert len(builds) == 1


def test_identical_copy_elsewhere_shares_the_cache(model_dir: Path, tmp_path: Path, builds: list[Path]) -> None:
    copy = Path(shutil.copytree(model_dir, tmp_path / "copy"))
    assert onnx_for(model_dir) == onnx_for(copy)
    assert len(builds) == 1


def test_changed_source_file_rebuilds(model_dir: Path, builds: list[Path]) -> None:
    before = onnx_for(model_dir)
    config = model_dir / "config.json"
    config.write_text(config.read_text().replace('"layer_norm_eps": 1e-12', '"layer_norm_eps": 1e-05'))
    after = onnx_for(model_dir)
    assert after != before and before.is_file()
    assert len(builds) == 2
    eps = [a.f for n in onnx.load(str(after)).graph.node for a in n.attribute if a.name == "epsilon"]
    assert eps and all(abs(e - 1e-5) < 1e-9 for e in eps)


def test_new_builder_version_rebuilds(model_dir: Path, builds: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    before = onnx_for(model_dir)
    monkeypatch.setattr(build, "BUILDER_VERSION", "test-next")
    assert onnx_for(model_dir) != before
    assert len(builds) == 2


def test_variants_are_cached_separately(model_dir: Path) -> None:
    # generic: the u8 target calibrates on text, and this folder has weights but no tokenizer
    fp32, int8 = onnx_for(model_dir), onnx_for(model_dir, variant="int8", target="generic")
    assert fp32 != int8
    assert onnx_for(model_dir, variant="int8", target="generic") == int8


def test_failed_write_leaves_no_file_behind(tmp_path: Path) -> None:
    target = tmp_path / "model.onnx"

    def crash(out: Path) -> None:
        out.write_bytes(b"half a graph")
        raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError, match="killed"):
        publish(target, crash)
    assert list(tmp_path.iterdir()) == []


def test_failed_build_is_retried_not_reused(
    model_dir: Path, builds: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(model: onnx.ModelProto, path: str) -> None:
        Path(path).write_bytes(b"torn")
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(onnx, "save", crash)
        with pytest.raises(OSError, match="disk full"):
            onnx_for(model_dir)
    path = onnx_for(model_dir)
    onnx.checker.check_model(str(path))
    assert [p.name for p in path.parent.iterdir()] == ["model.onnx"]
