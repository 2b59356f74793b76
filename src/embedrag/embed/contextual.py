"""Contextual token embeddings: the vector of every word piece after every layer of an encoder.

A static vector (GloVe, the embedding table) gives "bat" one vector whatever the sentence; a
transformer mixes in the context layer by layer, so "bat" in a cave and "bat" at a ball game drift
apart as the layers deepen. :class:`ContextualEncoder` runs the same torch-free ONNX graph as
:class:`~embedrag.Embedder`, with the hidden states after the embeddings and after each layer
exposed as extra outputs.

>>> encoder = ContextualEncoder()
>>> tokens = encoder.encode("Bats sleep in caves.")
>>> tokens.pieces, tokens.vectors.shape
(['bats', 'sleep', 'in', 'caves', '.'], (7, 5, 384))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from embedrag._linalg import unit_rows
from embedrag.embed.embedder import _is_transformer
from embedrag.errors import ConfigError, InputError
from embedrag.models import DEFAULT_MODEL, resolve

__all__ = ["ContextualEncoder", "ContextualTokens", "WordComparison", "compare_word"]


@dataclass(frozen=True)
class ContextualTokens:
    """Word pieces of one text and their vectors: ``vectors[layer, piece]``, layer 0 = embeddings."""

    text: str
    pieces: list[str]
    offsets: list[tuple[int, int]]
    """Character span of each piece in ``text``."""
    vectors: npt.NDArray[np.float32]

    def word(self, word: str) -> tuple[npt.NDArray[np.float32], list[str]]:
        """The vectors of the first occurrence of ``word`` (mean of its pieces), per layer, and its pieces.

        Matching ignores case and needs word boundaries: "bat" does not match "bath".
        """
        found = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", self.text, flags=re.IGNORECASE)
        if found is None:
            raise InputError(f"{word!r} does not occur as a word in {self.text!r}")
        start, end = found.span()
        inside = [i for i, (a, b) in enumerate(self.offsets) if a < end and b > start]
        return self.vectors[:, inside].mean(axis=1), [self.pieces[i] for i in inside]


class ContextualEncoder:
    """Per-layer token vectors from a BERT-family encoder (default all-MiniLM-L6-v2, shipped offline)."""

    def __init__(self, model: str | Path = DEFAULT_MODEL, *, threads: int | None = None) -> None:
        from embedrag.embed.onnx_backend import OnnxBackend

        found = resolve(str(model))
        if not _is_transformer(found.path):
            raise ConfigError(f"'{found.name}' is a static model: it has one vector per token, no layers")
        self.name = found.name
        graph, self.output_names = _with_hidden_states(found.path, self.name)
        # One session: the backend (tokenizer, special tokens, limits) runs the graph with the extra outputs.
        self._backend = OnnxBackend(found.path, threads=threads, graph=graph)

    @property
    def num_layers(self) -> int:
        """Transformer layers (the vectors have one more: the embeddings)."""
        return len(self.output_names) - 1

    def encode(self, text: str) -> ContextualTokens:
        """Every word piece of ``text`` (special tokens left out) after every layer.

        Text longer than the model's limit is an error: cutting it would change the context.
        """
        if not isinstance(text, str) or not text.strip():
            raise InputError("text is empty")
        backend = self._backend
        cased = text.lower() if backend.config.lowercase else text
        encoding = backend.tokenizer.encode(cased, add_special_tokens=False)
        ids = [*backend.prefix, *encoding.ids, *backend.suffix]
        if len(ids) > backend.max_tokens:
            raise InputError(
                f"text has {len(ids)} word pieces with special tokens; {self.name} takes {backend.max_tokens}"
            )
        feed = {
            "input_ids": np.array([ids], dtype=np.int64),
            "attention_mask": np.ones((1, len(ids)), dtype=np.int64),
            "token_type_ids": np.zeros((1, len(ids)), dtype=np.int64),
        }
        feed = {k: v for k, v in feed.items() if k in backend.input_names}
        states = backend.session.run(self.output_names, feed)
        content = slice(len(backend.prefix), len(ids) - len(backend.suffix))
        vectors = np.stack([s[0, content] for s in states]).astype(np.float32)
        return ContextualTokens(text, list(encoding.tokens), [(int(a), int(b)) for a, b in encoding.offsets], vectors)


def _with_hidden_states(model_dir: Path, name: str) -> tuple[bytes, list[str]]:
    """The model's exported graph with the hidden state after the embeddings and after each layer
    as extra outputs (serialised), and those outputs' names."""
    import onnx

    from embedrag.embed.export import onnx_for
    from embedrag.embed.export.bert_graph import hidden_state_names

    graph = onnx.load(str(onnx_for(model_dir)))
    produced = {out for node in graph.graph.node for out in node.output}
    layers = sum(1 for value in produced if re.fullmatch(r"l\d+\.ffn_out\.norm", value))
    names = hidden_state_names(layers)
    if not layers or not set(names) <= produced:
        raise ConfigError(f"'{name}' is not a BERT-family encoder: per-layer vectors need one")
    graph.graph.output.extend(onnx.helper.make_empty_tensor_value_info(value) for value in names)
    return graph.SerializeToString(), names


@dataclass(frozen=True)
class WordComparison:
    """Cosine similarities between one word's vectors in several sentences, layer by layer."""

    word: str
    sentences: list[str]
    pieces: list[list[str]]
    """The word pieces the word became in each sentence (pooled by their mean when several)."""
    layers: list[npt.NDArray[np.float32]]
    """``layers[i]`` is the n x n cosine matrix after layer i (0 = embeddings)."""
    static: npt.NDArray[np.float32] | None
    """The same matrix for a static word vector (all ones: one vector per word), if given one."""

    def as_dict(self) -> dict[str, object]:
        return {
            "word": self.word,
            "sentences": self.sentences,
            "pieces": self.pieces,
            "layers": [{"layer": i, "similarity": m.round(6).tolist()} for i, m in enumerate(self.layers)],
            "static": None if self.static is None else self.static.round(6).tolist(),
        }


def compare_word(
    encoder: ContextualEncoder, word: str, sentences: list[str], *, static: npt.NDArray[np.float32] | None = None
) -> WordComparison:
    """How similar ``word`` is to itself across ``sentences`` (at least two) after each layer.

    ``static`` is the word's static vector (e.g. from GloVe): it is the same in every sentence.
    """
    if len(sentences) < 2:
        raise InputError(f"compare needs at least two sentences, got {len(sentences)}")
    vectors, pieces = zip(*(encoder.encode(s).word(word) for s in sentences), strict=True)
    stacked = np.stack(vectors, axis=1)  # (layers, sentences, dims)
    layers = [unit_rows(layer) @ unit_rows(layer).T for layer in stacked]
    fixed = None
    if static is not None:
        same = unit_rows(np.repeat(np.asarray(static, np.float32)[None, :], len(sentences), axis=0))
        fixed = (same @ same.T).astype(np.float32)
    return WordComparison(word, list(sentences), [list(p) for p in pieces], layers, fixed)
