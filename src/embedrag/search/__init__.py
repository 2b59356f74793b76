"""Query-side pieces of retrieval: late-interaction rerank, recommendations, RAG context, LLM calls."""

from embedrag.search.context import Context, build_context
from embedrag.search.late import maxsim, maxsim_many
from embedrag.search.llm import LLMError, chat
from embedrag.search.recommend import rocchio

__all__ = ["Context", "LLMError", "build_context", "chat", "maxsim", "maxsim_many", "rocchio"]
