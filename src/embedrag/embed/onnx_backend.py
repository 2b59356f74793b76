"""Transformer sentence encoders on ONNX Runtime: tokenize, batch by length, run, pool.

The graph comes from :func:`embedrag.embed.export.onnx_for` (built once from the
model's weights, without torch, and cached); this module only runs it.

A call that makes one batch runs it on all threads. A call of several batches runs them side by
side, one per thread (``streams``), on a second session of one thread each: no thread waits for
the others at every operator, which is what a batch on many threads does. On 400 BBC paragraphs
(2-core AMD EPYC, AVX2, the graphs alone, 6 interleaved rounds) two streams ran fp32 at 67.7
items/s against 63.6 on two threads, the u8 int8 graph at 69.6 against 64.0.
"""

from __future__ import annotations

import warnings
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer

from embedrag._optional import require
from embedrag.embed.batching import DEFAULT_TOKEN_BUDGET, plan_batches, windows
from embedrag.embed.export import cpu
from embedrag.embed.export.cpu import has_bf16, has_vnni, physical_cores
from embedrag.embed.pooling import POOLERS
from embedrag.embed.result import Embeddings, LongInputPolicy
from embedrag.embed.st_config import SentenceConfig, read_sentence_config
from embedrag.errors import ConfigError, InputError, ModelFormatError, SaturationWarning
from embedrag.models.cache import hash_files
from embedrag.tokenize.huggingface import HFTokenizer

__all__ = ["OnnxBackend", "OpenVinoSession", "text_tokenizer"]

_SATURATES = (
    "variant 'int8-ov' runs OpenVINO's int8 kernels on a CPU without VNNI/AMX, where 8-bit dot products "
    "can saturate (OpenVINO's documented saturation issue): its vectors may differ slightly from those "
    "of the VNNI CPU that chose this build. 'int8-u8' and 'fp32' give the same vectors on every CPU"
)

_WINDOW_OVERLAP = 32
"""Word pieces shared by neighbouring windows, so no sentence is only ever seen cut."""

UNFUSED = ["SkipLayerNormFusion"]
"""ONNX Runtime optimizer passes left out, for every graph the backend runs (ours and those exported
through torch): fusing ``Add`` and ``LayerNormalization`` into ``SkipLayerNormalization`` makes the
norms about 4x slower on CPU (``bert_graph.py`` has the figures)."""


