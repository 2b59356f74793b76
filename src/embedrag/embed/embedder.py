"""``Embedder``: sentence embeddings from a catalogue name or a model directory."""

from __future__ import annotations

import contextlib
import copy
import functools
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast, get_args, overload, runtime_checkable

import numpy as np
import numpy.typing as npt

from embedrag._linalg import unit_rows
from embedrag.embed.batching import DEFAULT_TOKEN_BUDGET
from embedrag.embed.images import ImageInput, is_single_image, not_an_image_model, open_image
from embedrag.embed.precision import PRECISIONS, Output, Precision, convert, quantize, truncate
from embedrag.embed.result import Embeddings, LongInputPolicy
from embedrag.embed.st_config import Role, model_type, read_json, read_prompts, resolve_prompt
from embedrag.errors import ConfigError, InputError, ModelFormatError, TruncationWarning
from embedrag.models import resolve
from embedrag.tokenize.protocol import check_ids, check_text
from embedrag.types import EmbeddingSpec

if TYPE_CHECKING:
    from embedrag.embed.clip_backend import ClipBackend

__all__ = ["Embedder", "Precision"]

Variant = Literal["fp32", "int8", "int8-u8", "int8-avx2", "int8-vnni", "int8-ov", "int8-generic", "bf16"]
"""``int8`` is the int8 build for this CPU (:mod:`embedrag.embed.export.cpu`); ``int8-u8``,
``int8-avx2``, ``int8-vnni``, ``int8-ov`` and ``int8-generic`` name one build whatever the CPU. A
spec says ``int8-u8`` for the u8 build with its outliers moved (what every CPU writes without the
openvino extra; its weights are stored for the CPU's kernel, the same vectors on each), ``int8``
for the older u8 build (``generic``: the int8 of every collection written before the u8 target
existed), ``int8-avx2`` for the 7-bit s8 one and ``int8-vnni`` for the s8 one (AVX2 and VNNI CPUs
chose them for a while; no CPU chooses them now, specs that name them keep them) and ``int8-ov``
for OpenVINO's static int8 (the openvino extra, VNNI/AMX CPUs): their vectors differ, so a
collection keeps the build it was written with."""
_CHUNK = 2048
"""Texts tokenised and sorted by length together; bounds memory on huge iterables."""


class _Backend(Protocol):
    @property
    def dims(self) -> int: ...
    @property
    def max_tokens(self) -> int | None: ...
    @property
    def tokenizer_hash(self) -> str: ...
    @property
    def vocab_size(self) -> int: ...
    @property
    def prefix(self) -> Sequence[int]: ...
    @property
    def suffix(self) -> Sequence[int]: ...

    def encode(self, texts: list[str], policy: LongInputPolicy) -> Embeddings: ...
    def content_ids(self, texts: Sequence[str]) -> list[list[int]]: ...
    def encode_ids(self, content: list[list[int]], policy: LongInputPolicy, *, start: int = 0) -> Embeddings: ...


@runtime_checkable
class _TokenBackend(Protocol):
    def token_vectors(self, texts: Sequence[str]) -> list[npt.NDArray[np.float32]]: ...
    def encode_with_tokens(
        self, content: list[list[int]], skip: int = 0
    ) -> tuple[Embeddings, list[npt.NDArray[np.float32]]]: ...


