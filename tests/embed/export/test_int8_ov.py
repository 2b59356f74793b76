"""OpenVINO's static int8 build: cached as one IR, named ``int8-ov`` in a spec, a clear error without the extra."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from embedrag.embed.embedder import pinned_variant
from embedrag.embed.export import onnx_for
from embedrag.embed.export.calibration import calibration_texts
from embedrag.embed.export.openvino_int8 import quantize_openvino
from embedrag.errors import MissingDependencyError, ModelFormatError


def test_calibration_text_ships_with_the_package() -> None:
    texts = calibration_texts()
    assert len(texts) == 62 and all(t == t.strip() and t for t in texts)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, tiny_bert_folder) -> Path:  # type: ignore[no-untyped-def]
    """A tiny random BERT with MiniLM's tokenizer: the calibration text needs one."""
    return Path(tiny_bert_folder(tmp_path_factory.mktemp("tiny") / "tiny-bert", "BertModel"))


def test_the_ir_is_published_whole_and_built_once(tiny_model: Path) -> None:
    pytest.importorskip("openvino")
    pytest.importorskip("nncf")
    xml = onnx_for(tiny_model, variant="int8", target="ov")
    assert xml.name == "model.xml" and xml.with_suffix(".bin").is_file()
    assert sorted(p.name for p in xml.parent.iterdir()) == ["model.bin", "model.xml"]  # no staging left
    mtime = xml.stat().st_mtime_ns
    assert onnx_for(tiny_model, variant="int8", target="ov") == xml and xml.stat().st_mtime_ns == mtime
    assert xml.parent != onnx_for(tiny_model, variant="int8", target="vnni").parent


def test_a_spec_pins_the_openvino_build() -> None:
    assert pinned_variant("int8-ov") == "int8-ov"


def test_without_nncf_the_build_names_the_extra(
    tiny_bert: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("openvino")
    monkeypatch.setitem(sys.modules, "nncf", None)  # an import of it now fails
    with pytest.raises(MissingDependencyError, match=r"embedrag-toolkit\[openvino\]"):
        quantize_openvino(onnx_for(tiny_bert), tmp_path / "model.xml", tiny_bert)


def test_a_graph_nncf_cannot_quantise_is_a_model_format_error(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nncf = pytest.importorskip("nncf")

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no pattern matched")

    monkeypatch.setattr(nncf, "quantize", fail)
    with pytest.raises(ModelFormatError, match=r"NNCF could not quantise .*int8-u8"):
        quantize_openvino(onnx_for(tiny_model), tmp_path / "model.xml", tiny_model)
