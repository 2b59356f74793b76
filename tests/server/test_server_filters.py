"""Search filters over HTTP: one that cannot mean what it says is a 400 naming it; any metadata key can be filtered."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "filters",
    [{"year": {"gte": "abc"}}, {"year": {"gte": "2004"}}, {"year": {"lt": ">2005"}}, {"year": {"gt": True}}],
)
def test_a_range_bound_that_is_not_a_number_or_a_date_is_a_400(  # type: ignore[no-untyped-def]
    client, new_collection, unique_name, error_of, filters
) -> None:
    name = new_collection(unique_name)
    response = client.post(f"/v1/collections/{name}/search", json={"query": "bank", "filters": filters})
    assert response.status_code == 400, response.text
    message = error_of(response)["message"]
    assert "filter 'year'" in message and "a number or an ISO-8601 date" in message, message


@pytest.mark.parametrize("key", ['say "hi"', "it's", "a.b", "two words", "café 日本", "x[0]"])
def test_any_metadata_key_can_be_filtered(client, unique_name, key: str) -> None:  # type: ignore[no-untyped-def]
    assert client.post("/v1/collections", json={"name": unique_name}).status_code == 201
    documents = [
        {"id": "match", "text": "Cats purr at night.", "metadata": {key: "yes"}},
        {"id": "other", "text": "Cats sleep all day.", "metadata": {key: "no"}},
    ]
    assert client.post(f"/v1/collections/{unique_name}/documents", json={"documents": documents}).status_code == 200
    for mode in ("dense", "bm25", "hybrid"):
        body = {"query": "cats", "mode": mode, "filters": {key: "yes"}}
        response = client.post(f"/v1/collections/{unique_name}/search", json=body)
        assert response.status_code == 200, response.text
        assert [h["doc_id"] for h in response.json()["data"]] == ["match"], mode
