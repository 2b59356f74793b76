"""langchain-tests' own standard suites, run against the real langchain-core: the vector store
integration tests (sync and async) and the embeddings unit and integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from integration_parts import open_collection, static_embedder
from langchain_tests.integration_tests import EmbeddingsIntegrationTests, VectorStoreIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from embedrag.integrations.langchain import EmbedragEmbeddings, EmbedragVectorStore


class TestEmbedragVectorStoreStandard(VectorStoreIntegrationTests):
    @pytest.fixture
    def vectorstore(self, tmp_path: Path) -> Iterator[EmbedragVectorStore]:  # type: ignore[override]
        store = EmbedragVectorStore(open_collection(tmp_path / "c"))
        yield store
        store.close()


class _OurEmbeddings:
    """The embeddings class both embeddings suites test, over the shared static encoder."""

    @property
    def embeddings_class(self) -> type[EmbedragEmbeddings]:
        return EmbedragEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": static_embedder()}


class TestEmbedragEmbeddingsUnit(_OurEmbeddings, EmbeddingsUnitTests):
    pass


class TestEmbedragEmbeddingsIntegration(_OurEmbeddings, EmbeddingsIntegrationTests):
    pass
