"""Errors as HTTP answers in OpenAI's shape: ``{"error": {"message", "type", "param", "code"}}``.

Library errors map to statuses by class (a table, most specific first); validation errors
name the field; anything else is a bug and propagates as a 500 after being logged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from embedrag.errors import (
    CollectionLockedError,
    ConfigError,
    EmbedragError,
    InputError,
    MissingDependencyError,
    ModelNotFoundError,
    SpecMismatchError,
)
from embedrag.tokenize.protocol import check_text

__all__ = ["ERROR_RESPONSES", "ApiError", "ErrorBody", "ErrorResponse", "error_json", "install_error_handlers"]


class ErrorBody(BaseModel):
    message: str = Field(description="What went wrong, in one sentence, naming the field or input.")
    type: str = Field(description="invalid_request_error, authentication_error, not_found_error, ...")
    param: str | None = Field(None, description="The request field at fault, when there is one.")
    code: str | None = Field(None, description="A stable machine-readable code, e.g. model_not_found.")


class ErrorResponse(BaseModel):
    """Every error answer has this body."""

    error: ErrorBody

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "error": {
                        "message": "input 1 is empty",
                        "type": "invalid_request_error",
                        "param": "input",
                        "code": "invalid_input",
                    }
                }
            ]
        }
    }


class ApiError(Exception):
    """An answer other than 2xx, raised by route code."""

    def __init__(self, status: int, message: str, *, type: str, code: str, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param = status, message, type, code, param


_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "not_found_error",
    405: "invalid_request_error",
    409: "conflict_error",
    413: "request_too_large",
    422: "invalid_request_error",
    503: "service_unavailable",
}

# Library error class -> (status, code); the first match wins, so subclasses come first.
_BY_CLASS: tuple[tuple[type[EmbedragError], int, str], ...] = (
    (SpecMismatchError, 409, "spec_mismatch"),
    (CollectionLockedError, 409, "collection_locked"),
    (ModelNotFoundError, 404, "model_not_found"),
    (MissingDependencyError, 400, "missing_dependency"),
    (InputError, 400, "invalid_input"),
    (ConfigError, 400, "invalid_option"),
)

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in (
        (400, "Invalid input or option"),
        (401, "Missing or wrong API key"),
        (404, "Unknown model, collection or document"),
        (409, "Conflict: the collection exists, is locked by another writer, or was built with another model"),
        (413, "Request body too large"),
        (422, "Malformed request: wrong types or missing fields"),
        (503, "The models failed to load"),
    )
}
"""Documented on every route (OpenAPI), so clients and schemathesis know the error shape."""


def error_json(
    status: int, message: str, *, code: str, param: str | None = None, type: str | None = None
) -> JSONResponse:
    # A message may quote request text that UTF-8 cannot encode (a lone surrogate): escape it, or the answer is a 500.
    message = message.encode("utf-8", "backslashreplace").decode("utf-8")
    body = {
        "error": {"message": message, "type": type or _TYPES.get(status, "api_error"), "param": param, "code": code}
    }
    return JSONResponse(body, status_code=status)


def from_library(exc: EmbedragError) -> ApiError | None:
    """The HTTP answer for a library error caused by the request, or ``None`` (a server-side fault)."""
    for cls, status, code in _BY_CLASS:
        if isinstance(exc, cls):
            return ApiError(status, str(exc), type=_TYPES[status], code=code)
    return None


_PLACES = ("body", "query", "path", "header")

# Pydantic names the member of a union it tried (``str``, ``list[int]``, ``RerankDocument``) in the location.
_UNION_TAG = re.compile(r"^(str|int|float|bool|list\[.*\]|dict\[.*\]|[A-Z]\w*)$")


def _field(loc: tuple[Any, ...]) -> tuple[str, str]:
    """(the top-level field, the full location such as ``documents[1].text``) of a validation error."""
    parts = list(loc[1:] if loc and loc[0] in _PLACES else loc)  # a field may be named "query"
    parts = [p for p in parts if not (isinstance(p, str) and _UNION_TAG.match(p))]
    if not parts:
        return "body", "body"
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")
    return str(parts[0]), where


def _union_forms(errors: Sequence[Any]) -> list[str]:
    """The union members pydantic tried for the first error's field, e.g. ``['str', 'list[str]']``."""
    loc = tuple(errors[0].get("loc", ()))
    if len(loc) < 3 or not (isinstance(loc[2], str) and _UNION_TAG.match(loc[2])):
        return []
    same_field = [tuple(e.get("loc", ())) for e in errors if tuple(e.get("loc", ()))[:2] == loc[:2]]
    return list(dict.fromkeys(str(other[2]) for other in same_field if len(other) > 2))


