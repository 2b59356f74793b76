"""Pictures: charts of evaluation results and 2-D maps of a collection's vectors (the ``plot`` extra)."""

from embedrag.plot.charts import plot_retrieval
from embedrag.plot.maps import MAP_METHODS, CollectionMap, collection_map, project, write_map

__all__ = ["MAP_METHODS", "CollectionMap", "collection_map", "plot_retrieval", "project", "write_map"]
