"""The pages' pure helpers (filter expressions, query terms, highlighting, error wording), run in the
browser that runs them for people, on a blank page of the UI's origin (no server data involved)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def js(page: Any) -> Any:
    """``js(module, expression)``: evaluate ``expression`` with the UI module's exports as ``m``."""
    page.goto("/ui/style.css")  # any same-origin address: the modules import from /ui/

    def run(module: str, expression: str) -> Any:
        return page.evaluate(f"import('/ui/{module}').then((m) => {expression})")

    return run


@pytest.mark.parametrize(
    ("expressions", "expected"),
    [
        (["topic=animals"], {"topic": "animals"}),
        (["year>=2004", "year<2010"], {"year": {"gte": 2004, "lt": 2010}}),
        (["source^=docs/", "draft=false"], {"source": {"prefix": "docs/"}, "draft": False}),
        (["tag=a,b"], {"tag": {"in": ["a", "b"]}}),
        ([" ", "title = 'x=y'"], {"title": "x=y"}),
    ],
)
def test_filter_expressions_become_the_api_filter(js: Any, expressions: list[str], expected: Any) -> None:
    assert js("pages/filters.js", f"m.parseFilters({expressions!r})") == expected


@pytest.mark.parametrize("bad", ["topic", "=x", "year>=", "a!=b"])
def test_a_filter_that_cannot_be_read_is_refused_by_name(js: Any, bad: str) -> None:
    attempt = f"m.parseFilters([{bad!r}]); return null;"
    said = js("pages/filters.js", f"(() => {{ try {{ {attempt} }} catch (e) {{ return e.message; }} }})()")
    assert said is not None and bad in said


def test_query_terms_and_highlighting(js: Any) -> None:
    assert js("dom.js", "m.queryTerms('What do cats HUNT at night? cats!')") == ["night", "cats", "hunt"]
    marked = js(
        "dom.js",
        "m.highlight('Cats <b>hunt</b> mice; scatter', m.queryTerms('cats hunt'))"
        ".map((n) => n.nodeName === 'MARK' ? `[${n.textContent}]` : n.textContent).join('')",
    )
    assert marked == "[Cats] <b>[hunt]</b> mice; scatter"  # "scatter" holds "cat" but not at a word start


def test_errors_are_worded_for_people(js: Any) -> None:
    said = js("api.js", "[401, 404, 422, 500, 502].map((s) => m.explain(s, {message: 'no collection named \\'x\\''}))")
    assert said[0].startswith("This server needs an API key")
    assert said[1] == "Not found: no collection named 'x'."
    assert said[2].startswith("The server could not use this input")
    assert said[3].startswith("The server failed (500)")
    assert said[4] == "A service behind the server failed, so there is no answer: no collection named 'x'."
