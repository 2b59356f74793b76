"""POST /tokenize and /detokenize with served models and catalogue tokenizers."""

from __future__ import annotations


def test_tokenize_gives_the_ids_the_model_sees(minilm_client) -> None:  # type: ignore[no-untyped-def]
    body = minilm_client.post("/tokenize", json={"text": "Hello, world"}).json()
    assert body == {
        "model": "all-MiniLM-L6-v2",
        "tokens": [101, 7592, 1010, 2088, 102],
        "pieces": ["[CLS]", "hello", ",", "world", "[SEP]"],
        "count": 5,
        "max_tokens": 256,
    }


def test_catalogue_tokenizers_and_round_trip(client) -> None:  # type: ignore[no-untyped-def]
    ids = client.post("/tokenize", json={"text": "hello world", "model": "cl100k_base"}).json()["tokens"]
    assert ids == [15339, 1917]
    back = client.post("/detokenize", json={"tokens": ids, "model": "cl100k"}).json()
    assert back == {"model": "cl100k_base", "text": "hello world"}


def test_bad_ids_and_unknown_tokenizers_are_named(client, error_of) -> None:  # type: ignore[no-untyped-def]
    bad = client.post("/detokenize", json={"tokens": [1, 10**8], "model": "cl100k_base"})
    assert bad.status_code == 400 and "token id 100000000" in error_of(bad)["message"]
    assert error_of(bad)["param"] == "tokens"
    for name in ("gpt-17", "/etc/passwd", "glove-6B-50d"):
        unknown = client.post("/tokenize", json={"text": "x", "model": name})
        assert unknown.status_code == 404 and error_of(unknown)["param"] == "model", name
