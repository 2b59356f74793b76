"""``embedrag ask``: retrieve, build a cited context, and (optionally) ask an LLM."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from embedrag.cli._output import err_console, out_console, print_json
from embedrag.cli.collection import COLLECTION, FILTERS, JSON, hit_json


def ask(
    question: str = typer.Argument(..., help="The question."),
    collection: Path = COLLECTION,
    k: int = typer.Option(8, "--k", "-k", help="Passages to retrieve before the budget is applied."),
    mode: str = typer.Option("hybrid", "--mode", help="dense, bm25 or hybrid."),
    filters: list[str] | None = FILTERS,
    rerank: str | None = typer.Option(None, "--rerank", help="late (MaxSim) or a cross-encoder model folder."),
    budget: int = typer.Option(3000, "--budget", help="Token budget of the prompt (counted in cl100k_base)."),
    llm: str | None = typer.Option(None, "--llm", help="OpenAI-compatible endpoint, e.g. http://localhost:8080/v1."),
    llm_model: str = typer.Option("default", "--llm-model", help="Model name sent to the endpoint."),
    json_out: bool = JSON,
) -> None:
    """Answer a question from a collection, citing the passages used.

    Without --llm, prints the context (numbered passages + question) to paste anywhere.
    The API key, if the endpoint needs one, comes from $EMBEDRAG_LLM_API_KEY.

    Example: embedrag ask "Who bought the mobile phone maker?" -c my-collection --llm http://localhost:8080/v1
    """
    from embedrag.cli.collection import _open
    from embedrag.collection import LLM

    endpoint = None if llm is None else LLM(llm, llm_model, os.environ.get("EMBEDRAG_LLM_API_KEY"))
    with _open(collection) as col:
        result = col.ask(question, k=k, budget=budget, llm=endpoint, mode=mode, filters=filters, rerank=rerank)
    context, answer = result.context, result.text
    if json_out:
        print_json(
            {
                "question": context.question,
                "answer": answer,
                "passages": [{"n": n, **hit_json(h)} for n, h in enumerate(context.passages, start=1)],
                "skipped": context.skipped,
                "tokens": context.tokens,
                "prompt": context.prompt,
            }
        )
        return
    if answer is None:
        out_console.print(context.prompt, markup=False, highlight=False)
    else:
        out_console.print(answer, markup=False, highlight=False)
        out_console.print("\nSources:", style="bold")
        for n, hit in enumerate(context.passages, start=1):
            out_console.print(f"  [{n}] {hit.id} ({hit.source})", markup=False)
    if context.skipped:
        err_console.print(f"{context.skipped} passage(s) left out: over the budget of {budget} tokens")