class Embedder:
    """Turns texts into vectors with a sentence-embedding model, on ONNX Runtime.

    ``model`` is a catalogue name (``embedrag models``), a hub id (only with network
    allowed) or a local folder: a sentence-transformers / BERT folder (converted to
    ONNX once, cached), a static Model2Vec-style folder, or a CLIP folder (``hf`` extra,
    torch), whose :meth:`encode_images` puts images in the same space as the texts.

    >>> embedder = Embedder()                                 # all-MiniLM-L6-v2, fp32
    >>> vectors = embedder.encode(["A man is eating food.", "A man eats bread."])
    >>> vectors.shape, round(float(vectors[0] @ vectors[1]), 2) > 0.5
    ((2, 384), True)
    """

    def __init__(
        self,
        model: str | Path = "all-MiniLM-L6-v2",
        *,
        variant: Variant = "fp32",
        threads: int | None = None,
        long_inputs: LongInputPolicy = "truncate",
        max_tokens: int | None = None,
        token_budget: int = DEFAULT_TOKEN_BUDGET,
        allow_network: bool | None = None,
        prompts: Mapping[str, str] | None = None,
        default_prompt_name: str | None = None,
    ) -> None:
        if variant not in get_args(Variant):
            raise ConfigError(f"variant must be one of {', '.join(get_args(Variant))}, got {variant!r}")
        if long_inputs not in ("truncate", "window", "error"):
            raise ConfigError(f"long_inputs must be 'truncate', 'window' or 'error', got {long_inputs!r}")
        if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
            raise ConfigError(f"threads must be a positive number (None: every core), got {threads!r}")
        if isinstance(token_budget, bool) or not isinstance(token_budget, int) or token_budget < 1:
            raise ConfigError(f"token_budget must be a positive number of word pieces per batch, got {token_budget!r}")
        found = resolve(model, allow_network=allow_network)
        if found.info is not None and found.info.kind in ("word", "tokenizer"):
            raise ConfigError(f"'{found.name}' is a {found.info.kind} model, not a sentence encoder")
        self.name = found.name
        self.model_path = found.path
        self.prompts = read_prompts(found.path).merged(prompts, default_prompt_name)
        """Named prompts from the model's config_sentence_transformers.json, overridden by ``prompts=``."""
        self._prompt: str | None = None
        """The prompt of a :meth:`for_role` view; None: the call's or the model's default."""
        self._views: dict[str, Embedder] = {}
        self.special_tokens = 0
        """Tokens the encoder adds around every input (2 for BERT's [CLS] ... [SEP])."""
        self.long_inputs: LongInputPolicy = long_inputs
        self._backend: _Backend
        self._images: ClipBackend | None = None
        if model_type(found.path) == "clip":
            self._images = self._clip(variant, threads=threads, max_tokens=max_tokens, token_budget=token_budget)
        elif _is_transformer(found.path):
            from embedrag.embed.onnx_backend import OnnxBackend

            target = _int8_target(variant)
            onnx = OnnxBackend(
                found.path,
                variant="int8" if target else variant,
                target=target,
                threads=threads,
                max_tokens=max_tokens,
                token_budget=token_budget,
            )
            self._backend, self._normalize = onnx, onnx.config.normalize
            self.special_tokens = len(onnx.prefix) + len(onnx.suffix)
            spec_variant = _target_variant(target) if target else variant
            self.spec = self._make_spec("onnx", spec_variant, onnx.config.pooling)
        else:
            from embedrag.embed.static_backend import StaticBackend

            if variant != "fp32":
                raise ConfigError("static models have no int8 variant; their tables are already small")
            static = StaticBackend(found.path)
            self._backend, self._normalize = static, static.default_normalize
            self.spec = self._make_spec("static", "fp32", "mean")

    def _clip(self, variant: Variant, *, threads: int | None, max_tokens: int | None, token_budget: int) -> ClipBackend:
        from embedrag.embed.clip_backend import ClipBackend

        if variant != "fp32":
            raise ConfigError("CLIP models run on torch in fp32; they have no int8 variant")
        if self.long_inputs == "window":
            raise ConfigError("CLIP text encoders read one caption; use long_inputs='truncate' or 'error'")
        clip = ClipBackend(self.model_path, max_tokens=max_tokens, token_budget=token_budget)
        if threads is not None:  # torch's setting is process-wide, like ONNX Runtime's per-session one is not
            import torch

            torch.set_num_threads(threads)
        self._backend, self._normalize = clip, True
        self.special_tokens = len(clip.prefix) + len(clip.suffix)
        self.spec = self._make_spec("clip", "fp32", "eos")
        return clip

    def _make_spec(self, backend: str, variant: str, pooling: str) -> EmbeddingSpec:
        return EmbeddingSpec(
            model=self.name,
            backend=backend,
            variant=variant,
            dims=self._backend.dims,
            max_tokens=self._backend.max_tokens,
            pooling=pooling,
            normalize=self._normalize,
            tokenizer_hash=self._backend.tokenizer_hash,
            query_prompt=self.prompts.for_role("query"),
            passage_prompt=self.prompts.for_role("document"),
        )

    @property
    def dims(self) -> int:
        """Length of each vector."""
        return self._backend.dims

    @property
    def max_tokens(self) -> int | None:
        """Word pieces per input (special tokens included), or ``None`` if unlimited."""
        return self._backend.max_tokens

    def embed(self, texts: Iterable[str] | str, *, normalize: bool | None = None) -> Embeddings:
        """Vectors plus what happened to each input (token counts, truncated, windowed).

        ``normalize=None`` follows the model's own configuration.
        """
        return self._embed(_validated(texts, start=0), normalize, self._prompt_for())

    def _prompt_for(self, prompt: str | None = None, prompt_name: str | None = None) -> str:
        """The text put before each input: the call's prompt, else a role's (:meth:`for_role`), else the default."""
        if prompt is not None or prompt_name is not None or self._prompt is None:
            return resolve_prompt(self.prompts, prompt=prompt, prompt_name=prompt_name)
        return self._prompt

    def token_ids(self, texts: Iterable[str] | str) -> list[list[int]]:
        """Ids of each text's word pieces, without the special tokens the model adds around them.

        ``embed_ids(token_ids(texts))`` equals ``embed(texts)``: a caller can tokenize once,
        count and budget, then embed.
        """
        return self._backend.content_ids(_validated(texts, start=0))

    def embed_ids(self, inputs: Sequence[Sequence[int]], *, normalize: bool | None = None) -> Embeddings:
        """Vectors of inputs given as token ids of the model's tokenizer.

        Each input may carry the special tokens the model adds around text (as
        :func:`embedrag.load_tokenizer` gives them) or not: special tokens at the ends are
        dropped and added back once, and so is the padding that ends the shorter rows of a
        padded batch (``[PAD]``). Ids outside the vocabulary, or an input with no content
        tokens, raise :class:`InputError` naming the input.
        """
        return self._embed_content(self.content_ids(inputs), normalize)

    def content_ids(self, inputs: Sequence[Sequence[int]]) -> list[list[int]]:
        """Checked ids of pre-tokenised inputs, special tokens at the ends dropped (see :meth:`embed_ids`)."""
        return [self._content(ids, index) for index, ids in enumerate(inputs)]

    def _content(self, ids: Sequence[int], index: int) -> list[int]:
        try:
            tokens = check_ids(ids, self._backend.vocab_size)
        except InputError as exc:
            raise InputError(f"input {index}: {exc}") from None
        while tokens and tokens[-1] == self._pad_id:  # a padded batch's row: padding is never content
            tokens.pop()
        prefix, suffix = list(self._backend.prefix), list(self._backend.suffix)
        if prefix and tokens[: len(prefix)] == prefix:
            tokens = tokens[len(prefix) :]
        if suffix and tokens[len(tokens) - len(suffix) :] == suffix:
            tokens = tokens[: len(tokens) - len(suffix)]
        if not tokens:
            raise InputError(f"input {index} has no tokens besides the special ones")
        return tokens

    @functools.cached_property
    def _pad_id(self) -> int | None:
        """The id of the tokenizer's padding token (``[PAD]``, ``<pad>``), if it has one."""
        return _padding_id(getattr(self._backend, "tokenizer", None))

    def _embed(self, batch: list[str], normalize: bool | None, prompt: str, start: int = 0) -> Embeddings:
        if prompt and not self.prompts.pooled:
            raise ModelFormatError(
                f"{self.model_path} pools without the prompt's tokens (include_prompt: false), which embedrag "
                "does not do: its vectors would differ from sentence-transformers'; encode with prompt=''"
            )
        texts = [prompt + text for text in batch] if prompt else batch
        return self._embed_content(self._backend.content_ids(texts) if texts else [], normalize, start)

    def _embed_content(self, content: list[list[int]], normalize: bool | None, start: int = 0) -> Embeddings:
        """Vectors of ``content``; ``start``: the stream position of its first input, which errors count from."""
        if not content:
            return Embeddings(np.zeros((0, self.dims), np.float32), np.zeros(0, np.int64), ())
        result = self._backend.encode_ids(content, self.long_inputs, start=start)
        if self._normalize if normalize is None else normalize:
            result = Embeddings(unit_rows(result.vectors), result.tokens, result.truncated, result.windowed)
        return result

    def stream(
        self, texts: Iterable[str], *, normalize: bool | None = None, chunk_size: int = _CHUNK
    ) -> Iterator[Embeddings]:
        """Encode an iterable of any size in chunks; yields one :class:`Embeddings` per chunk.

        Indices in ``truncated`` / ``windowed`` count from the start of the whole stream.
        """
        return self._stream(texts, normalize, self._prompt_for(), chunk_size)

    def _stream(
        self, texts: Iterable[str] | str, normalize: bool | None, prompt: str, chunk_size: int
    ) -> Iterator[Embeddings]:
        iterator, start = iter([texts] if isinstance(texts, str) else texts), 0
        while chunk := list(islice(iterator, chunk_size)):
            part = self._embed(_validated(chunk, start=start), normalize, prompt, start)
            yield Embeddings(
                part.vectors,
                part.tokens,
                tuple(start + i for i in part.truncated),
                tuple(start + i for i in part.windowed),
            )
            start += len(chunk)

    @overload
    def encode(
        self,
        texts: Iterable[str] | str,
        *,
        normalize: bool | None = ...,
        progress: Callable[[int], None] | None = ...,
        prompt_name: str | None = ...,
        prompt: str | None = ...,
        batch_size: int | None = ...,
        show_progress_bar: bool | None = ...,
        normalize_embeddings: bool = ...,
        truncate_dim: int | None = ...,
        precision: Precision = ...,
        convert_to_numpy: Literal[True] = ...,
        convert_to_tensor: Literal[False] = ...,
        device: str | None = ...,
    ) -> npt.NDArray[Any]: ...

    @overload
    def encode(  # torch tensors: convert_to_tensor=True or convert_to_numpy=False
        self,
        texts: Iterable[str] | str,
        *,
        normalize: bool | None = ...,
        progress: Callable[[int], None] | None = ...,
        prompt_name: str | None = ...,
        prompt: str | None = ...,
        batch_size: int | None = ...,
        show_progress_bar: bool | None = ...,
        normalize_embeddings: bool = ...,
        truncate_dim: int | None = ...,
        precision: Precision = ...,
        convert_to_numpy: bool = ...,
        convert_to_tensor: bool = ...,
        device: str | None = ...,
    ) -> Any: ...

    def encode(
        self,
        texts: Iterable[str] | str,
        *,
        normalize: bool | None = None,
        progress: Callable[[int], None] | None = None,
        prompt_name: str | None = None,
        prompt: str | None = None,
        batch_size: int | None = None,
        show_progress_bar: bool | None = None,
        normalize_embeddings: bool = False,
        truncate_dim: int | None = None,
        precision: Precision = "float32",
        convert_to_numpy: bool = True,
        convert_to_tensor: bool = False,
        device: str | None = None,
    ) -> Any:
        """Vectors of ``texts`` as a float32 array (n, dims), in input order.

        A single string gives shape (1, dims); an empty iterable (0, dims). Inputs over
        the model's limit follow ``long_inputs``; with ``truncate`` a
        :class:`TruncationWarning` names them. ``progress`` is called with the number of
        texts finished after every chunk.

        sentence-transformers' options work as there: ``prompt_name`` / ``prompt`` (before each
        text; default: the model's ``default_prompt_name``), ``batch_size`` (texts encoded together
        at most), ``show_progress_bar`` (on stderr), ``normalize_embeddings=True`` (unit rows, after
        ``truncate_dim``: the first dims of a Matryoshka model), ``precision`` (``float32``, ``int8``,
        ``uint8``, ``binary``, ``ubinary``: see :mod:`embedrag.embed.precision`), ``convert_to_tensor``
        (a torch tensor; needs torch), ``convert_to_numpy=False`` (a list of row tensors), and
        ``device`` (``cpu`` only). ``normalize`` is embedrag's own switch: ``None`` follows the model.
        """
        if device not in (None, "cpu"):
            raise ConfigError(f"embedrag encodes on the CPU (ONNX Runtime); device={device!r} is not available")
        if batch_size is not None and batch_size <= 0:
            raise ConfigError(f"batch_size must be positive, got {batch_size}")
        if precision not in PRECISIONS:
            raise ConfigError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
        if normalize_embeddings:
            normalize = True
        before = self._prompt_for(prompt, prompt_name)
        with _progress_bar(show_progress_bar, texts, progress) as report:
            vectors = self._encode_all(texts, normalize, before, batch_size or _CHUNK, report)
        vectors = truncate(vectors, truncate_dim, normalize=normalize is True)
        output: Output = "tensor" if convert_to_tensor else "numpy" if convert_to_numpy else "tensors"
        return convert(quantize(vectors, precision), output)

    def encode_query(self, texts: Iterable[str] | str, **options: Any) -> Any:
        """:meth:`encode` with the model's query prompt (sentence-transformers' ``encode_query``)."""
        return self.for_role("query").encode(texts, **options)

    def encode_document(self, texts: Iterable[str] | str, **options: Any) -> Any:
        """:meth:`encode` with the model's document prompt (``document``, ``passage`` or ``corpus``)."""
        return self.for_role("document").encode(texts, **options)

    def for_role(self, role: Role) -> Embedder:
        """This encoder (the same loaded model) putting the prompt of ``role`` before every text.

        A collection embeds its passages through ``for_role("document")`` and its queries through
        ``for_role("query")``. The prompt's word pieces count in :attr:`special_tokens`.
        """
        if role not in self._views:
            view = copy.copy(self)
            view._prompt = self.prompts.for_role(role)
            extra = self._backend.content_ids([view._prompt])[0] if view._prompt.strip() else []
            view.special_tokens = self.special_tokens + len(extra)
            self._views[role] = view
        return self._views[role]

    def _encode_all(
        self,
        texts: Iterable[str] | str,
        normalize: bool | None,
        prompt: str,
        chunk_size: int,
        progress: Callable[[int], None] | None,
    ) -> npt.NDArray[np.float32]:
        parts: list[npt.NDArray[np.float32]] = []
        truncated: list[int] = []
        for part in self._stream(texts, normalize, prompt, chunk_size):
            parts.append(part.vectors)
            truncated += part.truncated
            if progress is not None:
                progress(len(part))
        if truncated:
            warnings.warn(
                TruncationWarning(
                    f"{len(truncated)} input(s) exceeded {self.max_tokens} word pieces and were truncated "
                    f"(indices {truncated[:10]}{' ...' if len(truncated) > 10 else ''}); "
                    + (
                        "long_inputs='error' refuses them (CLIP reads one caption)"
                        if self._images is not None
                        else "use long_inputs='window' to embed all of them"
                    )
                ),
                stacklevel=3,
            )
        return np.concatenate(parts) if parts else np.zeros((0, self.dims), np.float32)

    @property
    def encodes_images(self) -> bool:
        """Whether the model also sees images (a CLIP model): see :meth:`encode_images`."""
        return self._images is not None

    def encode_images(
        self,
        images: Iterable[ImageInput] | ImageInput,
        *,
        normalize: bool | None = None,
        batch_size: int = 32,
        progress: Callable[[int], None] | None = None,
    ) -> npt.NDArray[np.float32]:
        """Vectors of images (file paths or PIL images) as float32 (n, dims), in the space of :meth:`encode`.

        Only CLIP models see images; any other model raises :class:`ModelFormatError`. A missing
        or unreadable file raises :class:`InputError` naming it. Images are decoded and run
        ``batch_size`` at a time; ``progress`` is called with the number finished after each batch.
        """
        if self._images is None:
            raise not_an_image_model(self.model_path)
        if batch_size <= 0:
            raise ConfigError(f"batch_size must be positive, got {batch_size}")
        items: Iterable[Any] = [images] if is_single_image(images) else cast(Iterable[Any], images)
        iterator, parts = iter(items), []
        while batch := list(islice(iterator, batch_size)):
            parts.append(self._images.encode_pixels([open_image(item) for item in batch]))
            if progress is not None:
                progress(len(batch))
        vectors = np.concatenate(parts) if parts else np.zeros((0, self.dims), np.float32)
        return unit_rows(vectors) if (self._normalize if normalize is None else normalize) else vectors

    def token_vectors(self, texts: Iterable[str] | str) -> list[npt.NDArray[np.float32]]:
        """Contextual vectors of each text's word pieces, one (tokens, dims) array per text, unit rows.

        Special tokens are left out and texts are cut at the model's limit. These are what
        late-interaction (MaxSim) reranking compares.
        """
        batch = _validated(texts, start=0)
        backend = self._token_backend()
        return [unit_rows(v) for v in backend.token_vectors(batch)] if batch else []

    @property
    def has_token_vectors(self) -> bool:
        """Whether the model gives contextual token vectors (transformers do; static and CLIP models do not)."""
        return isinstance(self._backend, _TokenBackend)

    def _token_backend(self) -> _TokenBackend:
        if not isinstance(self._backend, _TokenBackend):
            kind = "CLIP" if self._images is not None else "static"
            raise ConfigError(f"'{self.name}' is a {kind} model: it has no contextual token vectors")
        return self._backend

    def embed_with_token_vectors(self, texts: Iterable[str] | str) -> tuple[Embeddings, list[npt.NDArray[np.float32]]]:
        """:meth:`embed` and the :meth:`token_vectors` of the same texts, from one encoder pass.

        What a collection that keeps token vectors stores for each chunk. A role's prompt
        (:meth:`for_role`) is read by the encoder but left out of the token vectors. Texts must fit
        the model's limit (chunks do): a longer one is an :class:`InputError`.
        """
        batch = _validated(texts, start=0)
        backend = self._token_backend()
        if not batch:
            return self._embed_content([], None), []
        prompt = self._prompt_for()
        if prompt and not self.prompts.pooled:
            raise ModelFormatError(f"{self.model_path} pools without the prompt's tokens (include_prompt: false)")
        skip = len(self._backend.content_ids([prompt])[0]) if prompt.strip() else 0
        result, tokens = backend.encode_with_tokens(self._backend.content_ids([prompt + t for t in batch]), skip)
        if self._normalize:
            result = Embeddings(unit_rows(result.vectors), result.tokens, result.truncated, result.windowed)
        return result, [unit_rows(t) for t in tokens]

    def __repr__(self) -> str:
        return f"Embedder({self.name!r}, variant={self.spec.variant!r}, dims={self.dims})"


