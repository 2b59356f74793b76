"""Collections over HTTP: create, fill, search (modes, filters), replace, delete, ask; safe names."""

from __future__ import annotations

import pytest


def test_create_list_describe_and_refuse_a_duplicate(client, unique_name, error_of) -> None:  # type: ignore[no-untyped-def]
    created = client.post("/v1/collections", json={"name": unique_name})
    assert created.status_code == 201
    info = {"name": unique_name, "documents": 0, "chunks": 0, "model": "tokenlearn-static-64", "dims": 64}
    assert created.json() == info
    again = client.post("/v1/collections", json={"name": unique_name})
    assert again.status_code == 409 and error_of(again)["code"] == "collection_exists"
    assert unique_name in [c["name"] for c in client.get("/v1/collections").json()["data"]]
    assert client.get(f"/v1/collections/{unique_name}").json() == info


def test_documents_are_searchable_in_every_mode_and_filterable(client, new_collection, unique_name) -> None:  # type: ignore[no-untyped-def]
    name = new_collection(unique_name)
    for mode in ("dense", "bm25", "hybrid"):
        hits = client.post(f"/v1/collections/{name}/search", json={"query": "yeast and flour", "mode": mode, "k": 2})
        assert hits.status_code == 200
        assert hits.json()["data"][0]["doc_id"] == "bread", mode
    filtered = client.post(
        f"/v1/collections/{name}/search",
        json={"query": "bank", "mode": "bm25", "filters": {"year": {"gte": 2005}}},
    ).json()["data"]
    assert [h["doc_id"] for h in filtered] == ["rates"]
    assert filtered[0]["metadata"] == {"topic": "money", "year": 2010}
    text = "The central bank raised interest rates to slow inflation."  # the whole document: one chunk
    assert (filtered[0]["start"], filtered[0]["end"], filtered[0]["text"]) == (0, len(text), text)


def test_adding_again_is_unchanged_and_new_text_replaces(client, new_collection, unique_name, documents) -> None:  # type: ignore[no-untyped-def]
    name = new_collection(unique_name)
    again = client.post(f"/v1/collections/{name}/documents", json={"documents": documents}).json()
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 5)
    put = client.put(f"/v1/collections/{name}/documents/cats", json={"text": "Kittens chase laser pointers."})
    assert put.status_code == 200 and put.json()["updated"] == 1
    hit = client.post(f"/v1/collections/{name}/search", json={"query": "laser", "mode": "bm25", "k": 1}).json()
    assert hit["data"][0]["doc_id"] == "cats"
    assert client.get(f"/v1/collections/{name}").json()["documents"] == 5


def test_put_replaces_the_metadata_of_an_unchanged_text(client, new_collection, unique_name, documents) -> None:  # type: ignore[no-untyped-def]
    name = new_collection(unique_name)
    cats = next(d for d in documents if d["id"] == "cats")
    body = {"text": cats["text"], "metadata": {"topic": "pets"}}
    put = client.put(f"/v1/collections/{name}/documents/cats", json=body)
    assert put.status_code == 200 and put.json()["updated"] == 1, put.text  # was 'unchanged', the metadata dropped
    assert put.json()["chunks"] == 1
    listed = {d["id"]: d["metadata"] for d in client.get(f"/v1/collections/{name}/documents").json()["data"]}
    assert listed["cats"] == {"topic": "pets"}
    search = {"query": "cats", "filters": {"topic": "pets"}}
    assert [h["doc_id"] for h in client.post(f"/v1/collections/{name}/search", json=search).json()["data"]] == ["cats"]


def test_duplicate_content_is_reported_not_stored(client, new_collection, unique_name, documents) -> None:  # type: ignore[no-untyped-def]
    name = new_collection(unique_name)
    twin = {"id": "cats-copy", "text": documents[0]["text"]}
    report = client.post(f"/v1/collections/{name}/documents", json={"documents": [twin]}).json()
    assert report["added"] == 0
    assert "duplicates the content of 'cats'" in report["skipped"][0]["reason"]


def test_the_same_id_twice_in_one_request_is_a_400_naming_it(client, unique_name, error_of) -> None:  # type: ignore[no-untyped-def]
    assert client.post("/v1/collections", json={"name": unique_name}).status_code == 201
    documents = [
        {"id": "a", "text": "Cats purr at night."},
        {"id": "twice", "text": "Dogs bark at strangers."},
        {"id": "twice", "text": "Bread needs yeast."},
    ]
    response = client.post(f"/v1/collections/{unique_name}/documents", json={"documents": documents})
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["param"] == "documents" and "'twice'" in error["message"], error
    assert "documents[1]" in error["message"] and "documents[2]" in error["message"], error
    assert client.get(f"/v1/collections/{unique_name}").json()["documents"] == 0


