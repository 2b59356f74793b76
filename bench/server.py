"""HTTP server throughput and latency: embedrag serve under 1, 8 and 32 concurrent clients.

The server runs as its own process (``embedrag serve``) on localhost; this process is the
load generator (asyncio + httpx, one connection per client). Each request carries
``--per-request`` BBC News paragraphs and asks for base64 vectors, as the openai client
does. Every level is bounded by a request count and a time limit. The reference is
offline ``Embedder.encode`` over the same paragraphs in one call, measured in the same run
on the same machine (before the server starts, so the two never compete for the cores).

    python bench/server.py                                  # all-MiniLM-L6-v2, writes bench/RESULTS.md
    python bench/server.py --model tokenlearn-static-64 --no-write

Reports requests/s, embeddings/s, p50/p99 latency, the mean number of requests merged into
one encoder batch (from /metrics), and embeddings/s as a share of offline throughput.
Targets: >= 80% of offline throughput at 32 clients; p99 < 5x p50 at 8 clients.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np

from _common import bbc_passages, run_header, write_section


@dataclass
class Level:
    clients: int
    requests: int
    seconds: float
    latencies: list[float]
    texts: int
    merged: float

    @property
    def embeddings_per_s(self) -> float:
        return self.texts / self.seconds

    def p(self, q: float) -> float:
        return float(np.percentile(self.latencies, q)) * 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def offline(model: str, texts: list[str]) -> float:
    """Embeddings/s of one ``Embedder.encode`` call over ``texts`` (after a warm-up)."""
    from embedrag import Embedder

    embedder = Embedder(model)
    embedder.encode(texts[:16])
    start = time.perf_counter()
    embedder.encode(texts)
    return len(texts) / (time.perf_counter() - start)


def start_server(model: str, port: int) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-m",
        "embedrag",
        "serve",
        "--port",
        str(port),
        "--model",
        model,
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    import httpx

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited: {server.stderr.read() if server.stderr else ''}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise TimeoutError("the server was not ready after 300 s")


def batch_counters(url: str, model: str) -> tuple[float, float]:
    """(encoder batches, requests in them) so far, from /metrics."""
    import httpx

    text = httpx.get(f"{url}/metrics", timeout=30).text
    labels = re.escape(f'{{model="{model}"}}')
    count = re.search(rf"^embedrag_batch_requests_count{labels} (\S+)$", text, re.M)
    total = re.search(rf"^embedrag_batch_requests_sum{labels} (\S+)$", text, re.M)
    return (float(count.group(1)), float(total.group(1))) if count and total else (0.0, 0.0)


async def load(url: str, model: str, requests: list[list[str]], clients: int, limit: float) -> Level:
    import httpx

    latencies: list[float] = []
    sent = 0
    deadline = time.monotonic() + limit

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal sent
        while sent < len(requests) and time.monotonic() < deadline:
            body = {"model": model, "input": requests[sent], "encoding_format": "base64"}
            sent += 1
            start = time.perf_counter()
            response = await http.post(f"{url}/v1/embeddings", json=body)
            latencies.append(time.perf_counter() - start)
            if response.status_code != 200:
                raise RuntimeError(f"{response.status_code}: {response.text}")

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=600) as http:
        start = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        seconds = time.perf_counter() - start
    done = len(latencies)
    return Level(clients, done, seconds, latencies, sum(len(r) for r in requests[:done]), 0.0)


def run_level(url: str, model: str, texts: list[str], per_request: int, clients: int, limit: float) -> Level:
    requests = [texts[i : i + per_request] for i in range(0, len(texts), per_request)]
    asyncio.run(load(url, model, [["warm-up"]] * clients, clients, 60))  # connections, thread pools, first batch
    batches, merged = batch_counters(url, model)
    level = asyncio.run(load(url, model, requests, clients, limit))
    after_batches, after_merged = batch_counters(url, model)
    level.merged = (after_merged - merged) / max(after_batches - batches, 1)
    return level


def report(model: str, args: argparse.Namespace, reference: float, levels: list[Level], n_texts: int) -> str:
    packages = ("embedrag-toolkit", "onnxruntime", "fastapi", "uvicorn", "httpx", "numpy")
    title = f"HTTP server: {model}, {args.per_request} BBC News paragraphs per request"
    lines = [
        *run_header(title, "server.py", *packages),
        f"Offline reference: `Embedder.encode` of {n_texts} paragraphs in one call: {reference:.1f} embeddings/s. "
        "Server and load generator share the machine; base64 vectors; one connection per client. "
        f"Load average when the run started: {args.load:.1f} (other work on the machine slows both sides).",
        "",
        "| clients | requests | req/s | embeddings/s | p50 ms | p99 ms | p99/p50 | requests per encoder batch "
        "| share of offline |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for lv in levels:
        lines.append(
            f"| {lv.clients} | {lv.requests} | {lv.requests / lv.seconds:.1f} | {lv.embeddings_per_s:.1f} "
            f"| {lv.p(50):.0f} | {lv.p(99):.0f} | {lv.p(99) / lv.p(50):.2f} | {lv.merged:.1f} "
            f"| {100 * lv.embeddings_per_s / reference:.0f}% |"
        )
    by_clients = {lv.clients: lv for lv in levels}
    if 32 in by_clients and 8 in by_clients:
        share = by_clients[32].embeddings_per_s / reference
        spread = by_clients[8].p(99) / by_clients[8].p(50)
        lines += [
            "",
            f"Targets: >= 80% of offline throughput at 32 clients: {100 * share:.0f}% "
            f"({'met' if share >= 0.8 else 'not met'}); p99 < 5x p50 at 8 clients: {spread:.2f}x "
            f"({'met' if spread < 5 else 'not met'}).",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="all-MiniLM-L6-v2")
    parser.add_argument("--per-request", type=int, default=4, help="paragraphs per request (default 4)")
    parser.add_argument("--texts", type=int, default=480, help="paragraphs sent per level (default 480)")
    parser.add_argument("--clients", default="1,8,32", help="concurrency levels (default 1,8,32)")
    parser.add_argument("--seconds", type=float, default=120, help="time limit per level (default 120)")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args.load = os.getloadavg()[0]
    warnings.simplefilter("ignore")
    texts = bbc_passages(args.texts)
    reference = offline(args.model, texts)
    print(f"offline: {reference:.1f} embeddings/s", flush=True)
    port = free_port()
    server = start_server(args.model, port)
    url = f"http://127.0.0.1:{port}"
    levels = []
    try:
        for clients in (int(c) for c in args.clients.split(",")):
            levels.append(run_level(url, args.model, texts, args.per_request, clients, args.seconds))
            lv = levels[-1]
            print(f"{clients} clients: {lv.embeddings_per_s:.1f} embeddings/s, p50 {lv.p(50):.0f} ms", flush=True)
    finally:
        server.terminate()
        server.wait(60)
    text = report(args.model, args, reference, levels, len(texts))
    print(text)
    if not args.no_write:
        write_section("server", text)


if __name__ == "__main__":
    main()
