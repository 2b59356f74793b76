"""Pictures: evaluation charts, 2-D maps of a collection's vectors, per-layer similarity curves of a
word in context, and word-vector maps with analogy arrows (the ``plot`` extra)."""

from embedrag.plot._mpl import image_path
from embedrag.plot.charts import plot_retrieval
from embedrag.plot.layers import layer_figure, plot_layers
from embedrag.plot.maps import MAP_METHODS, CollectionMap, collection_map, project, write_map
from embedrag.plot.words import WordMap, plot_words, word_figure, word_map

__all__ = [
    "MAP_METHODS",
    "CollectionMap",
    "WordMap",
    "collection_map",
    "image_path",
    "layer_figure",
    "plot_layers",
    "plot_retrieval",
    "plot_words",
    "project",
    "word_figure",
    "word_map",
    "write_map",
]
