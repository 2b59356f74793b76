"""OpenVINO's static int8 build: cached as one IR, named ``int8-ov`` in a spec, a clear error without the extra."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest

from embedrag import Embedder
from embedrag.embed.embedder import pinned_variant
from embedrag.embed.export import cpu, onnx_for
from embedrag.embed.export.calibration import calibration_texts
from embedrag.embed.export.openvino_int8 import quantize_openvino
from embedrag.errors import MissingDependencyError, ModelFormatError, SaturationWarning


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


@pytest.mark.parametrize(("flags", "warns"), [({"avx", "avx2", "fma"}, True), ({"avx2", "avx512_vnni"}, False)])
def test_openvino_int8_on_a_cpu_without_vnni_says_its_products_may_saturate(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch, flags: set[str], warns: bool
) -> None:
    """OpenVINO documents that its 8-bit dot products saturate without VNNI; its kernels are its own,
    so an ``int8-ov`` collection opened on such a CPU is told, not given silently other vectors."""
    pytest.importorskip("openvino")
    pytest.importorskip("nncf")
    monkeypatch.setattr(cpu, "cpu_flags", lambda: frozenset(flags))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Embedder(str(tiny_model), variant="int8-ov")
    said = [w for w in caught if issubclass(w.category, SaturationWarning)]
    assert bool(said) is warns
    assert not said or "'int8-u8' and 'fp32' give the same vectors on every CPU" in str(said[0].message)
