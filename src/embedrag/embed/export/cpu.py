"""The CPU's int8 features, read once, and which int8 build suits them: a choice table as data.

ONNX Runtime's integer matrix products take a different kernel per instruction set. With VNNI
(``avx512_vnni``, ``avx_vnni``) or AMX, unsigned activations times *signed* weights (u8 x s8)
run as one dot-product instruction and are the fast path; on plain AVX2 the u8 x s8 kernel is
also the faster one, but adds pairs of products in 16 bits, which saturate unless the weights
keep to 7 bits (the ``s7-avx2`` recipe, see ``quantize.py``). A build's weights are therefore
stored for the CPU (``storage.py``): as s8 where that is exact, as u8 elsewhere, the same integers
either way, so a build gives the same vectors on every CPU. The target's name and the storage are
part of the cached graph's key.

Every CPU without the ``openvino`` extra gets the ``u8`` build: asymmetric 8-bit weights on all but
two blocks, after the rewrites of ``outliers.py`` move the activation outliers out of the
quantised products; on 8 held-out sets its min cosine to fp32 is 0.9923 or more. Without VNNI it
runs as u8 x u8 (1.11x the ``generic`` build it replaced there, which kept the feed-forward blocks
of the first half of the layers in fp32 at 0.9911); with VNNI/AMX as u8 x s8. There it replaced
the ``vnni`` build (symmetric s8 weights, six blocks in fp32), which, computed exactly, fell to
0.9899 on State of the Union passages. Its speed on a VNNI CPU is not measured yet: it runs the
same dot-product kernel as the ``vnni`` build, on four more blocks. Specs that say ``int8``
(collections written before) keep ``generic``, ``int8-vnni`` keeps ``vnni``. The ``avx2`` target
(7-bit weights) was the choice on AVX2 for a while, until it was measured on more held-out text as
the encoder batches it: 0.9869 min cosine to fp32 on 600 BBC paragraphs in padded batches, 0.9883
on State of the Union passages in batches of one length. Specs that name ``int8-avx2`` still get it.

Where the ``openvino`` extra (OpenVINO and NNCF) is installed and the CPU has VNNI or AMX, the
``ov`` target comes first: a statically calibrated int8 model run by OpenVINO
(``openvino_int8.py``). On an AVX2-only CPU it is not chosen: there it measured slower than
ONNX Runtime's int8. ``python bench/embed.py --n 400 --rounds 5`` on a 2-core AMD EPYC (AVX2,
quiet), items/s against sentence-transformers on torch (38.7): OpenVINO int8 1.04x, ONNX Runtime
``s7-avx2`` 1.66x, ONNX Runtime fp32 1.36x, OpenVINO f32 1.23x (the u8 build ran 1.70x in another
run, where ``s7-avx2`` ran 1.85x). Its speed on a VNNI/AMX CPU is
not measured yet: its place first in the table for those CPUs rests on OpenVINO's bf16 there
(3.64x on an Intel Xeon with AMX, against 1.44x for ONNX Runtime's s8 graph) and on int8 kernels
being the point of VNNI/AMX; ``bench/embed.py`` on such a CPU will say.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

__all__ = [
    "BF16_FLAGS",
    "TARGETS",
    "Target",
    "choose_target",
    "cpu_flags",
    "has_bf16",
    "has_vnni",
    "installed_engines",
    "int8_target",
    "physical_cores",
]

BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
"""Either one lets OpenVINO compute in bf16 natively (``Embedder(variant="bf16")``)."""
_INT8_FLAGS = ("avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni", "amx_int8", *sorted(BF16_FLAGS))


@dataclass(frozen=True)
class Target:
    """An int8 build: the flags it needs (any one of ``any_of`` suffices), its recipe, and why.

    ``needs`` names the modules its engine imports (an extra's); without them it is skipped.
    ``variant`` is what an embedding spec calls its build (``Embedder(variant=...)`` pins it).
    ``automatic=False`` keeps a build that specs pin but that :func:`choose_target` no longer picks.
    """

    name: str
    any_of: tuple[frozenset[str], ...]
    recipe: str
    why: str
    engine: str = "onnxruntime"
    needs: tuple[str, ...] = ()
    variant: str = "int8"
    automatic: bool = True


_VNNI = (frozenset({"amx_int8"}), frozenset({"avx512_vnni"}), frozenset({"avx_vnni"}))

TARGETS: tuple[Target, ...] = (
    Target(
        "ov",
        _VNNI,
        "ov-keep5",
        "VNNI/AMX and the openvino extra: static int8 calibrated by NNCF, run by OpenVINO's int8 kernels; "
        "the five most sensitive FFN MatMuls stay float",
        engine="openvino",
        needs=("openvino", "nncf"),
        variant="int8-ov",
    ),
    Target(
        "vnni",
        _VNNI,
        "s8-vnni",
        "symmetric s8 weights for VNNI/AMX's u8 x s8 dot products, the six most sensitive blocks in fp32. "
        "Not chosen any more: computed exactly, its min cosine to fp32 fell to 0.9899 on State of the Union "
        "passages, where the u8 build (run as u8 x s8 on these CPUs) keeps 0.9923 on every set (storage.py)",
        variant="int8-vnni",
        automatic=False,
    ),
    Target(
        "avx2",
        (frozenset({"avx2"}),),
        "s7-avx2",
        "no VNNI: 7-bit signed weights let AVX2's u8 x s8 kernel run without 16-bit saturation; "
        "the six most sensitive blocks stay fp32. Not chosen any more: its min cosine to fp32 fell to "
        "0.9869 on 600 held-out BBC paragraphs in padded batches, and to 0.9883 on State of the Union "
        "passages in batches of one length (quantize.py)",
        variant="int8-avx2",
        automatic=False,
    ),
    Target(
        "u8",
        (frozenset(),),
        "u8-outliers",
        "asymmetric 8-bit weights on every block but two, the activation outliers moved out of the "
        "quantised products (8 channels per feed-forward block in fp32, smoothed inputs); min cosine to "
        "fp32 >= 0.992 on every held-out set of passages and sentences measured. Stored as u8 (exact "
        "u8 x u8) without VNNI, where it ran 1.1x the generic build; as s8 with VNNI/AMX, the same "
        "integers through their u8 x s8 dot products",
        variant="int8-u8",
    ),
    Target(
        "generic",
        (frozenset(),),
        "u8-fp32-half-ffn",
        "u8 weights, the feed-forward blocks of the first half of the layers in fp32, min cosine to "
        "fp32 >= 0.991 on every held-out set of passages and sentences measured; the build of "
        "collections that name theirs 'int8' (CPUs without VNNI chose it until the u8 target)",
        automatic=False,
    ),
)
"""Best first: the first automatic target whose flags the CPU has (and whose engine is installed) is chosen."""


def choose_target(flags: frozenset[str] | set[str], modules: Iterable[str] = ()) -> Target:
    """The int8 target for a set of CPU flags (as ``/proc/cpuinfo`` spells them) and installed ``modules``.

    >>> choose_target({"avx2", "fma", "avx512f", "avx512_vnni"}).name
    'u8'
    >>> extra = {"openvino", "nncf"}
    >>> choose_target({"avx2", "amx_int8"}, extra).name, choose_target({"avx2"}, extra).name
    ('ov', 'u8')
    >>> choose_target({"avx2", "fma"}).name, choose_target(set()).name
    ('u8', 'u8')
    """
    have = set(modules)
    for target in TARGETS:
        if target.automatic and any(needed <= flags for needed in target.any_of) and have.issuperset(target.needs):
            return target
    raise AssertionError("an automatic target needs no flags and no engine")  # pragma: no cover


def parse_flags(cpuinfo: str) -> frozenset[str]:
    """The int8-relevant flags of the first ``flags`` line of a ``/proc/cpuinfo`` text.

    >>> sorted(parse_flags("processor : 0\\nflags : fpu sse avx2 fma avx512_vnni\\n"))
    ['avx2', 'avx512_vnni', 'fma']
    """
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return frozenset(flag for flag in value.split() if flag in _INT8_FLAGS)
    return frozenset()


@cache
def cpu_flags() -> frozenset[str]:
    """This machine's int8-relevant CPU flags, read once from ``/proc/cpuinfo``.

    Elsewhere (macOS, Windows) the file does not exist and the set is empty: the ``u8`` target,
    its weights stored as u8, which no CPU saturates: a slower int8 graph there, never a wrong one.
    """
    path = Path("/proc/cpuinfo")
    if platform.system() != "Linux" or not path.is_file():
        return frozenset()
    return parse_flags(path.read_text(encoding="utf-8", errors="replace"))


@cache
def physical_cores() -> int:
    """Physical cores this process may run on (one per group of hyperthread siblings in its CPU
    affinity), which is what ONNX Runtime's default thread count counts; elsewhere the logical count."""
    try:
        cpus = os.sched_getaffinity(0)
    except AttributeError:  # not Linux
        return os.cpu_count() or 1
    groups = set()
    for cpu in cpus:
        try:
            groups.add(Path(f"/sys/devices/system/cpu/cpu{cpu}/topology/thread_siblings_list").read_text().strip())
        except OSError:
            groups.add(str(cpu))
    return max(1, len(groups))


def has_vnni(flags: frozenset[str] | set[str]) -> bool:
    """Whether the CPU sums u8 x s8 products in 32 bits (VNNI or AMX), so s8 weights are exact there.

    >>> has_vnni({"avx2", "avx_vnni"}), has_vnni({"avx2", "avx512f", "avx512bw"})
    (True, False)
    """
    return any(needed <= flags for needed in _VNNI)


def has_bf16(flags: frozenset[str] | set[str]) -> bool:
    """Whether the CPU computes bf16 natively.

    >>> has_bf16({"avx512f", "avx512_bf16"}), has_bf16({"avx2"})
    (True, False)
    """
    return bool(BF16_FLAGS & flags)


@cache
def installed_engines() -> frozenset[str]:
    """Which of the modules the targets need (``Target.needs``) are installed here, looked up once."""
    names = {name for target in TARGETS for name in target.needs}
    return frozenset(name for name in names if find_spec(name) is not None)


def int8_target() -> Target:
    """The int8 target of this machine: its CPU flags and the engines installed."""
    return choose_target(cpu_flags(), installed_engines())
