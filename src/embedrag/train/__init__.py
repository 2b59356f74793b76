"""Training on your own data (``hf`` extra): a masked-LM head, a cross-encoder reranker, a sentence embedder.

Every run writes a new folder atomically, with ``embedrag-train.json`` recording what it did.
"""

from embedrag.train._common import TrainReport
from embedrag.train.cross_encoder import train_cross_encoder
from embedrag.train.embedder import train_embedder
from embedrag.train.mlm import MlmReport, train_mlm
from embedrag.train.pairs import Pair, hard_negatives, random_negatives, read_pairs

__all__ = [
    "MlmReport",
    "Pair",
    "TrainReport",
    "hard_negatives",
    "random_negatives",
    "read_pairs",
    "train_cross_encoder",
    "train_embedder",
    "train_mlm",
]
