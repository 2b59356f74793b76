"""The query side: search modes, fusion, rerankers, late interaction (MaxSim), Rocchio recommendations,
text-to-image search."""

from embedrag.search.images import ImageFolder, ImageHit, embed_image_folder, search_images
from embedrag.search.late import maxsim, maxsim_many
from embedrag.search.recommend import rocchio

__all__ = [
    "ImageFolder",
    "ImageHit",
    "embed_image_folder",
    "maxsim",
    "maxsim_many",
    "rocchio",
    "search_images",
]
