"""Tokenizers behind one :class:`Tokenizer` protocol: WordPiece (any ``tokenizer.json``),
tiktoken-compatible byte-level BPE, and SentencePiece (load or train)."""

from embedrag.tokenize.bytebpe import BytePairTokenizer
from embedrag.tokenize.huggingface import HFTokenizer
from embedrag.tokenize.load import DEFAULT_TOKENIZER, known_tokenizers, load_tokenizer
from embedrag.tokenize.protocol import Tokenizer
from embedrag.tokenize.spm import SentencePieceTokenizer
from embedrag.tokenize.train import train_sentencepiece

__all__ = [
    "DEFAULT_TOKENIZER",
    "BytePairTokenizer",
    "HFTokenizer",
    "SentencePieceTokenizer",
    "Tokenizer",
    "known_tokenizers",
    "load_tokenizer",
    "train_sentencepiece",
]
