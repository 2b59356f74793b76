"""Request and response bodies of the model routes (embeddings, models, rerank, tokenize), with examples.

They are the OpenAPI document: FastAPI derives it from these classes, and schemathesis
checks the server against it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

__all__ = [
    "Candidate",
    "DetokenizeRequest",
    "DetokenizeResponse",
    "Embedding",
    "EmbeddingsRequest",
    "EmbeddingsResponse",
    "FillMaskRequest",
    "FillMaskResponse",
    "ModelCard",
    "ModelList",
    "NextSentenceRequest",
    "NextSentenceResponse",
    "RerankDocument",
    "RerankRequest",
    "RerankResponse",
    "RerankResult",
    "TokenizeRequest",
    "TokenizeResponse",
    "Usage",
]

EmbeddingInput = StrictStr | list[StrictStr] | list[StrictInt] | list[list[StrictInt]]


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class EmbeddingsRequest(BaseModel):
    """OpenAI's ``POST /v1/embeddings`` body."""

    model_config = _examples(
        {"model": "all-MiniLM-L6-v2", "input": ["A man is eating food.", "A cat sits on the mat."]},
        {"input": "hello world", "encoding_format": "base64"},
        {"input": [[32, 8415, 23874, 389, 279, 5634, 13]]},
        {"input": [[101, 1037, 4937, 102]], "input_tokenizer": "model"},
    )
    input: EmbeddingInput = Field(
        description="A text, a list of texts, a list of token ids, or a list of lists of token ids. "
        "Token ids are cl100k_base ids, as OpenAI's API reads them (what tiktoken and LangChain's "
        "OpenAIEmbeddings send): they are decoded and embedded as text. See input_tokenizer."
    )
    input_tokenizer: Literal["cl100k_base", "model"] = Field(
        "cl100k_base",
        description="Whose ids integer inputs are (an embedrag extension; openai clients pass it in extra_body): "
        "'cl100k_base' (default, OpenAI's convention) or 'model', the served model's own ids as /tokenize "
        "gives them (its special tokens optional). Ignored for text inputs.",
    )
    model: str | None = Field(default=None, description="A served model (GET /v1/models); default: the first one.")
    encoding_format: Literal["float", "base64"] = Field(
        "float", description="base64: little-endian float32 bytes, as OpenAI sends them."
    )
    dimensions: StrictInt | None = Field(
        None,
        ge=1,
        description="Keep the first N dimensions and renormalise: static (Model2Vec-style, PCA-ordered) models only; "
        "any model accepts its full size.",
    )
    user: str | None = Field(default=None, description="Accepted for compatibility; not used.")


class ImageEmbeddingsRequest(BaseModel):
    """``POST /v1/images/embeddings``: images into a CLIP model's space, answered like /v1/embeddings."""

    model_config = _examples({"model": "my-clip", "input": ["data:image/png;base64,iVBORw0KGgo..."]})
    input: StrictStr | list[StrictStr] = Field(
        description="An image or a list of images: the bytes of each file (PNG, JPEG, WebP, ...) in base64, "
        "optionally as a data: URI."
    )
    model: str | None = Field(default=None, description="A served CLIP model (GET /v1/models shows 'images': true).")
    encoding_format: Literal["float", "base64"] = Field(
        "float", description="base64: little-endian float32 bytes, as OpenAI sends them."
    )


class Embedding(BaseModel):
    object: Literal["embedding"] = "embedding"
    index: int
    embedding: list[float] | str = Field(description="The vector, or its float32 bytes in base64.")


class Usage(BaseModel):
    prompt_tokens: int = Field(description="Tokens of all inputs, special tokens included, before any truncation.")
    total_tokens: int


class EmbeddingsResponse(BaseModel):
    model_config = _examples(
        {
            "object": "list",
            "data": [{"object": "embedding", "index": 0, "embedding": [0.0123, -0.0456, 0.0789]}],
            "model": "all-MiniLM-L6-v2",
            "usage": {"prompt_tokens": 5, "total_tokens": 5},
            "truncated": [],
            "windowed": [],
        }
    )
    object: Literal["list"] = "list"
    data: list[Embedding]
    model: str
    usage: Usage
    truncated: list[int] = Field(
        description="Indices of inputs longer than the model's limit whose first tokens only were embedded "
        "(policy 'truncate'); also in the X-Embedrag-Truncated header."
    )
    windowed: list[int] = Field(description="Indices of long inputs embedded as averaged windows (policy 'window').")


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "embedrag"
    type: Literal["embedding", "rerank"]
    dims: int | None = None
    max_tokens: int | None = Field(
        default=None, description="Tokens per input, special tokens included; null if unlimited."
    )
    truncatable: bool = Field(default=False, description="Whether 'dimensions' below the full size is accepted.")
    images: bool = Field(default=False, description="Whether /v1/images/embeddings accepts it (a CLIP model).")


