"""Request and response bodies of the collection routes, with examples."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from embedrag.collection import Mode
from embedrag.server.registry import NAME_PATTERN

__all__ = [
    "AskRequest",
    "AskResponse",
    "CollectionCreate",
    "CollectionInfo",
    "CollectionList",
    "DocumentIn",
    "DocumentUpdate",
    "DocumentsRequest",
    "HitOut",
    "IngestResponse",
    "Passage",
    "SearchRequest",
    "SearchResponse",
]


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


def _request(*examples: dict[str, Any]) -> ConfigDict:
    """A request body's config: an unknown field is a 422 naming it, not ignored (a ``filter`` would search
    unfiltered, a ``meta`` would store a document without its metadata)."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": list(examples)})


class CollectionCreate(BaseModel):
    model_config = _request({"name": "notes", "model": "all-MiniLM-L6-v2"})
    name: str = Field(pattern=NAME_PATTERN, description="Letters, digits, '_', '.', '-'; 1-64 characters.")
    model: str | None = Field(default=None, description="A served embedding model (default: the first).")


class CollectionInfo(BaseModel):
    model_config = _examples({"name": "notes", "documents": 2, "chunks": 2, "model": "all-MiniLM-L6-v2", "dims": 384})
    name: str
    documents: int
    chunks: int
    model: str
    dims: int


class CollectionList(BaseModel):
    object: Literal["list"] = "list"
    data: list[CollectionInfo]


class DocumentUpdate(BaseModel):
    model_config = _request({"text": "Cats purr and hunt mice at night.", "metadata": {"topic": "animals"}})
    text: StrictStr = Field(min_length=1)
    source: str | None = Field(default=None, description="Where the text came from (default: the id).")
    metadata: dict[str, Any] = Field(
        default_factory=dict, description="JSON values; filterable by their top-level keys."
    )


class DocumentIn(DocumentUpdate):
    model_config = _request({"id": "cats", "text": "Cats purr and hunt mice at night.", "metadata": {"year": 2024}})
    id: StrictStr = Field(min_length=1, description="Stable id: adding the same id again replaces the document.")


class DocumentsRequest(BaseModel):
    model_config = _request(
        {
            "documents": [
                {"id": "cats", "text": "Cats purr and hunt mice at night.", "metadata": {"topic": "animals"}},
                {"id": "bread", "text": "Bake bread with flour, water, salt and yeast.", "metadata": {"topic": "food"}},
            ]
        }
    )
    documents: list[DocumentIn] = Field(min_length=1)


class Skip(BaseModel):
    source: str
    reason: str


class IngestResponse(BaseModel):
    model_config = _examples({"added": 2, "updated": 0, "unchanged": 0, "chunks": 2, "skipped": []})
    added: int
    updated: int
    unchanged: int = Field(description="Same id and same text as stored: nothing to do.")
    chunks: int
    skipped: list[Skip] = Field(description="Documents not stored, each with the reason (e.g. duplicate content).")


class DeleteResponse(BaseModel):
    id: str
    deleted: Literal[True] = True


class SearchRequest(BaseModel):
    model_config = _request(
        {"query": "what do cats hunt?", "k": 3},
        {"query": "yeast", "mode": "bm25", "filters": {"topic": "food"}},
        {"query": "what do cats hunt?", "rerank": "late"},
    )
    query: StrictStr = Field(min_length=1)
    k: StrictInt = Field(default=10, ge=1, le=1000)
    mode: Mode = "hybrid"
    filters: dict[str, Any] | None = Field(
        None, description="{key: value} or {key: {op: value}}; ops eq, in, gt, gte, lt, lte, prefix."
    )
    rerank: str | None = Field(default=None, description="'late' or the served cross-encoder (GET /v1/models).")
    fusion: Literal["adaptive", "rrf", "weighted"] = Field(
        default="adaptive", description="How hybrid fuses dense and BM25 (the library default; docs/quality.md)."
    )
    exact: bool = Field(default=False, description="Exact vector search (no HNSW).")


class HitOut(BaseModel):
    id: str = Field(description="<doc_id>#<chunk position>")
    doc_id: str
    score: float
    text: str
    source: str
    metadata: dict[str, Any]
    start: int | None = Field(default=None, description="Character offset of text in the document's text.")
    end: int | None = Field(default=None, description="Character offset just past text: document text[start:end].")


class SearchResponse(BaseModel):
    model_config = _examples(
        {
            "object": "list",
            "data": [
                {
                    "id": "cats#0",
                    "doc_id": "cats",
                    "score": 0.032,
                    "text": "Cats purr and hunt mice at night.",
                    "source": "cats",
                    "metadata": {"topic": "animals"},
                }
            ],
        }
    )
    object: Literal["list"] = "list"
    data: list[HitOut]


class AskRequest(BaseModel):
    model_config = _request({"question": "What do cats hunt?", "k": 4, "budget": 1000})
    question: StrictStr = Field(min_length=1)
    k: StrictInt = Field(default=8, ge=1, le=1000, description="Passages retrieved before the budget is applied.")
    mode: Mode = "hybrid"
    filters: dict[str, Any] | None = None
    rerank: str | None = None
    budget: StrictInt = Field(default=3000, ge=1, le=1_000_000, description="Tokens of the prompt (cl100k_base).")


class Passage(HitOut):
    id: str = Field(description="<doc_id>#<chunk position>, or <doc_id>#<first>-<last> for consecutive chunks joined")
    n: int = Field(description="The citation number: [n] in the prompt.")


class AskResponse(BaseModel):
    model_config = _examples(
        {
            "question": "What do cats hunt?",
            "passages": [
                {
                    "n": 1,
                    "id": "cats#0",
                    "doc_id": "cats",
                    "score": 0.032,
                    "text": "Cats purr and hunt mice at night.",
                    "source": "cats",
                    "metadata": {},
                }
            ],
            "skipped": 0,
            "tokens": 31,
            "prompt": "[1] (source: cats)\nCats purr and hunt mice at night.\n\nQuestion: What do cats hunt?\n",
            "messages": [{"role": "system", "content": "Answer ..."}, {"role": "user", "content": "[1] ..."}],
        }
    )
    question: str
    passages: list[Passage] = Field(description="Passage [n] is passages[n - 1].")
    skipped: int = Field(description="Hits left out whole because the budget was full.")
    tokens: int
    prompt: str
    messages: list[dict[str, str]] = Field(description="Chat messages ready for any OpenAI-compatible LLM.")
    answer: str | None = Field(
        default=None, description="The LLM's reply citing [n]; null when the server has no --llm-url."
    )
