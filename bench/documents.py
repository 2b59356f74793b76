"""Real documents in, clean text out: the Python docs (HTML) and Debian's PDF manuals, before and after.

The pages are Debian's ``python3.11-doc`` (the Python 3.11 library reference as Sphinx HTML),
``library/[a-d]*.html`` as in issue 16; the PDFs come from ``camlidl-doc``, ``freefem-doc`` and
``auto-multiple-choice-doc-pdf``. Missing packages are installed (apt-get, as root; pip for the
extractors of the ``bench`` extra).

"Before" is the HTML loader of commit :data:`BEFORE` (all visible text), run from its source in
git; "after" is the current one. Both go through the same ``Collection.add``.

Boilerplate is judged by rules that do not come from the loader (see :func:`furniture_lines`):
a stored line is boilerplate when it occurs in the text of the page's furniture (elements that are
``nav``, ``header``, ``footer``, an ``aside`` outside the main region, or have the ARIA role
navigation, search, banner or contentinfo, or Sphinx's ``footer`` class) and not in the text of
its main region (``role=main``); every "¶" is one boilerplate character. A sidebar's table of
contents repeats the page's headings: those lines are in the main text too and are not counted,
so the "before" share is a lower bound. Body text kept: the share of the main region's
characters (its text pieces, "¶" permalinks removed) found in the stored text, whitespace
collapsed. Retrieval: every module of the Python Module Index whose page is ingested, queried
by its one-line synopsis (which the module's page does not print: Sphinx shows it only in the
index), must find its page; plus the issue's "parse command line options" -> argparse.

    python bench/documents.py [--pages '[a-d]*.html']
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import itertools
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _common import run_header, write_section
from embedrag import Collection
from embedrag.ingest import load_path
from embedrag.types import Document

BEFORE = "5f5582a"
"""The commit whose HTML and PDF loaders are "before" (all visible text; pypdf's plain text)."""
DOCS = Path("/usr/share/doc/python3.11/html")
PDFS = {
    "camlidl-doc": Path("/usr/share/doc/camlidl/camlidl-1.04.doc.pdf"),
    "freefem-doc": Path("/usr/share/doc/freefem-doc/freefem.pdf"),
    "auto-multiple-choice-doc-pdf": Path("/usr/share/doc/auto-multiple-choice/auto-multiple-choice.en.pdf"),
}
EXTRACTORS_PIP = {
    "trafilatura": "trafilatura",
    "resiliparse": "resiliparse",
    "readability": "readability-lxml",
    "justext": "justext",
}
FURNITURE_TAGS = {"nav", "header", "footer"}
FURNITURE_ROLES = {"navigation", "search", "banner", "contentinfo"}
SPACES = re.compile(r"\s+")
ISSUE_QUERY = ("parse command line options", "library/argparse.html")
LONG_RUN = re.compile(r"[A-Za-z]{20,}")


def ensure_inputs() -> None:
    """apt-get the Debian packages and pip the extractors that are missing."""
    missing = [] if DOCS.is_dir() else ["python3.11-doc"]
    missing += [package for package, path in PDFS.items() if not path.exists()]
    if missing:
        subprocess.run(["apt-get", "install", "-y", "-q", *missing], check=True, capture_output=True)
    wanted = [pip for module, pip in EXTRACTORS_PIP.items() if importlib.util.find_spec(module) is None]
    if wanted:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", *wanted], check=True)


def squash(text: str) -> str:
    return SPACES.sub(" ", text).strip()


# --- the judge: furniture and main-region text by the rules in the module docstring ---------------


def furniture_lines(html: str) -> tuple[str, str, str]:
    """The page's furniture text, its main region's text flat, and the main region's text pieces."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    main = tree.css_first("[role=main]")
    for link in tree.css("a.headerlink"):
        link.decompose()
    furniture = []
    for node in tree.css("nav, header, footer, aside, [role], div.footer"):
        role = (node.attributes.get("role") or "").lower()
        if (
            node.tag in FURNITURE_TAGS
            or role in FURNITURE_ROLES
            or (node.tag == "aside" and not (main is not None and _inside(node, main)))
            or "footer" in (node.attributes.get("class") or "").split()
        ):
            furniture += [squash(node.text(separator=" ")), squash(node.text())]
    if main is None:
        return "\0".join(furniture), "", ""
    flat = squash(main.text(separator=" ")) + "\0" + squash(main.text())
    return "\0".join(furniture), flat, main.text(separator="\n")


def _inside(node: Any, ancestor: Any) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id == ancestor.mem_id:
            return True
        parent = parent.parent
    return False


def judge(stored: str, furniture: str, main_flat: str, main_pieces: str) -> tuple[int, int, int, int]:
    """(boilerplate chars, stored chars, main chars found, main chars) of one page's stored text.

    A stored line is boilerplate when it occurs in the page's furniture and not in its main region.
    """
    boiler = stored.count("¶")
    for line in stored.split("\n"):
        key = squash(line.replace("¶", ""))
        if key and key in furniture and key not in main_flat:
            boiler += len(key)
    flat = squash(stored.replace("¶", ""))
    pieces = [squash(p) for p in main_pieces.split("\n") if squash(p)]
    kept = sum(len(p) for p in pieces if p in flat)
    return boiler, len(stored.strip()), kept, sum(len(p) for p in pieces)


# --- the extractors -------------------------------------------------------------------------------


def before_module(name: str) -> ModuleType:
    """``embedrag/ingest/<name>.py`` as it was at :data:`BEFORE`, importable beside the current one."""
    source = subprocess.run(
        ["git", "show", f"{BEFORE}:src/embedrag/ingest/{name}.py"],
        cwd=Path(__file__).parent,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = ModuleType(f"before_{name}")
    exec(compile(source, f"{BEFORE}:{name}.py", "exec"), module.__dict__)
    return module


def extractors() -> dict[str, Callable[[str], str]]:
    import justext
    import trafilatura
    from readability import Document as Readable
    from resiliparse.extract.html2text import extract_plain_text
    from selectolax.lexbor import LexborHTMLParser

    from embedrag.ingest.html import html_page

    old = before_module("html")
    stop = justext.get_stoplist("English")
    return {
        f"embedrag before ({BEFORE}, all visible text)": lambda h: old.html_text(h)[0],
        "embedrag now (main region, furniture rules)": lambda h: html_page(h).text,
        "trafilatura (tables on)": lambda h: trafilatura.extract(h, include_tables=True) or "",
        "resiliparse (main_content=True)": lambda h: extract_plain_text(h, main_content=True),
        "readability-lxml (summary, as text)": lambda h: LexborHTMLParser(Readable(h).summary()).text(separator="\n"),
        "jusText (non-boilerplate paragraphs)": lambda h: "\n".join(
            p.text for p in justext.justext(h.encode(), stop) if not p.is_boilerplate
        ),
    }


def compare_extractors(pages: list[Path]) -> list[str]:
    htmls = [p.read_text(encoding="utf-8") for p in pages]
    judged = [furniture_lines(h) for h in htmls]
    rows = [
        "| extractor | boilerplate share of stored chars | body text kept | stored chars | pages/s |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, extract in extractors().items():
        start = time.perf_counter()
        texts = [extract(h) for h in htmls]
        seconds = time.perf_counter() - start
        totals = [sum(x) for x in zip(*(judge(t, *j) for t, j in zip(texts, judged, strict=True)), strict=True)]
        boiler, stored, kept, body = totals
        rows.append(
            f"| {name} | {100 * boiler / stored:.2f}% ({boiler:,} chars) | {100 * kept / body:.2f}% "
            f"| {stored:,} | {len(pages) / seconds:.1f} |"
        )
    return rows


# --- retrieval before and after -------------------------------------------------------------------


def module_queries(pages: list[Path]) -> list[tuple[str, str]]:
    """(synopsis, expected page id) for each module of the index whose page is ingested."""
    from selectolax.lexbor import LexborHTMLParser

    names = {f"library/{p.name}" for p in pages}
    tree = LexborHTMLParser((DOCS / "py-modindex.html").read_text(encoding="utf-8"))
    queries = []
    for row in tree.css("tr"):
        cells = row.css("td")
        link = row.css_first("a[href]")
        synopsis = cells[-1].css_first("em") if cells else None  # the last cell; "(Unix)" sits in the name's
        if link is None or synopsis is None:
            continue
        page = (link.attributes.get("href") or "").split("#")[0]
        text = squash(synopsis.text())
        if page in names and text:
            queries.append((text, page))
    return [*queries, ISSUE_QUERY]


def documents_before(pages: list[Path]) -> list[Document]:
    old = before_module("html")
    docs = []
    for path in pages:
        text, outline, title = old.html_text(path.read_text(encoding="utf-8"))
        docs.append(Document(f"library/{path.name}", text, str(path), {"outline": outline, "title": title}))
    return docs


def documents_after(pages: list[Path]) -> list[Document]:
    docs = []
    for path in pages:
        for item in load_path(path):
            assert isinstance(item, Document), item
            docs.append(Document(f"library/{path.name}", item.text, item.source, item.metadata))
    return docs


def retrieval(col: Collection, queries: Iterable[tuple[str, str]], ranks: dict[str, int]) -> dict[str, float]:
    """hit@1, hit@5, MRR@10 and top hits headed by furniture; each query's rank (0: not in the top 10)
    goes into ``ranks``."""
    hits1 = hits5 = rr = furniture_top = 0.0
    queries = list(queries)
    for query, page in queries:
        hits = col.search(query, k=30)
        ranked = list(dict.fromkeys(h.doc_id for h in hits))[:10]
        rank = ranked.index(page) + 1 if page in ranked else 0
        ranks[query] = rank
        hits1 += rank == 1
        hits5 += 0 < rank <= 5
        rr += 1 / rank if rank else 0
        headings = hits[0].metadata.get("headings") or []
        furniture_top += any(h in ("Navigation", "Table of Contents", "This Page") for h in headings)
    n = len(queries)
    return {"hit@1": hits1 / n, "hit@5": hits5 / n, "MRR@10": rr / n, "top hit headed by furniture": furniture_top}


RUNS: dict[str, tuple[Callable[[list[Path]], list[Document]], str]] = {
    "before (all visible text, chunks alone)": (documents_before, "none"),
    "now, chunks alone (passage_context='none')": (documents_after, "none"),
    "now, under title and headings (the default)": (documents_after, "title-headings"),
}
"""Retrieval runs: name -> (the loader's documents, the collection's passage_context)."""


def compare_retrieval(pages: list[Path], root: Path) -> list[str]:
    queries = module_queries(pages)
    rows = [
        f"{len(queries)} queries: {len(queries) - 1} module synopses of py-modindex.html, and "
        f"'{ISSUE_QUERY[0]}' -> {ISSUE_QUERY[1]}; hybrid search (the default), all-MiniLM-L6-v2; a page counts once "
        "(its best chunk).",
        "",
        "| loader, what is embedded | documents/s (load + chunk + embed + store) | chunks | hit@1 | hit@5 | MRR@10 "
        "| top hits headed Navigation/Table of Contents/This Page |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    issue_rows = []
    ranks: dict[str, dict[str, int]] = {}
    for index, (name, (make, context)) in enumerate(RUNS.items()):
        with Collection.open(root / str(index), passage_context=context) as col:
            start = time.perf_counter()
            report = col.add(make(pages))
            seconds = time.perf_counter() - start
            scores = retrieval(col, queries, ranks.setdefault(name, {}))
            top = col.search(ISSUE_QUERY[0], k=1)[0]
        rows.append(
            f"| {name} | {len(pages) / seconds:.2f} | {report.chunks:,} | {scores['hit@1']:.3f} "
            f"| {scores['hit@5']:.3f} | {scores['MRR@10']:.3f} | {int(scores['top hit headed by furniture'])} |"
        )
        issue_rows.append(
            f"- {name}: '{ISSUE_QUERY[0]}' -> `{top.id}`, headings {top.metadata.get('headings')}, "
            f"text starts {squash(top.text)[:70]!r}"
        )
    return [*rows, "", *issue_rows, "", *moved(ranks, queries)]


def moved(ranks: dict[str, dict[str, int]], queries: list[tuple[str, str]]) -> list[str]:
    """The queries whose rank differs between two runs, run after run."""
    lines = []
    names = list(ranks)
    for old, new in itertools.pairwise(names):
        changed = [(q, p) for q, p in queries if ranks[old][q] != ranks[new][q]]
        lines.append(f"Ranks that moved from '{old}' to '{new}' (0: below the top 10): {len(changed)}")
        lines += [f"- {page}: {ranks[old][q]} -> {ranks[new][q]} ('{q}')" for q, page in changed]
    return lines


# --- PDFs -----------------------------------------------------------------------------------------


def run_together(pages: list[str]) -> int:
    """Runs of 20 or more letters: words run together (few English words are that long)."""
    return sum(len(LONG_RUN.findall(page)) for page in pages)


def compare_pdfs() -> list[str]:
    from embedrag.ingest.pdf import pdf_pages

    old = before_module("pdf")
    rows = [
        "| PDF (Debian package) | pages | before: chars, ms/page | after: chars, ms/page | lines dropped "
        "| hyphens joined | most common dropped line | runs of 20+ letters, before -> after |",
        "|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for package, path in PDFS.items():
        data = path.read_bytes()
        start = time.perf_counter()
        before = old.pdf_pages(data)
        middle = time.perf_counter()
        after = pdf_pages(data)
        end = time.perf_counter()
        kept = Counter(squash(line) for page in after for line in page.split("\n"))
        dropped: Counter[str] = Counter()  # lines of pypdf's plain text that are gone, numbers as #
        for page in before:
            for line in page.split("\n"):
                key = squash(line)
                if kept[key] > 0:
                    kept[key] -= 1
                elif key and not key.endswith("-"):
                    dropped[re.sub(r"\d+", "#", key)] += 1
        joins = sum(len(re.findall(r"[^\W\d_]-\n[a-z]", page)) for page in before)
        # Each join makes two lines one; every other line fewer is a running head, foot or page number.
        removed = sum(page.count("\n") + 1 for page in before) - sum(page.count("\n") + 1 for page in after) - joins
        common = dropped.most_common(1)[0] if dropped else ("", 0)
        n = len(before)
        rows.append(
            f"| {path.name} ({package}) | {n} | {sum(map(len, before)):,}, {1000 * (middle - start) / n:.0f} "
            f"| {sum(map(len, after)):,}, {1000 * (end - middle) / n:.0f} | {removed:,} | {joins:,} "
            f"| `{common[0][:50]}` ({common[1]}x) | {run_together(before):,} -> {run_together(after):,} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", default="[a-d]*.html", help="glob of pages under library/")
    args = parser.parse_args()
    ensure_inputs()
    pages = sorted((DOCS / "library").glob(args.pages))
    root = Path(tempfile.mkdtemp(prefix="bench-documents-"))
    try:
        lines = run_header(
            "Documents: main text of real pages and PDFs",
            "documents.py",
            "selectolax",
            "pypdf",
            "trafilatura",
            "resiliparse",
            "readability-lxml",
            "justext",
        )
        lines += ["", f"{len(pages)} pages: {DOCS}/library/{args.pages} (Debian python3.11-doc).", ""]
        lines += ["### HTML main text", "", *compare_extractors(pages), ""]
        lines += ["### Retrieval before and after", "", *compare_retrieval(pages, root), ""]
        lines += ["### PDF", "", *compare_pdfs()]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    body = "\n".join(lines)
    print(body)
    write_section("documents", body)


if __name__ == "__main__":
    main()