@contextlib.contextmanager
def _progress_bar(
    show: bool | None, texts: Iterable[str] | str, progress: Callable[[int], None] | None
) -> Iterator[Callable[[int], None] | None]:
    """``progress``, plus a bar on stderr when asked (sentence-transformers' ``show_progress_bar``)."""
    if not show:
        yield progress
        return
    from rich.console import Console
    from rich.progress import Progress

    total = 1 if isinstance(texts, str) else len(texts) if isinstance(texts, Sequence) else None
    with Progress(console=Console(stderr=True)) as bar:
        task = bar.add_task("Encoding", total=total)

        def advance(done: int) -> None:
            bar.advance(task, done)
            if progress is not None:
                progress(done)

        yield advance


def _validated(texts: Iterable[str] | str, *, start: int) -> list[str]:
    batch = [texts] if isinstance(texts, str) else list(texts)
    for offset, text in enumerate(batch):
        if not isinstance(text, str):
            raise InputError(f"text {start + offset} is {type(text).__name__}, expected str")
        if not text.strip():
            raise InputError(f"text {start + offset} is empty")
        check_text(text, what=f"text {start + offset}")
    return batch


def _is_transformer(model_dir: Path) -> bool:
    """A transformer folder has a config.json naming its architecture; static ones do not.

    A config.json that is not valid JSON is an error naming it, not a static model.
    """
    config = model_dir / "config.json"
    if not config.exists():
        return False
    data = read_json(config)
    return isinstance(data, dict) and ("model_type" in data or "architectures" in data)


