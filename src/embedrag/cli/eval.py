"""``embedrag eval retrieval | words``: is this setup good on my data? One command, the field's metrics."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from embedrag.cli._output import QUIET, err_console, out_console, print_json, stage_bars
from embedrag.errors import InputError

if TYPE_CHECKING:
    from embedrag.eval import RetrievalReport, RunSpec

app = typer.Typer(help="Evaluate retrieval (BEIR data sets) and word vectors.", no_args_is_help=True)


def _specs(modes: list[str], rerank: str | None, fusion: str | None) -> list[RunSpec]:
    from embedrag.eval import MODES, RunSpec

    chosen: list[str] = []
    for value in modes or ["all"]:
        for mode in value.split(","):
            names = MODES if mode == "all" else (mode,)
            if any(name not in MODES for name in names):
                raise InputError(f"unknown mode {mode!r}; choose dense, bm25, hybrid or all")
            chosen += [name for name in names if name not in chosen]
    specs = [RunSpec(m, fusion=fusion if m == "hybrid" else None) for m in chosen]
    return specs + [RunSpec(s.mode, rerank=rerank, fusion=s.fusion) for s in specs] if rerank else specs


@app.command("retrieval")
def retrieval(
    folder: Path = typer.Argument(..., help="A BEIR folder: corpus.jsonl, queries.jsonl, qrels/<split>.tsv."),
    mode: list[str] = typer.Option([], "--mode", help="dense, bm25, hybrid or all (repeatable or comma-separated)."),
    rerank: str | None = typer.Option(None, "--rerank", help="Also run each mode reranked: late or a cross-encoder."),
    fusion: str | None = typer.Option(None, "--fusion", help="Hybrid fusion (default: the search default)."),
    model: str | None = typer.Option(None, "--model", "-m", help="Encoder (default all-MiniLM-L6-v2)."),
    split: str = typer.Option("test", "--split", help="Which qrels/<split>.tsv to score."),
    chunk_tokens: int | None = typer.Option(None, "--chunk-tokens", help="Chunk size (default: the model's limit)."),
    max_queries: int | None = typer.Option(None, "--max-queries", help="Score only the first N judged queries."),
    cache: Path | None = typer.Option(None, "--cache", help="Collection folder (default: in the embedrag cache)."),
    token_vectors: bool = typer.Option(
        False, "--token-vectors", help="The collection keeps its chunks' token vectors: a late rerank reads them."
    ),
    plot: Path | None = typer.Option(
        None, "--plot", help="Also draw recall@k curves and nDCG@10 bars (PNG); with --compare, the comparison."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    quiet: bool = QUIET,
    compare: list[str] = typer.Option(
        [],
        "--compare",
        help="Settings mode[/fusion][+rerank][@model] tested against the first, query by query "
        "(repeatable or comma-separated), e.g. hybrid,dense,hybrid/rrf,dense@tokenlearn-static-64.",
    ),
) -> None:
    """Build (once, cached) a collection for a BEIR corpus, run its queries, report the metrics.

    Example: embedrag eval retrieval bbc-news/ --mode all --rerank late --plot bbc.png
    """
    from embedrag.eval import evaluate_retrieval, load_beir

    if max_queries is not None and max_queries < 1:
        raise InputError("--max-queries must be at least 1")
    if compare:
        from embedrag.cli._compare import compare_settings, show_comparison

        if mode or rerank or fusion or model:
            raise InputError("--compare names each setting itself: leave out --mode, --rerank, --fusion and --model")
        options = {"split": split, "chunk_tokens": chunk_tokens, "cache": cache, "max_queries": max_queries}
        options["token_vectors"] = token_vectors
        with stage_bars(quiet=quiet or json_out) as progress:
            comparison = compare_settings(folder, compare, plot=plot, progress=progress, **options)
        show_comparison(comparison, plot=plot, json_out=json_out)
        return
    specs = _specs(mode, rerank, fusion)
    with stage_bars(quiet=quiet or json_out) as progress:
        report = evaluate_retrieval(
            folder,
            specs,
            split=split,
            model=model,
            chunk_tokens=chunk_tokens,
            cache=cache,
            max_queries=max_queries,
            progress=progress,
            token_vectors=token_vectors,
        )
    if plot is not None:
        from embedrag.plot import plot_retrieval

        plot_retrieval(report, load_beir(folder, split=split).qrels, plot)
    if json_out:
        print_json(report.as_dict())
        return
    _print_report(report)
    if plot is not None:
        err_console.print(f"chart: {plot}")


def _print_report(report: RetrievalReport) -> None:
    from rich.table import Table

    measures = list(next(iter(report.results.values())))
    table = Table(title=f"{report.dataset} ({report.split}), {report.model}", title_justify="left")
    table.add_column("run")
    for name in [*measures, "ms/query"]:
        table.add_column(name, justify="right")
    for label, scores in report.results.items():
        ms = report.timing[f"{label}_ms_per_query"]
        table.add_row(label, *(f"{scores[m]:.4f}" for m in measures), f"{ms:.1f}")
    out_console.print(table)
    scored = (
        ""
        if report.scored_queries == report.queries
        else f" ({report.scored_queries} with a relevant document, the ones scored)"
    )
    out_console.print(
        f"{report.queries} queries{scored}, {report.documents} documents in {report.chunks} chunks "
        f"(indexed in {report.timing['index_s']:.1f} s); collection {report.collection}"
    )
    if report.unknown_documents:
        one = report.unknown_documents == 1
        err_console.print(
            f"note: {report.unknown_documents} judged document{'' if one else 's'} {'is' if one else 'are'} "
            f"not in the corpus: {'it counts as a miss' if one else 'they count as misses'} where judged relevant"
        )


@app.command("words")
def words(
    files: list[Path] = typer.Argument(None, help="Word-pair (word1<TAB>word2<TAB>score) or analogy files."),
    vectors: str = typer.Option("glove-6B-50d", "--vectors", "-v", help="Catalogue name or vectors file."),
    fmt: str | None = typer.Option(None, "--format", help="word2vec, word2vec-binary, glove or glove-npy."),
    restrict_vocab: int = typer.Option(300_000, "--restrict-vocab", help="Use the N most frequent words; 0: all."),
    method: str = typer.Option("add", "--method", "-m", help="Analogy method: add (3CosAdd) or mul (3CosMul)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Spearman rho on similarity sets and accuracy on analogy sets, with OOV counts.

    Without FILES: WordSim-353, SimLex-999 and the Google analogies shipped in gensim's test data.
    A file whose first line starts with ': ' is an analogy file.

    Example: embedrag eval words wordsim353.tsv questions-words.txt --vectors my-vectors.txt
    """
    from embedrag.cli.words import _load, run_word_evaluation

    paths = list(files or [])
    analogies = [p for p in paths if _is_analogy_file(p)]
    similarity = [p for p in paths if p not in analogies]
    run_word_evaluation(similarity, analogies, restrict_vocab, method, _load(vectors, fmt), json_out)


def _is_analogy_file(path: Path) -> bool:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    with path.open("rb") as fh:
        for raw in fh:
            if raw.strip() and not raw.startswith(b"#"):
                return raw.startswith(b": ")
    return False
