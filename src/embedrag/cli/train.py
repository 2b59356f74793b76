"""``embedrag train``: fine-tune models on your data ([hf] extra): mlm, cross-encoder, embedder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from embedrag.cli._output import QUIET, err_console, out_console, print_json, progress_bar
from embedrag.errors import InputError

if TYPE_CHECKING:
    from embedrag.train import Pair, TrainReport

app = typer.Typer(
    help="Fine-tune on your data: a masked-LM head, a cross-encoder reranker, a sentence embedder.",
    no_args_is_help=True,
)

_PAIRS_HELP = (
    "Training pairs: a .jsonl file ({query, passage, label, doc_id}), a .tsv file (query, passage, label), "
    "or a BEIR folder (its --split qrels are the positives)."
)


@app.command("mlm")
def mlm(
    corpus: Path = typer.Argument(..., help="Text file, one sentence or paragraph per line (UTF-8)."),
    output: Path = typer.Option(..., "--output", "-o", help="New folder for the trained model."),
    init: str = typer.Option("all-MiniLM-L6-v2", "--init", help="Encoder to start from (catalogue name or folder)."),
    steps: int = typer.Option(300, "--steps", help="Training steps (batches)."),
    batch_size: int = typer.Option(16, "--batch-size", help="Texts per step."),
    top_layers: int | None = typer.Option(
        None,
        "--top-layers",
        help="Train only this many top encoder layers with the head (default: all; 0: encoder frozen, "
        "its sentence embeddings unchanged).",
    ),
    seed: int = typer.Option(0, "--seed", help="Seed for sampling, masking and the held-out split."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    quiet: bool = QUIET,
) -> None:
    """Give an encoder a masked-LM head, train it with the encoder on CORPUS, save it for 'fill'.

    Example: embedrag train mlm corpus.txt --init all-MiniLM-L6-v2 -o minilm-mlm
    """
    from embedrag.train import train_mlm

    with progress_bar("training", unit="steps", quiet=quiet) as report:
        result = train_mlm(
            corpus,
            init=init,
            output=output,
            steps=steps,
            batch_size=batch_size,
            top_layers=top_layers,
            seed=seed,
            progress=lambda step, total, loss: report(step, total, note=f"loss {loss:.3f}"),
        )
    if as_json:
        print_json({"output": str(output), **result.as_dict()})
        return
    layers = f"{result.top_layers} encoder layers" if result.top_layers else "encoder frozen"
    out_console.print(
        f"saved {output} ({result.steps} steps on {result.train_lines:,} lines, {layers}, {result.seconds:.0f} s)"
    )
    out_console.print(f"loss {result.first_loss:.3f} -> {result.last_loss:.3f}")
    out_console.print(
        f"top-5 fill-in accuracy on {result.evaluated:,} held-out words: {result.top5_accuracy:.3f}"
        f" (5 most frequent words: {result.baseline_top5_accuracy:.3f})"
    )


def _pairs(
    source: Path,
    *,
    split: str,
    negatives: int,
    mine: str,
    collection: Path | None,
    mode: str,
    seed: int,
    quiet: bool,
) -> list[Pair]:
    """The pairs of ``source`` plus ``negatives`` negatives per query, mined as ``mine`` says."""
    from embedrag.train import hard_negatives, random_negatives, read_pairs

    if mine not in ("hard", "random"):
        raise InputError(f"unknown --mine {mine!r}; choose hard or random")
    if negatives < 0:
        raise InputError(f"--negatives must be 0 or more, got {negatives}")
    pairs = read_pairs(source, split=split)
    if negatives == 0:
        return pairs
    if mine == "random":
        return pairs + random_negatives(pairs, per_query=negatives, seed=seed)
    col, documents = _mining_collection(source, collection, quiet=quiet)
    with progress_bar("mining hard negatives", unit="queries", quiet=quiet) as report:
        found = hard_negatives(pairs, col, per_query=negatives, mode=mode, documents=documents, progress=report)
    return pairs + found


def _mining_collection(source: Path, collection: Path | None, *, quiet: bool) -> tuple[Any, dict[str, str] | None]:
    """``--collection``; or for a BEIR folder, the collection of its corpus that eval builds (cached),
    with the corpus' texts: its positives are whole documents, so its negatives must be too."""
    from embedrag.collection import Collection

    if collection is not None:
        return Collection.open(collection, create=False), None
    if not source.is_dir():
        raise InputError("hard negatives need --collection DIR to search (or give a BEIR folder); or use --mine random")
    from embedrag.eval.beir import load_beir
    from embedrag.eval.runner import open_collection

    data = load_beir(source)
    with progress_bar("indexing the corpus", unit="documents", quiet=quiet) as report:
        col, _ = open_collection(source, data, progress=lambda _, done, total: report(done, total))
    return col, {doc_id: doc.full_text for doc_id, doc in data.corpus.items()}


