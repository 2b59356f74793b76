"""Query-side pieces of retrieval: late-interaction rerank, recommendations, RAG context, LLM calls,
text-to-image search."""

from embedrag.search.context import Context, build_context
from embedrag.search.images import ImageFolder, ImageHit, embed_image_folder, search_images
from embedrag.search.late import maxsim, maxsim_many
from embedrag.search.llm import chat
from embedrag.search.recommend import rocchio

__all__ = [
    "Context",
    "ImageFolder",
    "ImageHit",
    "build_context",
    "chat",
    "embed_image_folder",
    "maxsim",
    "maxsim_many",
    "rocchio",
    "search_images",
]
