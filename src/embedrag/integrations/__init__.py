"""Adapters for the frameworks people already use: LangChain (``embedrag[langchain]``) and LlamaIndex
(``embedrag[llamaindex]``). Each is a thin skin over :class:`embedrag.Collection` and
:class:`embedrag.embed.Embedder`; import :mod:`embedrag.integrations.langchain` or
:mod:`embedrag.integrations.llamaindex` (importing one without its extra says what to install).
"""
