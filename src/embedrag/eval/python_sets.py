"""Retrieval sets made from the running Python's standard library sources (parsed with ast, never imported)."""

from __future__ import annotations

import ast
import sysconfig
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from embedrag.eval._layout import CorpusRow, by_text, splits, write_beir

__all__ = ["python_code", "python_docs"]

_SKIP_PARTS = {"idlelib", "lib2to3", "tkinter", "turtledemo", "site-packages", "ensurepip", "distutils", "pydoc_data"}
Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def _stdlib() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def _definitions(lib: Path) -> Iterator[tuple[str, Definition]]:
    """(qualified name, node) of public functions, methods and classes, module by module in path order."""
    for path in sorted(lib.rglob("*.py")):
        parts = path.relative_to(lib).with_suffix("").parts
        if any(p in _SKIP_PARTS or (p.startswith(("test", "_")) and p != "__init__") for p in parts):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        yield from _walk(tree, ".".join(p for p in parts if p != "__init__"))


def _walk(node: ast.AST, prefix: str) -> Iterator[tuple[str, Definition]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, Definition) and not child.name.startswith("_"):
            name = f"{prefix}.{child.name}"
            yield name, child
            if isinstance(child, ast.ClassDef):
                yield from _walk(child, name)


def _summary(doc: str) -> tuple[str, str]:
    summary, _, rest = doc.partition("\n\n")
    return " ".join(summary.split()), " ".join(rest.split())


def python_docs(out: Path, *, lib: Path | None = None) -> dict[str, int]:
    """Docstring summary -> the rest of the docstring, titled with the qualified name."""
    corpus: list[CorpusRow] = []
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()  # a name defined twice (e.g. in both branches of an if) is kept once
    for name, node in _definitions(lib or _stdlib()):
        doc = ast.get_docstring(node)
        if not doc:
            continue
        summary, rest = _summary(doc)
        if not 4 <= len(summary.split()) <= 30 or len(rest.split()) < 25 or name in seen:
            continue
        seen.add(name)
        corpus.append((name, name, rest, {"module": name.split(".")[0]}))
        pairs.append((summary, name))
    queries, groups = by_text(pairs)
    return write_beir(out, corpus, queries, splits(groups, test_every=2, dev_every=4))


CODE_WORDS = (20, 300)
"""A function's code counts when it has 20 to 300 words (whitespace-separated) without its docstring."""


def _without_docstring(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    body = node.body[1:] or [ast.Pass()]
    bare: Any = type(node)(**{**{f: getattr(node, f) for f in node._fields}, "body": body})
    return ast.unparse(ast.fix_missing_locations(bare))


def python_code(out: Path, *, lib: Path | None = None) -> dict[str, int]:
    """Natural language -> code: a function's one-line docstring summary finds its code, docstring removed."""
    corpus: list[CorpusRow] = []
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, node in _definitions(lib or _stdlib()):
        doc = ast.get_docstring(node)
        if isinstance(node, ast.ClassDef) or not doc or name in seen:
            continue
        seen.add(name)
        summary = _summary(doc)[0]
        code = _without_docstring(node)
        low, high = CODE_WORDS
        if not 4 <= len(summary.split()) <= 30 or not low <= len(code.split()) <= high:
            continue
        corpus.append((name, "", code, {"module": name.split(".")[0]}))
        pairs.append((summary, name))
    queries, groups = by_text(pairs)
    return write_beir(out, corpus, queries, splits(groups, test_every=4, dev_every=8))