class ModelList(BaseModel):
    model_config = _examples(
        {
            "object": "list",
            "data": [
                {
                    "id": "all-MiniLM-L6-v2",
                    "object": "model",
                    "created": 0,
                    "owned_by": "embedrag",
                    "type": "embedding",
                    "dims": 384,
                    "max_tokens": 256,
                    "truncatable": False,
                },
                {"id": "late", "object": "model", "created": 0, "owned_by": "embedrag", "type": "rerank"},
            ],
        }
    )
    object: Literal["list"] = "list"
    data: list[ModelCard]


class RerankDocument(BaseModel):
    text: StrictStr = Field(min_length=1)


class RerankRequest(BaseModel):
    """The body Cohere's and Jina's rerank APIs take."""

    model_config = _examples(
        {
            "query": "what do cats hunt?",
            "documents": ["Cats hunt mice at night.", "Stock markets fell sharply today."],
            "top_n": 1,
            "return_documents": True,
        }
    )
    query: StrictStr = Field(min_length=1)
    documents: list[StrictStr | RerankDocument] = Field(min_length=1, description="Texts, or objects with 'text'.")
    model: str | None = Field(
        default=None, description="'late' (MaxSim with the embedding model) or the served cross-encoder."
    )
    top_n: StrictInt | None = Field(default=None, ge=1, description="Return only the best N (default: all).")
    return_documents: bool = False


class RerankResult(BaseModel):
    index: int = Field(description="Position of the document in the request.")
    relevance_score: float
    document: RerankDocument | None = None


class RerankResponse(BaseModel):
    model_config = _examples(
        {
            "model": "late",
            "results": [{"index": 0, "relevance_score": 0.83, "document": {"text": "Cats hunt mice at night."}}],
            "usage": {"total_tokens": 14},
        }
    )
    model: str
    results: list[RerankResult] = Field(description="Best first.")
    usage: dict[str, int]
    truncated: list[int] = Field(
        [], description="With 'late': documents over the embedding model's token limit, scored on their first tokens."
    )


class TokenizeRequest(BaseModel):
    model_config = _examples({"text": "Hello, world"}, {"model": "cl100k_base", "text": "Hello, world"})
    text: StrictStr
    model: str | None = Field(
        None, description="A served embedding model (default: the first) or a catalogue tokenizer such as cl100k_base."
    )


class TokenizeResponse(BaseModel):
    model_config = _examples(
        {
            "model": "all-MiniLM-L6-v2",
            "tokens": [101, 7592, 1010, 2088, 102],
            "pieces": ["[CLS]", "hello", ",", "world", "[SEP]"],
            "count": 5,
            "max_tokens": 256,
        }
    )
    model: str
    tokens: list[int] = Field(description="The ids the model sees, special tokens included: never truncated.")
    pieces: list[str]
    count: int
    max_tokens: int | None = Field(description="The model's limit (null for tokenizers and unlimited models).")


class DetokenizeRequest(BaseModel):
    model_config = _examples({"tokens": [101, 7592, 1010, 2088, 102]})
    tokens: list[StrictInt]
    model: str | None = None


class DetokenizeResponse(BaseModel):
    model_config = _examples({"model": "all-MiniLM-L6-v2", "text": "hello, world"})
    model: str
    text: str


# -- BERT's heads (embedrag serve --heads DIR) --------------------------------------------------


class FillMaskRequest(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{"text": "The cat sat on the [MASK].", "top_k": 5}]}}
    text: StrictStr = Field(min_length=1, max_length=10_000, description="Text with one or more [MASK] tokens.")
    top_k: StrictInt = Field(default=5, ge=1, le=100, description="Candidates per mask.")


class Candidate(BaseModel):
    token: str = Field(description="A word piece of the model's vocabulary.")
    probability: float


class FillMaskResponse(BaseModel):
    model: str = Field(description="The heads folder's name.")
    mask: str = Field(description="The mask token the text must contain.")
    masks: list[list[Candidate]] = Field(description="Per mask, in text order: the best candidates first.")


class NextSentenceRequest(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{"first": "I went to the shop.", "second": "I bought milk."}]}}
    first: StrictStr = Field(min_length=1, max_length=10_000)
    second: StrictStr = Field(min_length=1, max_length=10_000)


class NextSentenceResponse(BaseModel):
    model: str
    is_next: float = Field(description="P(IsNext): the probability that the second sentence follows the first.")
