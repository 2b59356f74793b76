"""A sharded collection in the folder of a server not on Ray: left out of the listing, a clear 400
when named (``embedrag serve --ray`` serves it: tests/distributed/test_serve_on_ray.py)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from embedrag.collection import Collection
from embedrag.types import Document

STATIC = "tokenlearn-static-64"


def test_a_server_off_ray_names_the_way_to_serve_a_sharded_collection(
    serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("embedrag.server.registry._ray_ready", lambda: False)  # whatever this process joined
    with Collection.open(tmp_path / "notes", model=STATIC) as col:
        col.add([Document("a", "Cats purr.", "a")])
    (tmp_path / "big").mkdir()
    (tmp_path / "big" / "shards.json").write_text(json.dumps({"format": 1, "shards": 2}))
    with serve(models=(STATIC,), collections=tmp_path) as url:
        assert [c["name"] for c in httpx.get(f"{url}/v1/collections").json()["data"]] == ["notes"]
        got = httpx.post(f"{url}/v1/collections/big/search", json={"query": "cats"})
        assert got.status_code == 400
        error = got.json()["error"]
        assert error["code"] == "sharded_collection_needs_ray"
        assert "embedrag serve --ray" in error["message"]
        assert (tmp_path / "big" / "shards.json").is_file()  # nothing removed or created
        assert sorted(p.name for p in (tmp_path / "big").iterdir()) == ["shards.json"]