def test_delete_documents_and_collections(client, new_collection, unique_name, error_of) -> None:  # type: ignore[no-untyped-def]
    name = new_collection(unique_name)
    assert client.delete(f"/v1/collections/{name}/documents/dogs").json() == {"id": "dogs", "deleted": True}
    gone = client.delete(f"/v1/collections/{name}/documents/dogs")
    assert gone.status_code == 404 and error_of(gone)["code"] == "document_not_found"
    missing = client.put(f"/v1/collections/{name}/documents/nope", json={"text": "x"})
    assert missing.status_code == 404
    assert client.get(f"/v1/collections/{name}").json()["documents"] == 4
    assert client.delete(f"/v1/collections/{name}").status_code == 200
    assert client.get(f"/v1/collections/{name}").status_code == 404
    assert name not in [c["name"] for c in client.get("/v1/collections").json()["data"]]


def test_a_request_that_found_a_collection_as_it_was_deleted_gets_a_404(  # type: ignore[no-untyped-def]
    client, new_collection, unique_name, error_of, monkeypatch
) -> None:
    from embedrag.server.registry import CollectionRegistry

    name = new_collection(unique_name)
    found = CollectionRegistry._entry

    def deleted_meanwhile(self, wanted):  # type: ignore[no-untyped-def]
        entry = found(self, wanted)
        monkeypatch.setattr(CollectionRegistry, "_entry", found)
        self.delete(wanted)  # another request's delete lands between the lookup and the lock
        return entry

    monkeypatch.setattr(CollectionRegistry, "_entry", deleted_meanwhile)
    answer = client.post(f"/v1/collections/{name}/documents", json={"documents": [{"id": "x", "text": "late"}]})
    assert answer.status_code == 404, answer.text  # not a 500 from the closed collection
    assert error_of(answer)["code"] == "collection_not_found"
    assert client.get(f"/v1/collections/{name}").status_code == 404


def test_listing_skips_a_collection_deleted_while_it_lists(client, new_collection, unique_name, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from embedrag.server.registry import CollectionRegistry

    name = new_collection(unique_name)
    names = CollectionRegistry.names
    monkeypatch.setattr(CollectionRegistry, "names", lambda self: [*names(self), "gone-meanwhile"])  # then deleted
    response = client.get("/v1/collections")
    assert response.status_code == 200, response.text  # was a 404 naming the one deleted
    listed = [c["name"] for c in response.json()["data"]]
    assert name in listed and "gone-meanwhile" not in listed


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        ("search", {"query": "bread", "filter": {"topic": "money"}}, "filter"),  # the CLI's --filter: was unfiltered
        ("search", {"query": "bread", "top_k": 1}, "top_k"),  # was 10 hits
        ("ask", {"question": "bread?", "filter": {"topic": "money"}}, "filter"),
        ("documents", {"documents": [{"id": "x", "text": "Rye bread.", "meta": {"topic": "food"}}]}, "meta"),
    ],
)
def test_an_unknown_field_is_a_422_naming_it_not_ignored(  # type: ignore[no-untyped-def]
    client, new_collection, unique_name, error_of, route, body, field
) -> None:
    name = new_collection(unique_name)
    response = client.post(f"/v1/collections/{name}/{route}", json=body)
    assert response.status_code == 422, response.text
    assert field in error_of(response)["message"], response.text
    assert client.get(f"/v1/collections/{name}").json()["documents"] == 5  # nothing stored without its metadata


def test_ask_returns_cited_context_within_the_budget(client, new_collection, unique_name) -> None:  # type: ignore[no-untyped-def]
    name = new_collection(unique_name)
    body = client.post(f"/v1/collections/{name}/ask", json={"question": "How do I bake bread?", "k": 3}).json()
    assert body["passages"][0]["n"] == 1 and body["passages"][0]["doc_id"] == "bread"
    assert body["prompt"].startswith("[1] (source: bread)")
    assert body["prompt"].rstrip().endswith("Question: How do I bake bread?")
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    tight = client.post(f"/v1/collections/{name}/ask", json={"question": "How do I bake bread?", "k": 3, "budget": 30})
    assert tight.json()["skipped"] > 0 and tight.json()["tokens"] <= 30


def test_bad_search_options_are_400_or_422(client, new_collection, unique_name, error_of) -> None:  # type: ignore[no-untyped-def]
    name = new_collection(unique_name)
    url = f"/v1/collections/{name}/search"
    unknown_key = client.post(url, json={"query": "x", "filters": {"colour": "red"}})
    assert unknown_key.status_code == 400 and "unknown filter key 'colour'" in error_of(unknown_key)["message"]
    bad_mode = client.post(url, json={"query": "x", "mode": "magic"})
    assert bad_mode.status_code == 422 and error_of(bad_mode)["param"] == "mode"
    no_reranker = client.post(url, json={"query": "x", "rerank": "/tmp/some-model"})
    assert no_reranker.status_code == 404 and error_of(no_reranker)["param"] == "rerank"
    assert client.post("/v1/collections/none-here/search", json={"query": "x"}).status_code == 404
