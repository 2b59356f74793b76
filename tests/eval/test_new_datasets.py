"""The sets of issue 17, each made from a small slice in its source's own format: splits, judgements, repeatability."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from embedrag.errors import InputError
from embedrag.eval import load_beir
from embedrag.eval.debian_sets import man_pages, roff_sections, wordnet
from embedrag.eval.python_sets import python_code

WORDNET_HEADER = "  1 This software and database is being provided to you, the LICENSEE, by\n"
WORDNET_LINES = {
    "noun": [
        "00217593 04 n 01 kill 1 002 @ 00217014 n 0000 | the destruction of an enemy plane or ship; "
        '"the pilot reported two kills"  ',
        "00217499 04 n 01 disaster 0 001 @ 00217014 n 0000 | an act that has disastrous consequences  ",
        "00217773 04 n 02 laying_waste 0 ruin(a) 0 000 | destruction achieved by causing ruin; "
        '"the ruin of the city"; "laid waste"  ',
        '00300000 04 n 01 hut 0 000 | small crude shelter used as a dwelling; "a hut in the hills"  ',
    ],
    "verb": ['00101137 29 v 01 limber 0 001 @ 00100905 v 0 01 + 08 00 | cause to become limber; "limber the wrists"  '],
    "adj": ['00001740 00 a 01 able 0 000 | having the necessary means or skill to do something; "able to swim"  '],
    "adv": ['00001741 02 r 01 a_cappella 0 000 | without any musical accompaniment at all; "they sang a cappella"  '],
}
OPEN_PAGE = r"""
.\" SPDX-License-Identifier: Linux-man-pages-copyleft
.TH open 2 2023-02-05 "Linux man-pages 6.03"
.SH NAME
open, openat \- open and possibly create a file
.SH SYNOPSIS
.nf
.BI "int open(const char *" pathname ", int " flags );
.fi
.SH DESCRIPTION
The
.BR open ()
system call opens the file specified by \fIpathname\fP.
It returns a file descriptor \(em a small, nonnegative integer.
.TP
.B O_CREAT
Create the file if it does not exist \e n\&.
"""


@pytest.fixture
def wordnet_root(tmp_path: Path) -> Path:
    for pos, lines in WORDNET_LINES.items():
        (tmp_path / f"data.{pos}").write_text(WORDNET_HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


@pytest.fixture
def man_root(tmp_path: Path) -> Path:
    folder = tmp_path / "man2"
    folder.mkdir()
    (folder / "open.2.gz").write_bytes(gzip.compress(OPEN_PAGE.encode()))
    (folder / "creat.2.gz").write_bytes(gzip.compress(b".so man2/open.2\n"))  # an alias: left out
    for n in range(7):  # more pages, so that every split gets one
        page = OPEN_PAGE.replace("open", f"call{n}").replace("file", f"thing{n}")
        (folder / f"call{n}.2").write_text(page, encoding="utf-8")
    return tmp_path


@pytest.fixture
def stdlib_slice(tmp_path: Path) -> Path:
    lib = tmp_path / "lib"
    (lib / "pkg").mkdir(parents=True)
    body = "".join(f"    total = total + {n} * value\n" for n in range(6))
    for n in range(8):
        doc = f'    """Add the scaled value number {n} to the running total.\n\n    More words.\n    """\n'
        private = '\n\ndef _private():\n    """Never a query, being private."""\n'
        code = f"def step{n}(value):\n{doc}    total = 0\n{body}    return total\n{private}"
        (lib / "pkg" / f"mod{n}.py").write_text(code, encoding="utf-8")
    return lib


def _digest(folder: Path) -> str:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()


def _check_splits(folder: Path) -> None:
    """Every split non-empty, no query in two splits, every judged document in the corpus."""
    splits = {split: load_beir(folder, split=split) for split in ("test", "dev", "train")}
    assert all(data.queries for data in splits.values())
    ids = [set(data.queries) for data in splits.values()]
    assert not (ids[0] & ids[1] or ids[0] & ids[2] or ids[1] & ids[2])
    for data in splits.values():
        assert data.unknown_documents == 0
        assert all(set(judged) <= set(data.corpus) for judged in data.qrels.values())


def test_wordnet_asks_for_an_entry_by_its_definition(wordnet_root: Path, tmp_path: Path) -> None:
    counts = wordnet(tmp_path / "out", root=wordnet_root, every=1)
    data = load_beir(tmp_path / "out", split="test")
    assert counts["documents"] == 6  # "disaster" has no example of use: no entry
    assert data.corpus["n.00217773"].text == "laying waste, ruin (noun): the ruin of the city | laid waste"
    assert data.queries["q0"] == "the destruction of an enemy plane or ship"
    assert data.qrels["q0"] == {"n.00217593": 1}
    assert "destruction" not in data.corpus["n.00217593"].text  # the definition is the query, not the entry
    _check_splits(tmp_path / "out")


def test_man_pages_asks_for_a_page_by_its_name_line(man_root: Path, tmp_path: Path) -> None:
    counts = man_pages(tmp_path / "out", root=man_root, min_words=10)
    data = load_beir(tmp_path / "out", split="test")
    assert counts["documents"] == 8
    assert "creat.2" not in data.corpus
    assert load_beir(tmp_path / "out", split="train").queries["q7"] == "open, openat - open and possibly create a file"
    page = data.corpus["open.2"].text
    assert page.startswith("SYNOPSIS\nint open(const char *pathname, int flags);")
    assert "The open() system call opens the file specified by pathname." in page
    assert "integer. O_CREAT Create the file if it does not exist \\ n." in page
    assert "possibly create" not in page
    _check_splits(tmp_path / "out")


def test_roff_markup_is_removed_and_sections_are_named() -> None:
    sections = roff_sections(OPEN_PAGE)
    assert list(sections) == ["NAME", "SYNOPSIS", "DESCRIPTION"]
    assert sections["NAME"] == "open, openat - open and possibly create a file"
    assert "\\" not in sections["DESCRIPTION"].replace("\\ n", "") and "fI" not in sections["DESCRIPTION"]


def test_python_code_asks_for_a_function_by_its_summary_without_the_docstring(
    stdlib_slice: Path, tmp_path: Path
) -> None:
    counts = python_code(tmp_path / "out", lib=stdlib_slice)
    data = load_beir(tmp_path / "out", split="test")
    assert counts["documents"] == 8  # the private functions are left out
    code = data.corpus["pkg.mod0.step0"].text
    assert code.startswith("def step0(value):\n    total = 0\n")
    assert "Add the scaled" not in code and "More words" not in code
    assert data.queries["q0"] == "Add the scaled value number 0 to the running total."
    _check_splits(tmp_path / "out")


@pytest.mark.parametrize(
    "make",
    [
        lambda out, roots: wordnet(out, root=roots[0], every=1),
        lambda out, roots: man_pages(out, root=roots[1], min_words=10),
        lambda out, roots: python_code(out, lib=roots[2]),
    ],
    ids=["wordnet", "man-pages", "python-code"],
)
def test_each_set_comes_out_byte_for_byte_the_same_twice(
    make: Callable[[Path, tuple[Path, Path, Path]], dict[str, int]],
    wordnet_root: Path,
    man_root: Path,
    stdlib_slice: Path,
    tmp_path: Path,
) -> None:
    roots = (wordnet_root, man_root, stdlib_slice)
    make(tmp_path / "a", roots)
    make(tmp_path / "b", roots)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_a_missing_debian_package_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="apt-get install wordnet-base"):
        wordnet(tmp_path / "out", root=tmp_path / "none")
    with pytest.raises(InputError, match="apt-get install manpages-dev"):
        man_pages(tmp_path / "out", root=tmp_path / "none")
