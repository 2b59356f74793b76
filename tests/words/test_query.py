from __future__ import annotations

import pytest

from embedrag.errors import InputError
from embedrag.words import parse_analogy


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("king - man + woman", (["king", "woman"], ["man"])),
        ("paris -france +italy", (["paris", "italy"], ["france"])),
        ("-man + king", (["king"], ["man"])),
        ("well-known - good", (["well-known"], ["good"])),
    ],
)
def test_parse_analogy(expression: str, expected: tuple[list[str], list[str]]) -> None:
    assert parse_analogy(expression) == expected


@pytest.mark.parametrize("expression", ["", "king man", "king -", "+ + king", "- man"])
def test_unreadable_analogy_is_an_input_error(expression: str) -> None:
    with pytest.raises(InputError, match="king - man \\+ woman"):
        parse_analogy(expression)
