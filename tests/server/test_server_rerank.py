"""POST /v1/rerank with late interaction (MiniLM) and a cross-encoder, and reranked collection search."""

from __future__ import annotations

import numpy as np

DOCS = ["Stock markets fell sharply today.", "Cats hunt mice at night.", "Bake bread with flour and yeast."]


def test_late_rerank_orders_by_relevance_in_the_common_shape(minilm_client) -> None:  # type: ignore[no-untyped-def]
    body = {"query": "what do cats hunt?", "documents": DOCS, "top_n": 2, "return_documents": True}
    response = minilm_client.post("/v1/rerank", json=body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["model"] == "late"
    assert [r["index"] for r in answer["results"]][:1] == [1]
    assert answer["results"][0]["document"] == {"text": DOCS[1]}
    assert len(answer["results"]) == 2
    assert answer["results"][0]["relevance_score"] >= answer["results"][1]["relevance_score"]
    assert answer["usage"]["total_tokens"] > 0


def test_documents_may_be_objects_and_documents_are_left_out_by_default(minilm_client) -> None:  # type: ignore[no-untyped-def]
    body = {"query": "bread", "documents": [{"text": d} for d in DOCS]}
    results = minilm_client.post("/v1/rerank", json=body).json()["results"]
    assert sorted(r["index"] for r in results) == [0, 1, 2]
    assert all(r["document"] is None for r in results)


def test_static_model_server_has_no_late_reranker(client, error_of) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/v1/rerank", json={"query": "q", "documents": ["a"]})
    assert response.status_code == 404 and error_of(response)["code"] == "model_not_found"


def test_cross_encoder_scores_match_the_library_and_rerank_searches(serve, tiny_cross_encoder, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import httpx

    from embedrag.heads import CrossEncoder

    path = tiny_cross_encoder(labels=1)
    expected = CrossEncoder(path).score([("what do cats hunt?", d) for d in DOCS])
    with serve(models=("all-MiniLM-L6-v2",), rerank_model=str(path), collections=tmp_path / "c") as url:
        http = httpx.Client(base_url=url, timeout=60)
        models = {m["id"]: m["type"] for m in http.get("/v1/models").json()["data"]}
        assert models == {"all-MiniLM-L6-v2": "embedding", "late": "rerank", path.name: "rerank"}
        answer = http.post("/v1/rerank", json={"query": "what do cats hunt?", "documents": DOCS}).json()
        assert answer["model"] == path.name  # the cross-encoder is the default when served
        got = {r["index"]: r["relevance_score"] for r in answer["results"]}
        np.testing.assert_allclose([got[i] for i in range(3)], expected, atol=1e-5)
        http.post("/v1/collections", json={"name": "docs"})
        docs = [{"id": str(i), "text": t} for i, t in enumerate(DOCS)]
        http.post("/v1/collections/docs/documents", json={"documents": docs})
        search = {"query": "what do cats hunt?", "k": 3, "rerank": path.name}
        hits = http.post("/v1/collections/docs/search", json=search).json()["data"]
        assert [h["score"] for h in hits] == sorted(expected.tolist(), reverse=True)


def test_a_query_or_document_the_model_reads_nothing_of_is_a_400_naming_it(minilm_client, error_of) -> None:  # type: ignore[no-untyped-def]
    nothing = "\x00\u200b"  # a control and a zero-width character: MiniLM's tokenizer drops both
    query = minilm_client.post("/v1/rerank", json={"query": nothing, "documents": DOCS})
    assert query.status_code == 400, query.text  # it scored every document 0.0
    assert error_of(query)["param"] == "query" and "no tokens" in error_of(query)["message"]
    document = minilm_client.post("/v1/rerank", json={"query": "cats", "documents": [DOCS[0], nothing]})
    assert document.status_code == 400, document.text
    assert error_of(document)["param"] == "documents" and "document 1" in error_of(document)["message"]
    unicode = minilm_client.post(
        "/v1/rerank",
        content=b'{"query": "cats", "documents": ["ok", "a\\ud800"]}',
        headers={"content-type": "application/json"},
    )
    assert unicode.status_code == 400 and error_of(unicode)["param"] == "documents", unicode.text
    assert "document 1" in error_of(unicode)["message"]
