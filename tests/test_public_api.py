"""The public API tells the truth: what the README names and every error class are importable from
``embedrag``, ``__all__`` lists exactly what is exported, and ``errors.py`` draws its real hierarchy."""

from __future__ import annotations

import builtins
import inspect
import re
from pathlib import Path
from types import ModuleType

import embedrag
import embedrag.errors

README = Path(__file__).parent.parent / "README.md"
TREE_LINE = re.compile(r"^(?P<lead>[ │├└─]*)(?P<name>[A-Z]\w+)(?: \[(?P<builtins>[\w, ]+)\])?$")


def _error_classes() -> dict[str, type]:
    return {
        name: cls
        for name, cls in inspect.getmembers(embedrag.errors, inspect.isclass)
        if cls.__module__ == embedrag.errors.__name__
    }


def _readme_section(title: str) -> str:
    match = re.search(rf"^## {title}\n(.*?)(?=^## |\Z)", README.read_text(encoding="utf-8"), re.S | re.M)
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


def test_every_name_in_the_readme_errors_section_is_importable_from_embedrag() -> None:
    names = set(re.findall(r"`(?:embedrag\.)?([A-Z]\w+)`", _readme_section("Errors")))
    assert names, "the Errors section names no class"
    assert sorted(name for name in names if not hasattr(embedrag, name)) == []


def test_every_class_in_errors_py_is_exported_from_embedrag() -> None:
    for name, cls in _error_classes().items():
        assert getattr(embedrag, name) is cls
        assert name in embedrag.__all__
        assert name in embedrag.errors.__all__


def test_dunder_all_lists_exactly_what_embedrag_exports() -> None:
    assert len(set(embedrag.__all__)) == len(embedrag.__all__)
    for name in embedrag.__all__:
        assert getattr(embedrag, name) is not None, name
    defined = {
        name for name, value in vars(embedrag).items() if not name.startswith("_") and not isinstance(value, ModuleType)
    }
    assert sorted(defined - set(embedrag.__all__)) == []


def test_document_and_hit_are_the_types_collections_take_and_return() -> None:
    from embedrag.types import Document, Hit

    assert embedrag.Document is Document
    assert embedrag.Hit is Hit


def test_the_hierarchy_drawn_in_errors_py_is_the_real_one() -> None:
    classes = _error_classes()
    drawn: dict[str, tuple[type, ...]] = {}
    parents: list[tuple[int, type]] = []
    for line in (embedrag.errors.__doc__ or "").splitlines():
        match = TREE_LINE.match(line)
        if not match or match["name"] not in classes:
            continue
        column = len(match["lead"])
        while parents and parents[-1][0] >= column:
            parents.pop()
        extra = tuple(getattr(builtins, b.strip()) for b in (match["builtins"] or "").split(",") if b.strip())
        bases = (parents[-1][1], *extra) if parents else (extra or (Exception,))
        assert match["name"] not in drawn, f"{match['name']} is drawn twice"
        drawn[match["name"]] = bases
        parents.append((column, classes[match["name"]]))
    assert sorted(drawn) == sorted(classes), "every class in errors.py is drawn once"
    for name, bases in drawn.items():
        assert classes[name].__bases__ == bases, name