def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0]
    if first.get("type") == "json_invalid":
        detail = first.get("ctx", {}).get("error", "JSON decode error")
        return error_json(400, f"the body is not valid JSON: {detail}", code="invalid_json")
    if tuple(first.get("loc", ())) == ("body",):
        return error_json(422, _whole_body(request, first), code=str(first.get("type")), param="body")
    field, where = _field(tuple(first.get("loc", ())))
    if first.get("type") == "string_unicode" and isinstance(first.get("input"), str):
        return error_json(400, _not_unicode(first["input"], where), code="invalid_input", param=field)
    forms = _union_forms(exc.errors())
    if forms:
        message = f"{where}: not one of the accepted forms ({', '.join(forms)}): {first.get('msg', 'invalid value')}"
    else:
        more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
        message = f"{where}: {first.get('msg', 'invalid value')}{more}"
    return error_json(422, message, code=str(first.get("type", "invalid_value")), param=field)  # pydantic error type


_JSON_KINDS = ((bool, "a boolean"), (list, "an array"), (str, "a string"), (int, "a number"), (float, "a number"))


def _whole_body(request: Request, error: dict[str, Any]) -> str:
    """What the body is, when it is not a JSON object at all (pydantic only says it is not a dict)."""
    given = error.get("input")
    if error.get("type") == "missing":
        return "the body is empty (or null): send a JSON object with Content-Type: application/json"
    if isinstance(given, bytes):  # FastAPI reads JSON only when the content type says so (curl -d sends a form's)
        sent = request.headers.get("content-type", "none")
        return f"the body must be a JSON object sent with Content-Type: application/json, not {sent!r}"
    kind = next((name for cls, name in _JSON_KINDS if isinstance(given, cls)), type(given).__name__)
    return f"the body must be a JSON object, not {kind}"


def _unreadable(exc: BaseException | None) -> str | None:
    """Why a body that FastAPI could not parse is not JSON, or ``None`` for another failure."""
    if isinstance(exc, UnicodeDecodeError):
        return f"it is not UTF-8 (byte 0x{exc.object[exc.start]:02x} at position {exc.start})"
    if isinstance(exc, RecursionError):
        return "its arrays or objects are nested too deeply"
    return None


def _not_unicode(text: str, where: str) -> str:
    """What pydantic refused in a string: the position of its lone surrogate."""
    try:
        check_text(text, what=where)
    except InputError as exc:
        return str(exc)
    return f"{where} is not valid Unicode"


def install_error_handlers(app: FastAPI) -> None:
    """Answer every expected failure with an OpenAI-shaped JSON body."""

    async def api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_json(exc.status, exc.message, code=exc.code, param=exc.param, type=exc.type)

    async def validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return _validation(request, exc)

    async def http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        why = _unreadable(exc.__cause__)
        if why is not None:  # FastAPI says only "There was an error parsing the body"
            return error_json(400, f"the body is not valid JSON: {why}", code="invalid_json")
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_json(exc.status_code, str(exc.detail), code=code)

    async def library(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, EmbedragError)
        answer = from_library(exc)
        if answer is None:
            raise exc  # not the caller's fault: a 500, logged with its traceback
        return await api_error(request, answer)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(HTTPException, http)
    app.add_exception_handler(EmbedragError, library)
