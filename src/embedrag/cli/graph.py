"""``embedrag graph``: DeepWalk / node2vec node vectors from an edge list, and how well they separate classes.

numpy and gensim are imported inside the commands so ``embedrag --help`` stays fast.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer

from embedrag.cli._output import out_console, print_json, progress_bar
from embedrag.errors import InputError

app = typer.Typer(
    help="Graph embeddings: DeepWalk / node2vec vectors for the nodes of an edge list.", no_args_is_help=True
)

JSON = typer.Option(False, "--json", help="Print JSON.")


@app.command("embed")
def embed(
    edges: Path = typer.Argument(..., help="Edge list: 'u v' or 'u v weight' per line, '#' comments."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to save the node vectors (.bin: binary)."),
    dims: int = typer.Option(64, "--dims", help="Vector dimensions."),
    walk_length: int = typer.Option(40, "--walk-length", help="Nodes per walk."),
    walks: int = typer.Option(10, "--walks", help="Walks started from every node."),
    window: int = typer.Option(5, "--window", help="Word2Vec context on each side."),
    p: float = typer.Option(1.0, "--p", help="node2vec return parameter (1 with q=1: DeepWalk)."),
    q: float = typer.Option(1.0, "--q", help="node2vec in-out parameter (<1 explores outward, >1 stays local)."),
    epochs: int = typer.Option(5, "--epochs", help="Word2Vec passes over the walks."),
    seed: int = typer.Option(0, "--seed", help="Random seed (walks and training)."),
    workers: int = typer.Option(1, "--workers", help="Training threads (1: reproducible for a seed)."),
    directed: bool = typer.Option(False, "--directed", help="Read 'u v' as an edge from u to v only."),
    fmt: str | None = typer.Option(None, "--format", help="word2vec, word2vec-binary or glove (default: by suffix)."),
    json_out: bool = JSON,
) -> None:
    """Walk the graph, train Word2Vec on the walks, save one vector per node (its id as the word).

    Example: embedrag graph embed karate.edges -o karate.vec --walks 10 --seed 0
    """
    from embedrag.graph import embed_graph, read_edges
    from embedrag.words import FORMATS

    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"unknown --format '{fmt}'; choose one of: {', '.join(FORMATS)}")
    started = time.perf_counter()
    graph = read_edges(edges, directed=directed)
    with progress_bar("walking and training", total=1.0) as report:
        wv = embed_graph(
            graph,
            dims=dims,
            walk_length=walk_length,
            walks_per_node=walks,
            window=window,
            p=p,
            q=q,
            epochs=epochs,
            seed=seed,
            workers=workers,
            on_progress=report,
        )
    saved = wv.save(output, format=fmt)
    seconds = time.perf_counter() - started
    info: dict[str, Any] = {"nodes": len(graph.nodes), "edges": graph.edges, "self_loops": graph.self_loops}
    info |= {"duplicates": graph.duplicates, "dims": wv.dims, "output": str(saved), "seconds": round(seconds, 3)}
    if json_out:
        print_json(info)
        return
    dropped = f" (dropped {graph.self_loops} self-loops, merged {graph.duplicates} repeated edges)"
    note = dropped if graph.self_loops or graph.duplicates else ""
    out_console.print(
        f"{len(graph.nodes):,} nodes, {graph.edges:,} edges{note} -> {wv.dims}-d vectors in {seconds:.1f} s -> {saved}"
    )


@app.command("eval")
def evaluate(
    vectors: Path = typer.Argument(..., help="Node vectors (as written by 'graph embed')."),
    labels: Path = typer.Argument(..., help="Labels: 'node label' per line."),
    folds: int = typer.Option(5, "--folds", help="Stratified cross-validation folds."),
    seed: int = typer.Option(0, "--seed", help="Seed of the fold assignment."),
    fmt: str | None = typer.Option(None, "--format", help="Vector file format (default: detect)."),
    json_out: bool = JSON,
) -> None:
    """Cross-validated accuracy of a linear classifier (logistic regression) predicting the labels from the vectors.

    Example: embedrag graph eval karate.vec karate.labels
    """
    from embedrag.graph import node_accuracy, read_labels
    from embedrag.words import WordVectors

    known = read_labels(labels)
    wv = WordVectors.load(vectors, format=fmt)  # type: ignore[arg-type]
    accuracy = node_accuracy(wv, known, folds=folds, seed=seed)
    classes = len(set(known.values()))
    if json_out:
        print_json({"accuracy": accuracy, "nodes": len(known), "classes": classes, "folds": folds})
    else:
        out_console.print(f"accuracy {accuracy:.4f} ({len(known)} labelled nodes, {classes} classes, {folds}-fold)")
