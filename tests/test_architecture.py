"""The import directions of docs/architecture.md, checked: a package importing one it must not fails here.

Every ``import embedrag.x`` and ``from embedrag.x import ...`` counts, inside functions too
(a lazy import is still a dependency). Relative imports are not used in src/.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "embedrag"

BOTTOM = {"_atomic", "_identity", "_linalg", "_optional", "errors", "types"}
"""Small truths everyone imports; they import nothing but each other."""
FACES = {"cli", "server", "plot", "eval", "train"}
"""What talks to a collection through its one door, ``Collection``."""
UPPER = {"collection", "__main__"} | FACES
"""Everything above the retrieval core."""
CORE = {"index", "search", "rag", "ingest"}
STORAGE = {"index", "ingest"}
"""Behind the door: the faces reach the store and the ingest pipeline only through ``Collection``."""

ALL = {path.stem for path in SRC.glob("*.py")} | {path.parent.name for path in SRC.glob("*/__init__.py")}
"""Every top-level module and package of embedrag."""

FORBIDDEN: dict[str, set[str]] = {
    # the bottom imports only the bottom
    **dict.fromkeys(BOTTOM, ALL - BOTTOM),
    # models, tokenizers, encoders and word vectors know nothing of collections
    **dict.fromkeys(("models", "tokenize", "embed", "heads", "words", "graph"), UPPER | CORE),
    # storage and retrieval structures: no query planning, no RAG, no loaders, no encoders
    "index": UPPER | {"search", "rag", "ingest", "embed", "heads"},
    # the query side runs over an index and an encoder; it does not load, store documents or build prompts
    "search": UPPER | {"rag", "ingest"},
    # the RAG context and the LLM client work on hits: no storage, no loading
    "rag": UPPER | {"index", "ingest"},
    # loaders, chunking and the pipeline write through the store; they do not search
    "ingest": UPPER | {"search", "rag"},
    # the door composes the core; it is not a face
    "collection": FACES | {"__main__"},
    # faces reach stores and loaders only through the door, and do not import each other
    # (but the CLI serves, plots and evaluates, and the server's web UI maps and evaluates)
    "server": STORAGE | {"cli", "train", "__main__"},
    "plot": STORAGE | {"cli", "server", "train", "__main__"},
    "eval": STORAGE | {"cli", "server", "plot", "train", "__main__"},
    "train": STORAGE | {"cli", "server", "plot", "__main__"},
    "cli": STORAGE | {"__main__"},
    # the public API names what the faces use; it is not one of them
    "__init__": {"cli", "server", "plot", "eval", "train", "__main__"},
    # Ray: embedding, ingest, shards and serving on a cluster; collections through the door (from index only
    # the BM25 statistics value a sharded search adds up), and no face: the faces call it
    "distributed": FACES | {"__main__", "rag"},
    # the LangChain and LlamaIndex adapters: a skin over the door and the encoders
    "integrations": ALL - {"collection", "embed", "types", "errors", "_optional"},
}
"""Package -> the packages it must not import (docs/architecture.md draws them)."""
for _rules in FORBIDDEN.values():  # and nothing imports the adapters: they are the outermost skin
    _rules.add("integrations")


def embedrag_imports(path: Path) -> list[tuple[str, int]]:
    """(top-level embedrag package, line) of each import of ``embedrag.*`` in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + ([f"embedrag.{a.name}" for a in node.names] if node.module == "embedrag" else [])
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [(name.split(".")[1], node.lineno) for name in names if name.startswith("embedrag.")]
    return found


def violations() -> list[str]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        package = path.relative_to(SRC).parts[0].removesuffix(".py")
        forbidden = FORBIDDEN.get(package, set())
        for target, line in embedrag_imports(path):
            if target != package and target in forbidden:
                out.append(f"{path.relative_to(SRC.parent)}:{line}: {package} imports {target}")
    return out


def test_every_package_has_rules() -> None:
    unruled = ALL - FORBIDDEN.keys() - {"__main__"}  # python -m embedrag runs the CLI
    assert not unruled, f"add import rules for {sorted(unruled)} to FORBIDDEN (and docs/architecture.md)"


def test_imports_point_one_way() -> None:
    found = violations()
    assert not found, "imports against docs/architecture.md:\n" + "\n".join(found)


def test_the_checker_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import embedrag.errors\n\ndef f():\n    from embedrag.cli.app import app\n")
    assert embedrag_imports(module) == [("errors", 1), ("cli", 4)]


BENCH = SRC.parents[1] / "bench"
INDEX_LAYER_BENCHES = {"search.py"}
"""Benchmarks of the index layer alone (embedrag's HNSW vs faiss/hnswlib, its BM25 vs bm25s): they
build stores of their own from vectors and texts; every collection is reached through ``Collection``."""
LOADER_BENCHES = {"documents.py", "search.py"}
"""Benchmarks of ingest's parts alone (the loaders' HTML main-text extraction vs trafilatura, resiliparse
...; the chunker, timed apart in search.py's ingest section): they call a loader on files or the
chunker on documents; every collection is reached through ``Collection``."""


def test_benchmarks_reach_collections_through_the_door() -> None:
    found = []
    for path in sorted(BENCH.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        for target, line in embedrag_imports(path):
            if (target == "ingest" and path.name not in LOADER_BENCHES) or (
                target == "index" and path.name not in INDEX_LAYER_BENCHES
            ):
                found.append(f"bench/{path.name}:{line}: imports embedrag.{target}")
        private = [name for name in ("._store", "._index") if name in source]
        found += [f"bench/{path.name}: reads a collection's {name}" for name in private]
    assert not found, "bench/ reaches a store past Collection:\n" + "\n".join(found)
