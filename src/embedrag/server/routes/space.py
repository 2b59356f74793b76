"""The UI's Space page: a 2-D map of a collection's chunks, their neighbours, and a query among them.

``GET /v1/collections/{name}/map`` projects up to :data:`MAX_POINTS` chunks (evenly sampled
beyond, and the answer says so) with PCA, or UMAP when its extra is installed, and returns
compact columns (x, y, colour group, id) plus a ``map_id``. The map and its sample's unit
vectors stay in memory, so ``/v1/maps/{map_id}/points/{i}`` (text and nearest chunks) and
``/v1/maps/{map_id}/query`` (where a typed query falls) answer without reading the store again.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import numpy as np
import numpy.typing as npt
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field, StrictStr

from embedrag._linalg import unit_rows
from embedrag.errors import InputError
from embedrag.plot.maps import MAP_METHODS, project
from embedrag.search.modes import embed_query
from embedrag.server.errors import ApiError
from embedrag.server.routes._deps import blocking, get_state
from embedrag.server.routes._ui_state import UiState, ui_state
from embedrag.server.routes.collections import NAME
from embedrag.server.state import ServerState

__all__ = ["MAX_POINTS", "router"]

router = APIRouter(tags=["ui"])

MAX_POINTS = 100_000
"""The most chunks a map draws; a larger collection is sampled evenly, and the answer says so."""
COLOURS = 10
"""The most frequent values of the colour field get a colour each; the rest are ``other``."""
NEIGHBOURS = 8
FOLDER = "folder"


@dataclass(frozen=True)
class _Map:
    collection: str
    ids: list[str]
    texts: list[str]
    sources: list[str]
    metadata: list[dict[str, Any]]
    points: npt.NDArray[np.float64]
    unit: npt.NDArray[np.float32]


class MapOut(BaseModel):
    map_id: str
    collection: str
    method: str
    color_by: str
    total: int = Field(description="Chunks in the collection.")
    shown: int = Field(description="Chunks on the map: all of them, or an even sample of MAX_POINTS.")
    sampled: bool
    fields: list[str] = Field(description="Metadata fields the map can be coloured by.")
    groups: list[str] = Field(description="Colour groups; group[i] indexes this list.")
    x: list[float]
    y: list[float]
    group: list[int]
    ids: list[str]


def _label(field: str, source: str, metadata: dict[str, Any]) -> str:
    value = PurePath(source).parent.name or "(top)" if field == FOLDER else metadata.get(field)
    return "(none)" if value is None else str(value)


def _groups(labels: list[str]) -> tuple[list[str], list[int]]:
    """(group names, each point's group): the most frequent values, then ``other``."""
    names = [value for value, _ in Counter(labels).most_common(COLOURS if len(set(labels)) <= COLOURS else COLOURS - 1)]
    if len(set(labels)) > COLOURS:
        names.append("other")
    index = {name: i for i, name in enumerate(names)}
    return names, [index.get(label, len(names) - 1) for label in labels]


def _build(state: ServerState, name: str, method: str) -> tuple[_Map, int]:
    registry = state.collections
    assert registry is not None
    with registry.use(name) as col:
        rows = list(col.chunks(with_vectors=True))
    total = len(rows)
    if total > MAX_POINTS:
        rows = [rows[i] for i in np.linspace(0, total - 1, MAX_POINTS).round().astype(int)]
    if len(rows) < 3:
        raise InputError(f"collection {name!r} has {len(rows)} chunk(s); a map needs at least 3")
    vectors = np.stack([r.vector for r in rows if r.vector is not None]).astype(np.float32)
    points = project(vectors, method)
    built = _Map(
        name,
        [r.id for r in rows],
        [r.text for r in rows],
        [r.source for r in rows],
        [r.metadata for r in rows],
        points,
        unit_rows(vectors),
    )
    return built, total


def _fields(metadata: list[dict[str, Any]]) -> list[str]:
    seen: Counter[str] = Counter(key for m in metadata[:5000] for key in m)
    return [FOLDER] + [key for key, _ in seen.most_common(20) if key not in ("headings", "page")]


@router.get("/v1/collections/{name}/map", response_model=MapOut, summary="A 2-D map of the chunks (UI)")
async def collection_map(
    name: str = NAME,
    method: str = Query("pca", description="pca, or umap with the umap extra."),
    color_by: str = Query(FOLDER, max_length=200, description="A metadata field, or 'folder' (of the source)."),
    state: ServerState = Depends(get_state),
    ui: UiState = Depends(ui_state),
) -> MapOut:
    if method not in MAP_METHODS:
        raise ApiError(
            400,
            f"unknown projection {method!r}; choose one of {', '.join(MAP_METHODS)}",
            type="invalid_request_error",
            code="invalid_option",
            param="method",
        )
    registry = await state.registry()

    def version() -> str:
        opening = registry.opening(name)
        with registry.use(name) as col:
            return f"{opening}.{col.stats()['generation']}"

    map_id = hashlib.sha256(f"{name}|{await blocking(version)}|{method}".encode()).hexdigest()[:16]
    found = ui.maps.get(map_id)
    if found is None:
        built, total = await blocking(_build, state, name, method)
        found = (built, total)
        ui.keep_map(map_id, found)
    built, total = found
    labels = [_label(color_by, s, m) for s, m in zip(built.sources, built.metadata, strict=True)]
    groups, group = _groups(labels)
    return MapOut(
        map_id=map_id,
        collection=name,
        method=method,
        color_by=color_by,
        total=total,
        shown=len(built.ids),
        sampled=len(built.ids) < total,
        fields=_fields(built.metadata),
        groups=groups,
        x=np.round(built.points[:, 0], 5).tolist(),
        y=np.round(built.points[:, 1], 5).tolist(),
        group=group,
        ids=built.ids,
    )


def _map(ui: UiState, map_id: str) -> _Map:
    found = ui.maps.get(map_id)
    if found is None:
        raise ApiError(
            404, "this map is no longer held by the server: reload the map", type="not_found_error", code="map_expired"
        )
    built: _Map = found[0]
    return built


class Neighbour(BaseModel):
    i: int
    id: str
    score: float


class PointOut(BaseModel):
    i: int
    id: str
    text: str
    source: str
    metadata: dict[str, Any]
    neighbours: list[Neighbour] = Field(description="The nearest other chunks on the map, by cosine.")


def _nearest(built: _Map, vector: npt.NDArray[np.float32], skip: int | None) -> list[Neighbour]:
    scores = built.unit @ vector
    if skip is not None:
        scores[skip] = -np.inf
    k = min(NEIGHBOURS, len(scores) - (skip is not None))
    best = np.argpartition(-scores, k - 1)[:k]
    best = best[np.argsort(-scores[best])]
    return [Neighbour(i=int(i), id=built.ids[i], score=round(float(scores[i]), 5)) for i in best]


@router.get("/v1/maps/{map_id}/points/{i}", response_model=PointOut, summary="One point of a map (UI)")
async def point(i: int, map_id: str, ui: UiState = Depends(ui_state)) -> PointOut:
    built = _map(ui, map_id)
    if not 0 <= i < len(built.ids):
        raise ApiError(
            404, f"no point {i} on this map ({len(built.ids)} points)", type="not_found_error", code="not_found"
        )
    neighbours = await blocking(_nearest, built, built.unit[i], i)
    return PointOut(
        i=i,
        id=built.ids[i],
        text=built.texts[i],
        source=built.sources[i],
        metadata=built.metadata[i],
        neighbours=neighbours,
    )


class MapQuery(BaseModel):
    query: StrictStr = Field(min_length=1, max_length=10_000)


class QueryPoint(BaseModel):
    x: float
    y: float
    neighbours: list[Neighbour]
    placed: str = Field(description="How the point was placed.")


@router.post("/v1/maps/{map_id}/query", response_model=QueryPoint, summary="Where a query falls on a map (UI)")
async def query_point(
    body: MapQuery, map_id: str, state: ServerState = Depends(get_state), ui: UiState = Depends(ui_state)
) -> QueryPoint:
    """The query is embedded by the collection's model and placed at the similarity-weighted mean of its
    nearest chunks' positions (the same rule for PCA and UMAP, which has no exact inverse)."""
    if not body.query.strip():
        raise InputError("the query is empty")
    built = _map(ui, map_id)
    registry = await state.registry()

    def run() -> QueryPoint:
        with registry.use(built.collection) as col:
            vector = unit_rows(embed_query(col.embedder, body.query).vectors)[0]
        neighbours = _nearest(built, vector, None)
        weights = np.array([max(n.score, 0.0) for n in neighbours]) + 1e-6
        where = (built.points[[n.i for n in neighbours]] * weights[:, None]).sum(axis=0) / weights.sum()
        return QueryPoint(
            x=float(where[0]),
            y=float(where[1]),
            neighbours=neighbours,
            placed=f"at the similarity-weighted mean of its {len(neighbours)} nearest chunks",
        )

    return await blocking(run)
