"""Static word vectors: load (GloVe 6B 50d by default, or word2vec / GloVe files), query
(similar words, analogies, odd one out), train Word2Vec, and evaluate.

>>> from embedrag.words import WordVectors
>>> wv = WordVectors.load()  # doctest: +SKIP
>>> wv.analogy(["king", "woman"], ["man"], k=1)  # doctest: +SKIP
[Neighbor(word='queen', score=0.8523...)]
"""

from embedrag.words.evaluate import evaluate_analogies, evaluate_similarity
from embedrag.words.formats import FORMATS, detect_format
from embedrag.words.query import parse_analogy
from embedrag.words.results import AnalogyScore, Neighbor, SectionScore, SimilarityScore
from embedrag.words.train import tokenize, train_word2vec
from embedrag.words.vectors import DEFAULT_VECTORS, WordVectors

__all__ = [
    "DEFAULT_VECTORS",
    "FORMATS",
    "AnalogyScore",
    "Neighbor",
    "SectionScore",
    "SimilarityScore",
    "WordVectors",
    "detect_format",
    "evaluate_analogies",
    "evaluate_similarity",
    "parse_analogy",
    "tokenize",
    "train_word2vec",
]
