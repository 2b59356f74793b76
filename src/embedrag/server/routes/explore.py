"""The UI's Words and Inside pages: static word vectors (GloVe 6B 50d, shipped offline) and the
per-layer similarity of a word across sentences in a transformer (all-MiniLM-L6-v2).

Each model loads once per server, on the first request that needs it.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, StrictInt, StrictStr

from embedrag.errors import InputError
from embedrag.plot.words import word_map
from embedrag.server.routes._deps import blocking
from embedrag.server.routes._ui_state import UiState, ui_state
from embedrag.words import parse_analogy

__all__ = ["router"]

router = APIRouter(tags=["ui"])

Word = Field(min_length=1, max_length=100)


class NeighbourOut(BaseModel):
    word: str
    score: float


class WordsOut(BaseModel):
    vectors: str = Field(description="The word vectors used.")
    results: list[NeighbourOut]


class SimilarWords(BaseModel):
    word: StrictStr = Word
    k: StrictInt = Field(default=10, ge=1, le=100)


class Analogy(BaseModel):
    expression: StrictStr = Field(min_length=1, max_length=500, description="'king - man + woman'.")
    method: Literal["add", "mul"] = "add"
    k: StrictInt = Field(default=10, ge=1, le=100)


class OddOneOut(BaseModel):
    words: list[StrictStr] = Field(min_length=3, max_length=50)


class WordPlot(BaseModel):
    words: list[StrictStr] = Field(default_factory=list, max_length=200)
    analogies: list[StrictStr] = Field(
        default_factory=list, max_length=10, description="'king - man + woman' or 'man:woman::king:queen'."
    )


class WordPlotOut(BaseModel):
    words: list[str]
    x: list[float]
    y: list[float]
    arrows: list[dict[str, int]] = Field(description="{start, end, group}: indices into words.")
    analogies: list[str]


@router.post("/v1/words/similar", response_model=WordsOut, summary="Nearest words (UI)")
async def similar_words(body: SimilarWords, ui: UiState = Depends(ui_state)) -> WordsOut:
    wv = await blocking(ui.word_vectors)
    found = await blocking(wv.most_similar, body.word.strip(), body.k)
    return WordsOut(vectors=wv.name, results=[NeighbourOut(word=n.word, score=n.score) for n in found])


@router.post("/v1/words/analogy", response_model=WordsOut, summary="Solve an analogy (UI)")
async def analogy(body: Analogy, ui: UiState = Depends(ui_state)) -> WordsOut:
    positive, negative = parse_analogy(body.expression)
    wv = await blocking(ui.word_vectors)
    found = await blocking(lambda: wv.analogy(positive, negative, k=body.k, method=body.method))
    return WordsOut(vectors=wv.name, results=[NeighbourOut(word=n.word, score=n.score) for n in found])


@router.post("/v1/words/odd", response_model=WordsOut, summary="The odd one out (UI)")
async def odd_one_out(body: OddOneOut, ui: UiState = Depends(ui_state)) -> WordsOut:
    wv = await blocking(ui.word_vectors)
    odd = await blocking(wv.doesnt_match, [w.strip() for w in body.words])
    return WordsOut(vectors=wv.name, results=[NeighbourOut(word=odd.word, score=odd.score)])


@router.post("/v1/words/plot", response_model=WordPlotOut, summary="Words in 2-D with analogy arrows (UI)")
async def plot_words(body: WordPlot, ui: UiState = Depends(ui_state)) -> WordPlotOut:
    if len(body.words) + 3 * len(body.analogies) < 2:
        raise InputError("give at least two words (or an analogy) to plot")
    wv = await blocking(ui.word_vectors)
    found = await blocking(word_map, wv, [w.strip() for w in body.words if w.strip()], body.analogies)
    return WordPlotOut(
        words=found.words,
        x=np.round(found.points[:, 0], 5).tolist(),
        y=np.round(found.points[:, 1], 5).tolist(),
        arrows=[{"start": a.start, "end": a.end, "group": a.group} for a in found.arrows],
        analogies=found.analogies,
    )


class Compare(BaseModel):
    word: StrictStr = Word
    sentences: list[StrictStr] = Field(min_length=2, max_length=8)


class CompareOut(BaseModel):
    model: str
    static_vectors: str | None = Field(description="The static vectors of the flat line, or None if the word has none.")
    result: dict[str, Any] = Field(description="{word, sentences, pieces, layers: [{layer, similarity}], static}.")


@router.post("/v1/contextual/compare", response_model=CompareOut, summary="A word across sentences, per layer (UI)")
async def compare(body: Compare, ui: UiState = Depends(ui_state)) -> CompareOut:
    """Cosine similarity of ``word``'s contextual vectors between the sentences after each layer,
    beside its static GloVe vector (the same in every sentence)."""
    from embedrag.embed.contextual import compare_word

    encoder = await blocking(ui.contextual)
    wv = await blocking(ui.word_vectors)
    static = wv[body.word] if body.word in wv else None  # noqa: SIM401 (WordVectors has no .get)
    result = await blocking(compare_word, encoder, body.word, list(body.sentences), static=static)
    return CompareOut(
        model=encoder.name, static_vectors=wv.name if static is not None else None, result=result.as_dict()
    )
