"""Collections over HTTP: list, create, inspect, delete; add, replace and delete documents."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Depends, Path

from embedrag.collection import Collection
from embedrag.errors import InputError
from embedrag.server.collection_schemas import (
    CollectionCreate,
    CollectionInfo,
    CollectionList,
    DeleteResponse,
    DocumentIn,
    DocumentsRequest,
    DocumentUpdate,
    IngestResponse,
    Skip,
)
from embedrag.server.errors import ApiError
from embedrag.server.registry import NAME_PATTERN, CollectionRegistry
from embedrag.server.routes._deps import blocking, get_state
from embedrag.server.state import ServerState
from embedrag.tokenize.protocol import check_text
from embedrag.types import Document

__all__ = ["NAME", "router"]

router = APIRouter(tags=["collections"])

NAME = Path(pattern=NAME_PATTERN, description="The collection's name.")


def _info(registry: CollectionRegistry, name: str) -> CollectionInfo:
    with registry.use(name) as col:
        stats = col.stats()
    return CollectionInfo(
        name=name, documents=stats["documents"], chunks=stats["chunks"], model=stats["model"], dims=stats["dims"]
    )


@router.get("/v1/collections", response_model=CollectionList, summary="List collections")
async def list_collections(state: ServerState = Depends(get_state)) -> CollectionList:
    registry = await state.registry()

    def run() -> list[CollectionInfo]:
        infos = []
        for name in registry.names():
            try:
                infos.append(_info(registry, name))
            except ApiError as exc:  # deleted by another request since it was listed: not there any more
                if exc.code != "collection_not_found":
                    raise
        return infos

    return CollectionList(data=await blocking(run))


@router.post("/v1/collections", response_model=CollectionInfo, status_code=201, summary="Create a collection")
async def create_collection(body: CollectionCreate, state: ServerState = Depends(get_state)) -> CollectionInfo:
    """An empty collection embedded by a served model; 409 if the name is taken."""
    registry = await state.registry()
    served = await state.model(body.model)
    await blocking(registry.create, body.name, served.embedder)
    return await blocking(_info, registry, body.name)


@router.get("/v1/collections/{name}", response_model=CollectionInfo, summary="Describe a collection")
async def get_collection(name: str = NAME, state: ServerState = Depends(get_state)) -> CollectionInfo:
    return await blocking(_info, await state.registry(), name)


@router.delete("/v1/collections/{name}", response_model=DeleteResponse, summary="Delete a collection and its files")
async def delete_collection(name: str = NAME, state: ServerState = Depends(get_state)) -> DeleteResponse:
    await blocking((await state.registry()).delete, name)
    return DeleteResponse(id=name)


def _document(doc: DocumentUpdate, doc_id: str, where: str) -> Document:
    """The library's document; 400 naming the field if some string in it is not valid Unicode."""
    for place, text in _strings(doc.model_dump(), where):
        try:
            check_text(text, what=place)
        except InputError as exc:  # SQLite stores UTF-8: it would fail now, or the answers quoting it later
            raise ApiError(
                400, str(exc), type="invalid_request_error", code="invalid_input", param="documents"
            ) from None
    return Document(doc_id, doc.text, doc.source or doc_id, dict(doc.metadata))


def _check_unique_ids(documents: list[DocumentIn]) -> None:
    """400 naming the first id given twice: one would replace the other, and the counts would lie."""
    first: dict[str, int] = {}
    for index, doc in enumerate(documents):
        if doc.id in first:
            raise ApiError(
                400,
                f"document id {doc.id!r} is given twice (documents[{first[doc.id]}] and documents[{index}]); "
                "ids must be unique in a request",
                type="invalid_request_error",
                code="duplicate_id",
                param="documents",
            )
        first[doc.id] = index


def _strings(value: object, where: str) -> Iterator[tuple[str, str]]:
    """Every string in a JSON value, keys included, with where it is (``documents[1].metadata.tags[0]``)."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"a key of {where}", str(key)
            yield from _strings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")


def _ingest(registry: CollectionRegistry, name: str, documents: list[Document]) -> IngestResponse:
    with registry.use(name) as col:
        report = col.add(documents)
    return IngestResponse(
        added=report.added,
        updated=report.updated,
        unchanged=report.unchanged,
        chunks=report.chunks,
        skipped=[Skip(source=s.source, reason=s.reason) for s in report.skipped],
    )


def _require_document(col: Collection, doc_id: str) -> None:
    if not col.has_document(doc_id):
        raise ApiError(404, f"no document {doc_id!r}", type="not_found_error", code="document_not_found")


@router.post("/v1/collections/{name}/documents", response_model=IngestResponse, summary="Add or replace documents")
async def add_documents(
    body: DocumentsRequest, name: str = NAME, state: ServerState = Depends(get_state)
) -> IngestResponse:
    """Chunk, embed and store documents. A known id with new text is replaced; with the same text, unchanged."""
    if len(body.documents) > state.settings.max_inputs:
        raise ApiError(
            400,
            f"{len(body.documents)} documents in one request; the limit is {state.settings.max_inputs}",
            type="invalid_request_error",
            code="invalid_input",
            param="documents",
        )
    _check_unique_ids(body.documents)
    documents = [_document(d, d.id, f"documents[{i}]") for i, d in enumerate(body.documents)]
    return await blocking(_ingest, await state.registry(), name, documents)


@router.put(
    "/v1/collections/{name}/documents/{doc_id:path}", response_model=IngestResponse, summary="Replace one document"
)
async def update_document(
    body: DocumentUpdate, doc_id: str, name: str = NAME, state: ServerState = Depends(get_state)
) -> IngestResponse:
    """Replace the text and metadata of an existing document; 404 if there is none with this id."""
    document = _document(body, doc_id, "body")
    return await blocking(_replace, await state.registry(), name, document)


def _replace(registry: CollectionRegistry, name: str, document: Document) -> IngestResponse:
    with registry.use(name) as col:
        _require_document(col, document.id)
        col.put([document])  # not add: that leaves a document whose text is unchanged as it was, metadata too
        chunks = len(col.chunks_of([document.id]))
    return IngestResponse(added=0, updated=1, unchanged=0, chunks=chunks, skipped=[])


@router.delete(
    "/v1/collections/{name}/documents/{doc_id:path}", response_model=DeleteResponse, summary="Delete one document"
)
async def delete_document(doc_id: str, name: str = NAME, state: ServerState = Depends(get_state)) -> DeleteResponse:
    registry = await state.registry()

    def run() -> None:
        with registry.use(name) as col:
            if col.delete([doc_id]) == 0:
                raise ApiError(404, f"no document {doc_id!r}", type="not_found_error", code="document_not_found")

    await blocking(run)
    return DeleteResponse(id=doc_id)
