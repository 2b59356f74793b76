"""Pictures: evaluation charts, 2-D maps of a collection's vectors, per-layer similarity curves of a
word in context (the ``plot`` extra)."""

from embedrag.plot._mpl import image_path
from embedrag.plot.charts import plot_retrieval
from embedrag.plot.layers import layer_figure, plot_layers
from embedrag.plot.maps import MAP_METHODS, CollectionMap, collection_map, project, write_map

__all__ = [
    "MAP_METHODS",
    "CollectionMap",
    "collection_map",
    "image_path",
    "layer_figure",
    "plot_layers",
    "plot_retrieval",
    "project",
    "write_map",
]