class OnnxBackend:
    """Runs one transformer encoder graph; see :class:`embedrag.Embedder` for the public API."""

    def __init__(
        self,
        model_dir: Path,
        *,
        variant: str = "fp32",
        threads: int | None = None,
        max_tokens: int | None = None,
        token_budget: int = DEFAULT_TOKEN_BUDGET,
        max_batch: int = 128,
        graph: Path | bytes | None = None,
        target: str | None = None,
        streams: int | None = None,
    ) -> None:
        """``graph`` replaces the cached export of ``model_dir`` (a path or a serialised ONNX model with the
        same inputs and ``last_hidden_state``), e.g. one with extra outputs: one session serves both.
        ``target`` names the CPU an int8 graph is built for (default: this one's). ``streams``: batches
        run at once, one thread each, when a call makes several (default: ``threads``, or the
        physical cores when that is None; 1 runs every batch on all threads)."""
        import onnxruntime as ort

        from embedrag.embed.export import onnx_for

        self.config: SentenceConfig = read_sentence_config(model_dir)
        if max_tokens is not None and not 2 < max_tokens <= self.config.max_tokens:
            raise ConfigError(f"max_tokens must be between 3 and {self.config.max_tokens}, got {max_tokens}")
        self.max_tokens = max_tokens or self.config.max_tokens
        self.token_budget, self.max_batch = token_budget, max_batch
        if streams is not None and (isinstance(streams, bool) or not isinstance(streams, int) or streams < 1):
            raise ConfigError(f"streams must be a positive number of batches run at once, got {streams!r}")
        self.streams = streams or threads or physical_cores()
        self._stream_session: Any = None
        self._open_stream_session: Any = None
        self.tokenizer, self.tokenizer_hash, self.prefix, self.suffix, self.vocab_size = text_tokenizer(model_dir)

        if graph is None:  # bf16 is the fp32 graph, computed in bf16 by OpenVINO
            graph = onnx_for(
                model_dir,
                variant="fp32" if variant == "bf16" else variant,  # type: ignore[arg-type]
                target=target,
            )
        if variant == "bf16":
            self.session: Any = OpenVinoSession(graph, threads)
        elif isinstance(graph, Path) and graph.suffix == ".xml":  # the ``ov`` target's int8 model
            # Its float parts (softmax, norms, the MatMuls kept float) follow the bf16 rule.
            self.session = OpenVinoSession(graph, threads, purpose="variant='int8-ov'")
            if not has_vnni(cpu.cpu_flags()):
                warnings.warn(_SATURATES, SaturationWarning, stacklevel=2)
        else:
            model = graph if isinstance(graph, bytes) else str(graph)

            def open_session(intra_op_threads: int) -> Any:
                options = ort.SessionOptions()
                options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                options.intra_op_num_threads = intra_op_threads
                options.inter_op_num_threads = 1
                return ort.InferenceSession(
                    model, options, providers=["CPUExecutionProvider"], disabled_optimizers=UNFUSED
                )

            self.session = open_session(threads or 0)
            self._open_stream_session = lambda: open_session(1)
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.dims = self.config.hidden_size

    def encode(self, texts: Sequence[str], policy: LongInputPolicy) -> Embeddings:
        """Pooled, not yet normalised vectors of ``texts`` (non-empty strings)."""
        return self.encode_ids(self.content_ids(texts), policy)

    def encode_ids(self, content: list[list[int]], policy: LongInputPolicy, *, start: int = 0) -> Embeddings:
        """Like :meth:`encode`, from word-piece ids without special tokens (see :meth:`content_ids`); an error
        names inputs counting from ``start`` (a stream's chunk)."""
        n_special = len(self.prefix) + len(self.suffix)
        limit = self.max_tokens - n_special
        counts = np.array([len(ids) + n_special for ids in content], dtype=np.int64)
        long = [i for i, ids in enumerate(content) if len(ids) > limit]
        if long and policy == "error":
            named = [start + i for i in long[:10]]
            raise InputError(
                f"{len(long)} input(s) exceed the model's limit of {self.max_tokens} word pieces "
                f"(indices {named}{' ...' if len(long) > 10 else ''}); "
                "choose long_inputs='truncate' or 'window'"
            )
        owners, pieces = self._pieces(content, limit, policy)
        pooled = self._run([[*self.prefix, *p, *self.suffix] for p in pieces])
        vectors = _combine(pooled, owners, [len(p) for p in pieces], len(content))
        truncated = tuple(long) if policy == "truncate" else ()
        windowed = tuple(long) if policy == "window" else ()
        return Embeddings(vectors, counts, truncated, windowed)

    @staticmethod
    def _pieces(content: list[list[int]], limit: int, policy: LongInputPolicy) -> tuple[list[int], list[list[int]]]:
        owners: list[int] = []
        pieces: list[list[int]] = []
        for index, ids in enumerate(content):
            parts = windows(ids, size=limit, overlap=_overlap(limit)) if policy == "window" else [ids[:limit]]
            owners += [index] * len(parts)
            pieces += parts
        return owners, pieces

    def token_vectors(self, texts: Sequence[str]) -> list[npt.NDArray[np.float32]]:
        """Contextual vectors of each text's word pieces (special tokens left out), cut at the limit."""
        limit = self.max_tokens - len(self.prefix) - len(self.suffix)
        content = [ids[:limit] for ids in self.content_ids(texts)]
        out: list[npt.NDArray[np.float32]] = [np.empty((0, self.dims), np.float32)] * len(content)
        start = len(self.prefix)
        for batch, hidden, _ in self._forward([[*self.prefix, *ids, *self.suffix] for ids in content]):
            for row, index in enumerate(batch):
                out[index] = np.array(hidden[row, start : start + len(content[index])], dtype=np.float32)
        return out

    def encode_with_tokens(
        self, content: list[list[int]], skip: int = 0
    ) -> tuple[Embeddings, list[npt.NDArray[np.float32]]]:
        """:meth:`encode_ids` of inputs within the limit, and each one's token vectors, from one run of the graph.

        The token vectors leave out the special tokens and the first ``skip`` content tokens (a
        prompt's): a collection keeps them for late rerank at the cost of no second encoder pass.
        """
        limit = self.max_tokens - len(self.prefix) - len(self.suffix)
        long = [i for i, ids in enumerate(content) if len(ids) > limit]
        if long:
            raise InputError(f"{len(long)} input(s) exceed the model's limit of {self.max_tokens} word pieces")
        pool = POOLERS[self.config.pooling]
        pooled = np.empty((len(content), self.dims), dtype=np.float32)
        tokens: list[npt.NDArray[np.float32]] = [np.empty((0, self.dims), np.float32)] * len(content)
        start = len(self.prefix) + skip
        for batch, hidden, mask in self._forward([[*self.prefix, *ids, *self.suffix] for ids in content]):
            pooled[batch] = pool(hidden, mask)
            for row, index in enumerate(batch):
                end = len(self.prefix) + len(content[index])
                tokens[index] = np.array(hidden[row, start:end], dtype=np.float32)
        counts = np.array([len(ids) + len(self.prefix) + len(self.suffix) for ids in content], dtype=np.int64)
        return Embeddings(pooled, counts, ()), tokens

    def content_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Word-piece ids of each text without special tokens (lower-cased first if the model says so)."""
        if self.config.lowercase:
            texts = [t.lower() for t in texts]
        return [list(e.ids) for e in self.tokenizer.encode_batch(list(texts), add_special_tokens=False)]

    def _run(self, sequences: list[list[int]]) -> npt.NDArray[np.float32]:
        pool = POOLERS[self.config.pooling]
        out = np.empty((len(sequences), self.dims), dtype=np.float32)
        for batch, hidden, mask in self._forward(sequences):
            out[batch] = pool(hidden, mask)
        return out

    def _forward(
        self, sequences: list[list[int]]
    ) -> Iterator[tuple[list[int], npt.NDArray[np.float32], npt.NDArray[np.int64]]]:
        """Run the graph over batches of one length (``plan_batches``): (indices, token vectors, mask) per
        batch, in the order of the plan, several batches at once where :attr:`streams` allows."""
        lengths = [len(s) for s in sequences]
        batches = plan_batches(lengths, token_budget=self.token_budget, max_batch=self.max_batch)
        if len(batches) < 2 or self.streams < 2 or self._open_stream_session is None:
            for batch in batches:
                feed, mask = self._feed(sequences, batch)
                yield batch, self.session.run(["last_hidden_state"], feed)[0], mask
            return
        if self._stream_session is None:
            self._stream_session = self._open_stream_session()
        session = self._stream_session
        running: deque[tuple[list[int], npt.NDArray[np.int64], Future[list[Any]]]] = deque()
        with ThreadPoolExecutor(min(self.streams, len(batches)), thread_name_prefix="embedrag-stream") as pool:
            try:
                for batch in batches:
                    feed, mask = self._feed(sequences, batch)
                    running.append((batch, mask, pool.submit(session.run, ["last_hidden_state"], feed)))
                    if len(running) > self.streams:  # at most one batch waits per stream: memory stays bounded
                        done, mask_done, future = running.popleft()
                        yield done, future.result()[0], mask_done
                while running:
                    done, mask_done, future = running.popleft()
                    yield done, future.result()[0], mask_done
            finally:
                for _, _, future in running:
                    future.cancel()

    def _feed(self, sequences: list[list[int]], batch: list[int]) -> tuple[dict[str, Any], npt.NDArray[np.int64]]:
        """The graph's inputs for one batch and its attention mask: ``plan_batches`` gives batches of
        one length, so there is nothing to pad and every position is attended to."""
        ids = np.array([sequences[i] for i in batch], dtype=np.int64)
        mask = np.ones_like(ids)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return {k: v for k, v in feed.items() if k in self.input_names}, mask


class OpenVinoSession:
    """An OpenVINO compiled model behind the two calls the backend makes of an ONNX Runtime session.

    Precision of the float operations: ``precision`` if given, else bf16 where the CPU computes it
    natively (``cpu.BF16_FLAGS``) and f32 elsewhere: OpenVINO's own rule, written out so that
    :attr:`precision` says what ran.
    """

    def __init__(
        self, graph: Path | bytes, threads: int | None, *, precision: str | None = None, purpose: str = "variant='bf16'"
    ) -> None:
        ov = require("openvino", extra="openvino", purpose=purpose)
        if isinstance(graph, bytes):
            raise ConfigError(f"{purpose} runs a graph file; pass a path, not serialised bytes")
        self.precision = precision or ("bf16" if has_bf16(cpu.cpu_flags()) else "f32")
        config = {"INFERENCE_PRECISION_HINT": self.precision}
        if threads:
            config["INFERENCE_NUM_THREADS"] = str(threads)
        self._model = ov.Core().compile_model(str(graph), "CPU", config)
        self._request = self._model.create_infer_request()

    def get_inputs(self) -> list[SimpleNamespace]:
        return [SimpleNamespace(name=port.get_any_name()) for port in self._model.inputs]

    def run(self, names: list[str], feed: dict[str, npt.NDArray[np.int64]]) -> list[npt.NDArray[np.float32]]:
        result = self._request.infer(feed)
        return [np.array(result[self._model.output(name)], dtype=np.float32) for name in names]


def _overlap(limit: int) -> int:
    """Word pieces neighbouring windows of ``limit`` share: :data:`_WINDOW_OVERLAP`, or half a window
    when a small ``max_tokens`` leaves no more room than that."""
    return _WINDOW_OVERLAP if limit > _WINDOW_OVERLAP else limit // 2


def _combine(pooled: npt.NDArray[np.float32], owners: list[int], sizes: list[int], n: int) -> npt.NDArray[np.float32]:
    """One vector per input: windows of one input averaged, weighted by their sizes."""
    if len(owners) == n:
        return pooled
    weights = np.asarray(sizes, dtype=np.float32)
    sums = np.zeros((n, pooled.shape[1]), dtype=np.float32)
    np.add.at(sums, owners, pooled * weights[:, None])
    totals = np.zeros(n, dtype=np.float32)
    np.add.at(totals, owners, weights)
    return (sums / totals[:, None]).astype(np.float32)


def text_tokenizer(model_dir: Path) -> tuple[Tokenizer, str, list[int], list[int], int]:
    """A model folder's ``tokenizer.json``: the tokenizer, its hash, the ids it adds before and after
    a text, and its vocabulary size (shared by the ONNX and CLIP backends)."""
    path = model_dir / "tokenizer.json"
    tokenizer = _load_tokenizer(path)
    prefix, suffix = _special_tokens(tokenizer)
    return tokenizer, hash_files([path]), prefix, suffix, int(tokenizer.get_vocab_size(with_added_tokens=True))


def _load_tokenizer(path: Path) -> Tokenizer:
    if not path.exists():
        raise ModelFormatError(f"{path} is missing: embedrag needs the model's tokenizer.json")
    return HFTokenizer.from_file(path).backend


def _special_tokens(tokenizer: Tokenizer) -> tuple[list[int], list[int]]:
    """The ids the tokenizer wraps around content, e.g. ([CLS],) and ([SEP],) for BERT."""
    bare = tokenizer.encode("a", add_special_tokens=False).ids
    full = tokenizer.encode("a", add_special_tokens=True).ids
    for start in range(len(full) - len(bare) + 1):
        if full[start : start + len(bare)] == bare:
            return full[:start], full[start + len(bare) :]
    raise ModelFormatError("cannot locate the special tokens the tokenizer adds around text")
