"""An int8 collection keeps the int8 build it was written with, whatever CPU opens it.

The int8 build was chosen per CPU (s8 with VNNI, u8 elsewhere; 7-bit s8 weights on AVX2 until that
build fell under the fidelity budget, then the generic u8 build until the u8 one with its outliers
moved, which VNNI CPUs now write too): builds whose vectors differ. A collection written on one kind
of CPU and searched on another must not mix them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedrag import Collection, Document, Embedder
from embedrag.embed.export import build, cpu
from embedrag.embed.export.storage import signed_storage
from embedrag.errors import SpecMismatchError

AVX2 = frozenset({"avx", "avx2", "fma"})
VNNI = frozenset({"avx2", "fma", "avx512f", "avx512bw", "avx512_vnni"})


@pytest.fixture(autouse=True)
def _no_openvino_int8(monkeypatch: pytest.MonkeyPatch) -> None:
    # With the openvino extra, VNNI flags choose OpenVINO's int8 (tests/embed/test_int8_ov.py); here ONNX Runtime's.
    monkeypatch.setattr(cpu, "installed_engines", lambda: frozenset())


@pytest.fixture(autouse=True)
def _stored_for_the_cpu_at_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    # The flags these tests pretend choose the build; its weights stay stored for the CPU running the
    # test (s8 storage pretended for VNNI would saturate on an AVX2 one: test_weight_storage.py).
    real = cpu.cpu_flags()
    monkeypatch.setattr(build, "signed_storage", lambda _flags, *, seven_bit: signed_storage(real, seven_bit=seven_bit))


QUERY = "a cat on a mat"


def written(path: Path, model: str, variant: str) -> tuple[str, np.ndarray]:
    """Write a collection of one document with ``variant``: the build its spec records, and a query's vector."""
    with Collection.open(path, model=model, variant=variant) as col:
        col.add([Document("a", "the cat sat on the mat", "a")])
        return col.embedder.spec.variant, col.embedder.encode(QUERY)


def reopened(path: Path, model: str) -> tuple[str, np.ndarray]:
    """Open it again asking for ``int8`` (this CPU's choice): the build it loads, and the query's vector."""
    with Collection.open(path, model=model, variant="int8") as col:
        return col.embedder.spec.variant, col.embedder.encode(QUERY)


def moved(
    path: Path, model: str, variant: str, monkeypatch: pytest.MonkeyPatch, *, on: frozenset[str], then: frozenset[str]
) -> tuple[str, str, np.ndarray, np.ndarray]:
    """Write with ``variant`` on a CPU of flags ``on``, reopen asking for ``int8`` on one of flags ``then``:
    the build each spec records, and the query's vector each time."""
    monkeypatch.setattr(cpu, "cpu_flags", lambda: on)
    variant, vector = written(path, model, variant)
    monkeypatch.setattr(cpu, "cpu_flags", lambda: then)
    again_variant, again = reopened(path, model)
    return variant, again_variant, vector, again


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, tiny_bert_folder) -> str:  # type: ignore[no-untyped-def]
    return str(tiny_bert_folder(tmp_path_factory.mktemp("tiny") / "tiny-bert", "BertModel"))


def test_a_collection_reopened_on_a_vnni_cpu_keeps_its_avx2_int8_build(
    tmp_path: Path, tiny_model: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written by the 7-bit build, which AVX2 CPUs chose before it fell under the fidelity budget."""
    variant, again_variant, vector, again = moved(
        tmp_path / "col", tiny_model, "int8-avx2", monkeypatch, on=AVX2, then=VNNI
    )
    assert variant == again_variant == "int8-avx2"
    np.testing.assert_array_equal(again, vector)


def test_an_int8_collection_of_the_generic_build_keeps_it_on_an_avx2_cpu(
    tmp_path: Path, tiny_model: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Collections whose spec says ``int8`` were written by the generic u8 build, which AVX2 CPUs (and
    CPUs of unknown flags) chose until the ``u8`` target: they keep it, vectors unchanged."""
    monkeypatch.setattr(cpu, "cpu_flags", lambda: AVX2)
    variant, vector = written(tmp_path / "col", tiny_model, "int8-generic")
    assert variant == "int8"
    assert Embedder(tiny_model, variant="int8").spec.variant == "int8-u8"  # what a new collection gets here
    with Collection.open(tmp_path / "col", model=tiny_model, variant="int8") as col:
        assert col.embedder.spec.variant == "int8"
        np.testing.assert_array_equal(col.embedder.encode(QUERY), vector)
        assert [hit.doc_id for hit in col.search(QUERY, k=1)] == ["a"]


def test_a_new_int8_collection_on_an_avx2_cpu_records_the_u8_build_and_keeps_it_on_a_vnni_cpu(
    tmp_path: Path, tiny_model: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    variant, again_variant, vector, again = moved(tmp_path / "col", tiny_model, "int8", monkeypatch, on=AVX2, then=VNNI)
    assert variant == again_variant == "int8-u8"
    np.testing.assert_array_equal(again, vector)
    assert not np.array_equal(Embedder(tiny_model, variant="int8-generic").encode(QUERY), vector)


def test_a_vnni_cpu_writes_the_u8_build_too_and_the_named_vnni_build_is_refused_by_its_collection(
    tmp_path: Path, tiny_model: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cpu, "cpu_flags", lambda: VNNI)
    variant, _ = written(tmp_path / "col", tiny_model, "int8")
    assert variant == "int8-u8"  # the same build as an AVX2 CPU's, stored as s8 for VNNI (storage.py)
    with pytest.raises(SpecMismatchError, match="int8-vnni"):
        Collection.open(tmp_path / "col", embedder=Embedder(tiny_model, variant="int8-vnni"))


def test_a_vnni_collection_opened_on_an_avx2_cpu_still_gets_the_vnni_build(
    tmp_path: Path, tiny_model: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What VNNI CPUs wrote before the u8 build.
    _, variant, vector, again = moved(tmp_path / "col", tiny_model, "int8-vnni", monkeypatch, on=VNNI, then=AVX2)
    assert variant == "int8-vnni"
    np.testing.assert_array_equal(again, vector)
    assert Embedder(tiny_model, variant="int8-vnni").spec.variant == "int8-vnni"
