"""Collection names that try to leave the collections folder are refused on every route, and create nothing."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

NAMES = [
    "../x",
    "..%2Fx",
    "a/b",
    "a\\b",
    "..\\x",
    ".",
    "..",
    ".env",
    "x\x00",
    "\x00",
    "a\x00/../b",
    "x/../..",
    "",
    "x" * 65,
]
"""Traversal, separators, dot names, NUL, empty and too long; an absolute path is added per test (it needs tmp_path)."""
RAW_PATHS = [
    "/v1/collections/..%2F..%2Fetc",
    "/v1/collections/%2e",
    "/v1/collections/%2e%2e",
    "/v1/collections/%2e%2e/search",
    "/v1/collections/..%2fx/documents",
    "/v1/collections/%00",
]
"""Percent-encoded as a client could send them, not re-encoded."""


@pytest.fixture
def guarded_dir(serve, tmp_path: Path):  # type: ignore[no-untyped-def]
    """(url, tmp_path) of a server whose collections folder is ``tmp_path/cols``."""
    with serve(models=("tokenlearn-static-64",), collections=tmp_path / "cols") as url:
        yield url, tmp_path


def _routes(name: str) -> list[tuple[str, str, dict | None]]:  # type: ignore[type-arg]
    base = "/v1/collections/" + quote(name, safe="")
    document = {"documents": [{"id": "d", "text": "hello"}]}
    return [
        ("GET", base, None),
        ("DELETE", base, None),
        ("POST", base + "/documents", document),
        ("PUT", base + "/documents/d", {"text": "hello"}),
        ("DELETE", base + "/documents/d", None),
        ("POST", base + "/search", {"query": "hello"}),
        ("POST", base + "/ask", {"question": "hello"}),
    ]


def test_unsafe_names_are_4xx_everywhere_and_nothing_is_written_outside(guarded_dir) -> None:  # type: ignore[no-untyped-def]
    import httpx

    url, root = guarded_dir
    outside = root / "outside"
    names = [*NAMES, str(outside), str(outside).lstrip("/"), f"../../{outside.name}"]
    with httpx.Client(base_url=url, timeout=60) as http:
        for name in names:
            created = http.post("/v1/collections", json={"name": name})
            assert 400 <= created.status_code < 500, (name, created.text)
            assert set(created.json()) == {"error"}, name
            routes = _routes(name) if name.strip(".") else []  # a client resolves "." and "..": see RAW_PATHS
            for method, path, body in routes:
                response = http.request(method, path, json=body)
                assert 400 <= response.status_code < 500, (name, method, path, response.text)
        for path in RAW_PATHS:
            for method in ("GET", "DELETE", "POST"):
                response = http.request(method, path, json={"query": "x"} if method == "POST" else None)
                assert 400 <= response.status_code < 500, (method, path, response.text)
        assert http.get("/v1/collections").json()["data"] == []
    assert sorted(p.name for p in root.iterdir()) == ["cols"]  # nothing beside the collections folder
    assert list((root / "cols").iterdir()) == []
    assert not (root.parent / "x").exists() and not (root.parent / "b").exists()
