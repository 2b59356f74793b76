"""What the UI's collection pages need beyond the core API: list documents, "more like this",
and file uploads ingested by the same loaders as ``embedrag ingest``.

Uploaded files are kept under ``<collections>/.uploads/<collection>/`` (a name with a dot is
never a collection): the file name is checked against :data:`FILE_NAME` before any path is
built, so a name such as ``../../etc/passwd`` is refused, not resolved.
"""

from __future__ import annotations

import re
from pathlib import Path as FsPath
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field, StrictInt

from embedrag.collection import hit_dict
from embedrag.server.collection_schemas import HitOut, IngestResponse, SearchResponse, Skip
from embedrag.server.errors import ApiError
from embedrag.server.registry import CollectionRegistry
from embedrag.server.routes._deps import blocking, get_state
from embedrag.server.routes.collections import NAME
from embedrag.server.state import ServerState

__all__ = ["FILE_NAME", "MAX_UPLOAD_BYTES", "UPLOADS", "router"]

router = APIRouter(tags=["collections"])

UPLOADS = ".uploads"
"""The folder, inside the collections directory, that holds uploaded files (one sub-folder per collection)."""
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
"""Largest uploaded file (the server's body limit applies too, whichever is smaller)."""
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.,()+-]{0,127}$")
"""A bare file name: letters, digits, spaces and ``_.,()+-``, no separators, not starting with a dot."""


class DocumentRow(BaseModel):
    id: str
    source: str
    chunks: int
    metadata: dict[str, Any]


class DocumentPage(BaseModel):
    object: str = "list"
    total: int = Field(description="Documents in the collection (matching ``prefix``).")
    offset: int
    data: list[DocumentRow]


@router.get("/v1/collections/{name}/documents", response_model=DocumentPage, summary="List documents")
async def list_documents(
    name: str = NAME,
    offset: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
    prefix: str = Query("", description="Only ids starting with this."),
    state: ServerState = Depends(get_state),
) -> DocumentPage:
    registry = await state.registry()

    def run() -> DocumentPage:
        with registry.use(name) as col:
            infos = [d for d in col.documents() if d.id.startswith(prefix)]
        rows = [DocumentRow(id=d.id, source=d.source, chunks=d.chunks, metadata=dict(d.metadata)) for d in infos]
        return DocumentPage(total=len(rows), offset=offset, data=rows[offset : offset + limit])

    return await blocking(run)


class SimilarRequest(BaseModel):
    doc_id: str = Field(min_length=1, description="The document to find others like.")
    k: StrictInt = Field(default=10, ge=1, le=100)


@router.post("/v1/collections/{name}/similar", response_model=SearchResponse, summary="More like this document")
async def similar(body: SimilarRequest, name: str = NAME, state: ServerState = Depends(get_state)) -> SearchResponse:
    """The best chunk of each of the ``k`` documents nearest to ``doc_id`` (its mean chunk vector)."""
    registry = await state.registry()

    def run() -> SearchResponse:
        with registry.use(name) as col:
            if not col.has_document(body.doc_id):
                raise ApiError(404, f"no document {body.doc_id!r}", type="not_found_error", code="document_not_found")
            hits = col.similar(body.doc_id, k=body.k)
        return SearchResponse(data=[HitOut(**hit_dict(h)) for h in hits])

    return await blocking(run)


def upload_path(root: FsPath, collection: str, filename: str) -> FsPath:
    """Where an upload called ``filename`` is kept; 400 for a name that is not a bare, safe file name."""
    if not FILE_NAME.fullmatch(filename) or ".." in filename:
        raise ApiError(
            400,
            f"invalid file name {filename!r}: use a plain file name (letters, digits, spaces, '_.,()+-'), "
            "no folders and no leading dot",
            type="invalid_request_error",
            code="invalid_file_name",
            param="filename",
        )
    folder = (root / UPLOADS / collection).resolve()
    path = (folder / filename).resolve()
    if path.parent != folder:  # belt and braces: the pattern already rules this out
        raise ApiError(400, f"invalid file name {filename!r}", type="invalid_request_error", code="invalid_file_name")
    return path


def _put_back(path: FsPath, before: bytes | None) -> None:
    """The upload ``path`` as it was before a refused upload: its earlier bytes, or no file."""
    if before is None:
        path.unlink(missing_ok=True)
    else:
        path.write_bytes(before)


def _ingest_file(registry: CollectionRegistry, name: str, filename: str, data: bytes) -> IngestResponse:
    path = upload_path(registry.root, name, filename)
    with registry.use(name) as col:  # 404 before anything is written for a collection that is not there
        path.parent.mkdir(parents=True, exist_ok=True)
        before = path.read_bytes() if path.exists() else None
        path.write_bytes(data)
        try:
            report = col.ingest([path])
        except BaseException:
            _put_back(path, before)
            raise
        if report.skipped and not (report.added or report.updated or report.unchanged):
            _put_back(path, before)  # the file the collection holds stays the one it read
    return IngestResponse(
        added=report.added,
        updated=report.updated,
        unchanged=report.unchanged,
        chunks=report.chunks,
        skipped=[
            Skip(source=FsPath(s.source).name, reason=s.reason.replace(f"{path.parent}/", "")) for s in report.skipped
        ],
    )


@router.put(
    "/v1/collections/{name}/files/{filename:path}",
    response_model=IngestResponse,
    summary="Upload one file and ingest it",
    openapi_extra={"requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string"}}}}},
)
async def upload_file(
    filename: str, request: Request, name: str = NAME, state: ServerState = Depends(get_state)
) -> IngestResponse:
    """The body is the file's bytes; its suffix picks the loader (.md, .txt, .html, .pdf, .jsonl, ...).
    The document id is the file name: uploading it again replaces it, or leaves it unchanged."""
    registry = await state.registry()
    limit = min(MAX_UPLOAD_BYTES, state.settings.max_body_bytes)
    data = await request.body()
    if len(data) > limit:
        raise ApiError(
            413,
            f"{filename!r} is {len(data)} bytes; uploads are limited to {limit} bytes",
            type="request_too_large",
            code="file_too_large",
        )
    if not data:
        raise ApiError(400, f"{filename!r} is empty", type="invalid_request_error", code="invalid_input")
    upload_path(registry.root, name, filename)  # check the name before anything else
    return await blocking(_ingest_file, registry, name, filename, data)