def _print_report(kind: str, output: Path, pairs: list[Pair], report: TrainReport, as_json: bool) -> None:
    negatives = sum(p.label == 0 for p in pairs)
    if as_json:
        print_json({"output": str(output), "negatives": negatives, **report.as_dict()})
        return
    out_console.print(
        f"saved {output} ({kind}; {report.steps} steps, {report.epochs} epoch(s), {report.seconds:.0f} s)"
    )
    out_console.print(f"pairs: {report.positives:,} positive, {negatives:,} negative")
    out_console.print(f"loss {report.first_loss:.3f} -> {report.last_loss:.3f}")
    if report.truncated:
        err_console.print(f"note: {report.truncated:,} text(s) were longer than the model's limit and were cut")
    out_console.print(
        f"measure it: embedrag eval retrieval DATA --{'rerank' if kind == 'cross-encoder' else 'model'} {output}"
    )


@app.command("cross-encoder")
def cross_encoder(
    pairs_source: Path = typer.Argument(..., metavar="PAIRS", help=_PAIRS_HELP),
    output: Path = typer.Option(..., "--output", "-o", help="New folder for the trained cross-encoder."),
    init: str = typer.Option("all-MiniLM-L6-v2", "--init", help="Model to start from (catalogue name or folder)."),
    split: str = typer.Option("train", "--split", help="qrels split to train on, when PAIRS is a BEIR folder."),
    negatives: int = typer.Option(3, "--negatives", help="Negatives to add per query (0: only those in PAIRS)."),
    mine: str = typer.Option("hard", "--mine", help="hard: top hits of a search that are not positives; random."),
    collection: Path | None = typer.Option(None, "--collection", "-c", help="Collection to mine hard negatives from."),
    mode: str = typer.Option("hybrid", "--mode", help="Search mode for mining: dense, bm25 or hybrid."),
    epochs: int = typer.Option(1, "--epochs", help="Passes over the pairs."),
    batch_size: int = typer.Option(16, "--batch-size", help="Pairs per step."),
    learning_rate: float = typer.Option(3e-5, "--lr", help="Peak learning rate (linear warm-up and decay)."),
    max_tokens: int = typer.Option(256, "--max-tokens", help="Word pieces per (query, passage) pair."),
    seed: int = typer.Option(0, "--seed", help="Seed for shuffling and random negatives."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    quiet: bool = QUIET,
) -> None:
    """Train a cross-encoder reranker on PAIRS with hard negatives, for --rerank DIR.

    Example: embedrag train cross-encoder data/bbc-news -o bbc-reranker
    """
    from embedrag.train import train_cross_encoder

    pairs = _pairs(
        pairs_source,
        split=split,
        negatives=negatives,
        mine=mine,
        collection=collection,
        mode=mode,
        seed=seed,
        quiet=quiet,
    )
    with progress_bar("training", unit="steps", quiet=quiet) as report:
        result = train_cross_encoder(
            pairs,
            init=init,
            output=output,
            epochs=epochs,
            batch_size=batch_size,
            learning_rate=learning_rate,
            max_tokens=max_tokens,
            seed=seed,
            progress=lambda step, total, loss: report(step, total, note=f"loss {loss:.3f}"),
        )
    _print_report("cross-encoder", output, pairs, result, as_json)


@app.command("embedder")
def embedder(
    pairs_source: Path = typer.Argument(..., metavar="PAIRS", help=_PAIRS_HELP),
    output: Path = typer.Option(..., "--output", "-o", help="New folder for the fine-tuned embedder."),
    init: str = typer.Option("all-MiniLM-L6-v2", "--init", help="Model to start from (catalogue name or folder)."),
    split: str = typer.Option("train", "--split", help="qrels split to train on, when PAIRS is a BEIR folder."),
    negatives: int = typer.Option(1, "--negatives", help="Hard negatives to add per query (0: in-batch only)."),
    mine: str = typer.Option("hard", "--mine", help="hard: top hits of a search that are not positives; random."),
    collection: Path | None = typer.Option(None, "--collection", "-c", help="Collection to mine hard negatives from."),
    mode: str = typer.Option("hybrid", "--mode", help="Search mode for mining: dense, bm25 or hybrid."),
    epochs: int = typer.Option(1, "--epochs", help="Passes over the pairs."),
    batch_size: int = typer.Option(
        32, "--batch-size", help="Queries per step (each one's passage is a negative for the rest)."
    ),
    learning_rate: float = typer.Option(2e-5, "--lr", help="Peak learning rate (linear warm-up and decay)."),
    seed: int = typer.Option(0, "--seed", help="Seed for shuffling and random negatives."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    quiet: bool = QUIET,
) -> None:
    """Fine-tune a sentence embedder on PAIRS with in-batch (and hard) negatives.

    The folder loads in embedrag (--model DIR) and in sentence-transformers.
    Example: embedrag train embedder data/python-docs -o docs-minilm
    """
    from embedrag.train import train_embedder

    pairs = _pairs(
        pairs_source,
        split=split,
        negatives=negatives,
        mine=mine,
        collection=collection,
        mode=mode,
        seed=seed,
        quiet=quiet,
    )
    with progress_bar("training", unit="steps", quiet=quiet) as report:
        result = train_embedder(
            pairs,
            init=init,
            output=output,
            epochs=epochs,
            batch_size=batch_size,
            learning_rate=learning_rate,
            seed=seed,
            progress=lambda step, total, loss: report(step, total, note=f"loss {loss:.3f}"),
        )
    _print_report("embedder", output, pairs, result, as_json)
