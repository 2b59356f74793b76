"""Retrieval-augmented generation: the cited context built from hits, and the LLM client that answers from it."""

from embedrag.rag.context import CONTEXT_TOKENIZER, Context, build_context
from embedrag.rag.llm import chat

__all__ = ["CONTEXT_TOKENIZER", "Context", "build_context", "chat"]