def _int8_target(variant: str) -> str | None:
    """The CPU target (:data:`embedrag.embed.export.cpu.TARGETS`) an int8 variant is built for; None if not int8."""
    if variant == "int8":
        from embedrag.embed.export.cpu import int8_target

        return int8_target().name
    return variant.removeprefix("int8-") if variant.startswith("int8-") else None


def _target_variant(name: str) -> str:
    """What a spec calls the build of the int8 target ``name`` (``int8`` for the u8 ones)."""
    from embedrag.embed.export.cpu import TARGETS

    return next((t.variant for t in TARGETS if t.name == name), "int8")


def pinned_variant(spec_variant: str) -> Variant:
    """The variant that rebuilds the encoder a spec records: its own int8 build, not this CPU's choice.

    A spec's ``int8`` is the u8 build of the ``generic`` target, which CPUs without VNNI chose before
    the ``u8`` target (and ``int8-avx2``, 7-bit s8 weights, for a while): collections keep the vectors
    they have.

    >>> pinned_variant("int8"), pinned_variant("int8-avx2"), pinned_variant("int8-vnni"), pinned_variant("fp32")
    ('int8-generic', 'int8-avx2', 'int8-vnni', 'fp32')
    """
    if spec_variant == "int8":
        return "int8-generic"
    if spec_variant not in get_args(Variant):
        raise ConfigError(f"unknown encoder variant {spec_variant!r} in a stored spec")
    return cast(Variant, spec_variant)


def _padding_id(tokenizer: Any) -> int | None:
    """The id a ``tokenizers.Tokenizer`` pads with: its padding setting's, else its special ``[PAD]``/``<pad>``."""
    padding = getattr(tokenizer, "padding", None)
    if padding and "pad_id" in padding:
        return int(padding["pad_id"])
    added = tokenizer.get_added_tokens_decoder() if hasattr(tokenizer, "get_added_tokens_decoder") else {}
    found = [i for i, token in added.items() if token.special and token.content.strip("[]<>|").lower() == "pad"]
    return int(found[0]) if found else None
