"""Retrieval sets made from data that Debian packages install: WordNet's glosses and the Linux man pages.

Both read files (never run a program) from a folder given as ``root``, so the tests make them from a
few lines in the same format.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

from embedrag.errors import InputError
from embedrag.eval._layout import CorpusRow, by_text, splits, write_beir

__all__ = ["MAN_ROOT", "WORDNET_ROOT", "man_pages", "roff_sections", "wordnet"]

WORDNET_ROOT = Path("/usr/share/wordnet")
"""Where Debian's ``wordnet-base`` puts WordNet 3.0's database files (``data.noun`` ...)."""
MAN_ROOT = Path("/usr/share/man")
"""Where Debian's ``manpages-dev`` puts the Linux man pages of system calls (``man2/``)."""

_POS = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}
WORDNET_EVERY = 16
"""One synset of every 16 that have an example: about 2,000 entries, a size that MiniLM embeds in
minutes on two cores. The reverse dictionary is harder with more entries, not different in kind."""


def _synsets(root: Path) -> Iterator[tuple[str, str, list[str], str, list[str]]]:
    """(id, part of speech, lemmas, definition, examples) of each synset, file by file, in offset order."""
    for pos, letter in _POS.items():
        path = root / f"data.{pos}"
        if not path.is_file():
            raise InputError(f"{path}: no such file (apt-get install wordnet-base)")
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("  "):  # the license header
                    continue
                head, _, gloss = line.partition(" | ")
                fields = head.split()
                lemmas = [w.replace("_", " ") for w in fields[4 : 4 + 2 * int(fields[3], 16) : 2]]
                examples = re.findall(r'"([^"]+)"', gloss)
                definition = gloss.split('"')[0].strip().rstrip(";").strip()
                yield f"{letter}.{fields[0]}", pos, [re.sub(r"\(\w+\)$", "", w) for w in lemmas], definition, examples


def wordnet(out: Path, *, root: Path = WORDNET_ROOT, every: int = WORDNET_EVERY) -> dict[str, int]:
    """A reverse dictionary: the query is a definition, the document the entry that holds its words
    (lemmas, part of speech) and the examples of use, so the two share few words."""
    corpus: list[CorpusRow] = []
    pairs: list[tuple[str, str]] = []
    kept = 0
    for synset_id, pos, lemmas, definition, examples in _synsets(root):
        if not examples or len(definition.split()) < 4:
            continue
        kept += 1
        if kept % every:
            continue
        corpus.append((synset_id, "", f"{', '.join(lemmas)} ({pos}): {' | '.join(examples)}", {"pos": pos}))
        pairs.append((definition, synset_id))
    queries, groups = by_text(pairs)
    return write_beir(out, corpus, queries, splits(groups, test_every=4, dev_every=8))


# -- man pages ------------------------------------------------------------------------------------

_GLYPHS = {"aq": "'", "dq": '"', "em": "-", "en": "-", "bu": "*", "rs": "\\", "ga": "`", "ha": "^", "ti": "~"}
# one escape: a font change (\fB), a string (\*(lq), a glyph (\(aq, \[aq]) or one character (\-, \&)
_ESCAPE = re.compile(r"\\(f(?:\[[^\]]*\]|\(..|.)|\*(?:\[[^\]]*\]|\(..|.)|\((..)|\[(\w+)\]|.)")
_CHARACTERS = {"-": "-", "e": "\\", " ": " ", "~": " ", "0": " "}
_TEXT_MACROS = {".B", ".I", ".SM", ".SB", ".IP", ".TP", ".SS", ".UR", ".MT"}
_ALTERNATING = {".BR", ".RB", ".IR", ".RI", ".BI", ".IB"}
_ARG = re.compile(r'"([^"]*)"|(\S+)')


def _unescape(text: str) -> str:
    def replace(m: re.Match[str]) -> str:
        glyph = m.group(2) or m.group(3)
        if glyph:
            return _GLYPHS.get(glyph, "")
        return "" if m.group(1)[0] in "f*" else _CHARACTERS.get(m.group(1), "")

    return _ESCAPE.sub(replace, text)


def roff_sections(source: str) -> dict[str, str]:
    """The text of a man page's sections (``NAME``, ``SYNOPSIS`` ...), its roff markup removed."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in source.replace("\\\n", "").splitlines():
        if line.startswith(('.\\"', "'\\\"", '.\\"')):
            continue
        if not line.startswith((".", "'")):
            current.append(line)
            continue
        macro, _, rest = line.partition(" ")
        args = [a or b for a, b in _ARG.findall(rest)]
        if macro == ".SH":
            current = sections.setdefault(" ".join(args).upper(), [])
        elif macro in _TEXT_MACROS and args:
            current.append(" ".join(args))
        elif macro in _ALTERNATING:
            current.append("".join(args))
    return {title: " ".join(_unescape(" ".join(lines)).split()) for title, lines in sections.items()}


def _pages(root: Path, section: str) -> Iterator[tuple[str, dict[str, str]]]:
    folder = root / f"man{section}"
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder (apt-get install manpages-dev)")
    for path in sorted(folder.glob(f"*.{section}*")):
        if path.is_symlink() or not path.is_file():
            continue
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        source = raw.decode("utf-8", errors="replace")
        if source.lstrip().startswith(".so "):  # an alias of another page
            continue
        yield path.name.removesuffix(".gz"), roff_sections(source)


def man_pages(out: Path, *, root: Path = MAN_ROOT, section: str = "2", min_words: int = 300) -> dict[str, int]:
    """Long documents: the query is a page's NAME line (``open, openat, creat - open and possibly
    create a file``), the document every other section of the page."""
    corpus: list[CorpusRow] = []
    pairs: list[tuple[str, str]] = []
    for page, sections in _pages(root, section):
        name = sections.pop("NAME", "")
        body = "\n\n".join(f"{title}\n{text}" for title, text in sections.items() if text)
        if " - " not in name or len(body.split()) < min_words:
            continue
        corpus.append((page, "", body, {"section": section}))
        pairs.append((name, page))
    queries, groups = by_text(pairs)
    return write_beir(out, corpus, queries, splits(groups, test_every=2, dev_every=4))
