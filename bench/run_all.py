"""Run every benchmark in bench/ at one size and regenerate bench/RESULTS.md.

Each benchmark writes its own marked section of RESULTS.md (machine, versions, its command,
and each figure next to the competitor's figure from the same run, with the ratio); this
script runs them one after the other and writes a ``run_all`` section that lists the
commands it ran, how long each took, and whether it succeeded.

    python bench/run_all.py --quick              # under 10 minutes on 2 cores
    python bench/run_all.py --full               # the sizes RESULTS.md is quoted at (long)
    python bench/run_all.py --quick --dry-run    # print the commands only
    python bench/run_all.py --quick --only search quality
    python bench/run_all.py --quick --results bench/RESULTS-quick.md   # keep RESULTS.md's full figures

A benchmark listed in BENCHMARKS whose script is not in bench/ yet is reported as missing;
the others still run. One that fails is reported as failed, with its exit code.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from _common import cpu_info, versions, write_section

BENCH = Path(__file__).parent


@dataclass(frozen=True)
class Benchmark:
    name: str
    script: str
    quick: tuple[str, ...]
    full: tuple[str, ...]


BENCHMARKS = (
    Benchmark("embed", "embed.py", ("--n", "300"), ("--n", "2000", "--repeats", "3")),
    Benchmark("search", "search.py", ("--quick",), ("--full",)),
    Benchmark("server", "server.py", ("--texts", "96", "--clients", "1,8", "--seconds", "30"), ()),
    Benchmark(
        "quality",
        "quality.py",
        ("--sets", "python-docs", "--split", "test", "--write"),
        ("--sets", "bbc-news", "python-docs", "--split", "test", "--rerank-queries", "150", "--write"),
    ),
)
"""The benchmarks and their arguments per size; a new bench script gets a line here."""


def command(bench: Benchmark, size: str) -> list[str]:
    return [sys.executable, bench.script, *(bench.quick if size == "quick" else bench.full)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_const", dest="size", const="quick", help="(default)")
    size.add_argument("--full", action="store_const", dest="size", const="full")
    parser.add_argument("--only", nargs="+", choices=[b.name for b in BENCHMARKS], help="run just these")
    parser.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    parser.add_argument("--results", type=Path, help="write the report here instead of bench/RESULTS.md")
    args = parser.parse_args(argv)
    if args.results is not None:  # the benchmarks run as child processes and read it from there
        os.environ["EMBEDRAG_BENCH_RESULTS"] = str(args.results.resolve())
    chosen = [b for b in BENCHMARKS if not args.only or b.name in args.only]
    rows = []
    for bench in chosen:
        cmd = command(bench, args.size or "quick")
        shown = " ".join(["python", f"bench/{bench.script}", *cmd[2:]])
        if not (BENCH / bench.script).is_file():
            rows.append((bench.name, shown, "missing (no such script yet)", 0.0))
        elif args.dry_run:
            rows.append((bench.name, shown, "not run (--dry-run)", 0.0))
        else:
            print(f"== {shown}", flush=True)
            started = time.perf_counter()
            code = subprocess.run(cmd, cwd=BENCH, check=False).returncode
            rows.append(
                (bench.name, shown, "ok" if code == 0 else f"failed (exit {code})", time.perf_counter() - started)
            )
    cpu = cpu_info()
    lines = [
        f"`python bench/run_all.py --{args.size or 'quick'}` on {cpu['model']} ({cpu['cores']} cores, "
        f"{cpu['flags']}), Python {cpu['python']}; {versions('embedrag', 'onnxruntime', 'numpy')}.",
        "",
        "| benchmark | command | result | seconds |",
        "|---|---|---|---:|",
        *(f"| {name} | `{shown}` | {status} | {seconds:.0f} |" for name, shown, status, seconds in rows),
    ]
    report = "\n".join(lines)
    print(report)
    if not args.dry_run:
        write_section("run_all", report, results=args.results)
    return 0 if all(status.startswith(("ok", "missing")) for _, _, status, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
