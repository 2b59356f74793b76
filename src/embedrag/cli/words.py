"""``embedrag words``: nearest words, analogies, odd one out, evaluation and Word2Vec training.

numpy, pyarrow and gensim are imported inside the commands so ``embedrag --help`` stays fast.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from embedrag.cli._group import default_group
from embedrag.cli._output import err_console, out_console, print_json, progress_bar
from embedrag.errors import InputError

if TYPE_CHECKING:
    from embedrag.words import AnalogyScore, Neighbor, SimilarityScore, WordVectors

_Group: Any = default_group("similar")


class _WordsGroup(_Group):  # type: ignore[misc]
    """``embedrag words frog`` runs ``similar frog``; a bare ``embedrag words`` shows the help."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args:
            args = ["--help"]
        result: list[str] = super().parse_args(ctx, args)
        return result


app = typer.Typer(
    cls=_WordsGroup,
    help="Static word vectors (GloVe 6B 50d by default): similar words, analogies, evaluation, training.",
    no_args_is_help=True,
)

_VECTORS_HELP = "Catalogue name or a word2vec / GloVe file (or glove-npy folder)."
_FORMAT_HELP = "File format: word2vec, word2vec-binary, glove or glove-npy (default: detect)."
VECTORS = typer.Option("glove-6B-50d", "--vectors", "-v", help=_VECTORS_HELP)
FORMAT = typer.Option(None, "--format", help=_FORMAT_HELP)
JSON = typer.Option(False, "--json", help="Print JSON.")


def _load(vectors: str, fmt: str | None) -> WordVectors:
    from embedrag.words import FORMATS, WordVectors

    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"unknown --format '{fmt}'; choose one of: {', '.join(FORMATS)}")
    return WordVectors.load(vectors, format=fmt)


def _print_neighbors(results: Sequence[Neighbor], title: str, json_out: bool) -> None:
    if json_out:
        print_json({"results": [{"word": n.word, "score": n.score} for n in results]})
        return
    table = Table(title=title, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("word")
    table.add_column("score", justify="right")
    for rank, neighbor in enumerate(results, start=1):
        table.add_row(str(rank), neighbor.word, f"{neighbor.score:.4f}")
    out_console.print(table)


@app.command("similar")
def similar(
    word: str = typer.Argument(..., help="The word to find neighbours of."),
    top_k: int = typer.Option(10, "--top-k", "-k", help="How many neighbours."),
    vectors: str = VECTORS,
    fmt: str | None = FORMAT,
    json_out: bool = JSON,
) -> None:
    """The words nearest to WORD by cosine similarity (the default command).

    Example: embedrag words similar frog --top-k 5
    """
    wv = _load(vectors, fmt)
    _print_neighbors(wv.most_similar(word, top_k), f"nearest to '{word}' ({wv.name})", json_out)


@app.command("analogy", context_settings={"ignore_unknown_options": True})
def analogy(
    terms: list[str] = typer.Argument(
        ..., metavar="TERMS...", help="'king - man + woman', or --positive king woman --negative man."
    ),
    method: str = typer.Option("add", "--method", "-m", help="add (3CosAdd) or mul (3CosMul)."),
    top_k: int = typer.Option(10, "--top-k", "-k", help="How many answers."),
    vectors: str = VECTORS,
    fmt: str | None = FORMAT,
    json_out: bool = JSON,
) -> None:
    """Solve an analogy: the words nearest to the positive minus the negative words.

    Write it short, "king - man + woman", or with options, --positive king woman
    --negative man (several words per option). Input words are never answers.

    Example: embedrag words analogy "king - man + woman" --method mul
    """
    positive, negative = _analogy_terms(terms)
    wv = _load(vectors, fmt)
    results = wv.analogy(positive, negative, k=top_k, method=method)
    # Shown the way analogies are read: "king - man + woman".
    expression = positive[0] + "".join(f" - {w}" for w in negative) + "".join(f" + {w}" for w in positive[1:])
    _print_neighbors(results, f"{expression} ({method}, {wv.name})", json_out)


def _analogy_terms(terms: list[str]) -> tuple[list[str], list[str]]:
    """Read ``--positive a b --negative c`` (also ``-p``/``-n``, ``--positive=a``) or ``a - c + b``."""
    from embedrag.words import parse_analogy

    flags = {"--positive": "+", "-p": "+", "--negative": "-", "-n": "-"}
    if not any(t.split("=", 1)[0] in flags for t in terms):
        return parse_analogy(" ".join(terms))
    sides: dict[str, list[str]] = {"+": [], "-": []}
    side: str | None = None
    for term in terms:
        flag, _, value = term.partition("=")
        if flag in flags:
            side = flags[flag]
            if value:
                sides[side].append(value)
        elif side is None or term.startswith("-"):
            raise InputError(f"unexpected '{term}'; write --positive king woman --negative man")
        else:
            sides[side].append(term)
    if not sides["+"]:
        raise InputError("an analogy needs at least one --positive word")
    return sides["+"], sides["-"]


@app.command("plot")
def plot(
    words: list[str] | None = typer.Argument(None, help="Words to draw (the analogies' words are added)."),
    output: Path = typer.Option(..., "--output", "-o", help="Image file: out.png (or .svg, .pdf)."),
    analogies: list[str] = typer.Option(
        [],
        "--analogy",
        "-a",
        help="'man:woman::king:queen' (arrows man->woman, king->queen), or 'king - man + woman' "
        "(the answer is looked up, as in 'words analogy'). Repeatable.",
    ),
    vectors: str = VECTORS,
    fmt: str | None = FORMAT,
) -> None:
    """Draw words in 2-D (a PCA of their vectors), with an arrow pair per analogy: parallel if it holds.

    Example: embedrag words plot -o gender.png --analogy "king - man + woman" --analogy boy:girl::brother:sister
    """
    from embedrag.plot import image_path, plot_words, word_map

    if not words and not analogies:
        raise InputError("nothing to draw: give WORDS and/or --analogy 'man:woman::king:queen'")
    image_path(output)  # a bad file name fails now, not after the vectors have loaded
    wmap = word_map(_load(vectors, fmt), words or [], analogies)
    plot_words(wmap, output)
    for label in wmap.analogies:
        out_console.print(label, markup=False, emoji=False)
    out_console.print(f"{output}: {len(wmap.words)} words, {len(wmap.arrows)} arrows ({wmap.title})", markup=False)


@app.command("similarity")
def similarity(
    a: str = typer.Argument(..., help="First word."),
    b: str = typer.Argument(..., help="Second word."),
    vectors: str = VECTORS,
    fmt: str | None = FORMAT,
    json_out: bool = JSON,
) -> None:
    """The cosine similarity of two words.

    Example: embedrag words similarity king queen
    """
    score = _load(vectors, fmt).similarity(a, b)
    if json_out:
        print_json({"a": a, "b": b, "score": score})
    else:
        out_console.print(f"{score:.4f}")


@app.command("oddoneout")
def oddoneout(
    words: list[str] = typer.Argument(..., help="Three or more words."),
    vectors: str = VECTORS,
    fmt: str | None = FORMAT,
    json_out: bool = JSON,
) -> None:
    """The word that fits least with the others (lowest cosine to their mean).

    Example: embedrag words oddoneout breakfast cereal dinner lunch
    """
    odd = _load(vectors, fmt).doesnt_match(words)
    if json_out:
        print_json({"word": odd.word, "score": odd.score})
    else:
        out_console.print(f"{odd.word}  (cosine to the mean {odd.score:.4f})")


@app.command("eval")
def evaluate(
    similarity_files: list[Path] = typer.Option(
        [], "--similarity", "-s", help="Word-pair file 'word1<TAB>word2<TAB>score' (repeatable)."
    ),
    analogy_files: list[Path] = typer.Option(
        [], "--analogies", "-a", help="Analogy file in the questions-words format (repeatable)."
    ),
    restrict_vocab: int = typer.Option(300_000, "--restrict-vocab", help="Use the N most frequent words; 0: all."),
    method: str = typer.Option("add", "--method", "-m", help="Analogy method: add (3CosAdd) or mul (3CosMul)."),
    vectors: str = VECTORS,
    fmt: str | None = FORMAT,
    json_out: bool = JSON,
) -> None:
    """Evaluate on word-similarity and analogy files (default: the sets in gensim's test data).

    Example: embedrag words eval --similarity wordsim353.tsv --analogies questions-words.txt
    """
    run_word_evaluation(similarity_files, analogy_files, restrict_vocab, method, _load(vectors, fmt), json_out)


def run_word_evaluation(
    similarity_files: list[Path],
    analogy_files: list[Path],
    restrict_vocab: int,
    method: str,
    wv: WordVectors,
    json_out: bool,
) -> None:
    """Score ``wv`` on the files (default: gensim's sets) and print tables or JSON (``words eval``, ``eval words``)."""
    from embedrag.words import evaluate_analogies, evaluate_similarity

    if not similarity_files and not analogy_files:
        similarity_files, analogy_files = _default_eval_files()
    restrict = restrict_vocab or None
    started = time.perf_counter()
    sims = [evaluate_similarity(wv, path, restrict_vocab=restrict) for path in similarity_files]
    analogies = []
    for path in analogy_files:
        with progress_bar(f"analogies {path.name}") as report:
            analogies.append(evaluate_analogies(wv, path, restrict_vocab=restrict, method=method, on_progress=report))
    if json_out:
        print_json(
            {"similarity": [_similarity_json(s) for s in sims], "analogy": [_analogy_json(a) for a in analogies]}
        )
        return
    _print_eval_tables(sims, analogies, f"{wv.name}, {restrict or 'all'} words")
    err_console.print(f"done in {time.perf_counter() - started:.1f} s")


def _default_eval_files() -> tuple[list[Path], list[Path]]:
    from embedrag.words.evaluate import gensim_test_file

    found = [gensim_test_file(n) for n in ("wordsim353.tsv", "simlex999.txt", "questions-words.txt")]
    if any(path is None for path in found):
        raise InputError(
            "no evaluation files given and gensim's test data is not installed: pass --similarity FILE "
            "(word1<TAB>word2<TAB>score, e.g. wordsim353.tsv) and/or --analogies FILE (questions-words.txt "
            "format), or pip install 'embedrag-toolkit[train]' to use the sets bundled with gensim"
        )
    paths = [p for p in found if p is not None]
    return paths[:2], paths[2:]


def _number(value: float) -> float | None:
    return None if math.isnan(value) else value


def _similarity_json(score: SimilarityScore) -> dict[str, Any]:
    return {
        "file": score.file,
        "spearman": _number(score.spearman),
        "pearson": _number(score.pearson),
        "pairs": score.pairs,
        "oov": score.oov,
    }


def _analogy_json(score: AnalogyScore) -> dict[str, Any]:
    sections = {
        s.name: {"accuracy": _number(s.accuracy), "correct": s.correct, "questions": s.questions, "oov": s.oov}
        for s in score.sections
    }
    return {
        "file": score.file,
        "accuracy": _number(score.accuracy),
        "correct": score.correct,
        "questions": score.questions,
        "oov": score.oov,
        "sections": sections,
    }


def _print_eval_tables(sims: list[SimilarityScore], analogies: list[AnalogyScore], title: str) -> None:
    if sims:
        table = Table(title=f"word similarity ({title})", title_justify="left")
        for column in ("file", "spearman", "pearson", "pairs", "oov"):
            table.add_column(column, justify="left" if column == "file" else "right")
        for s in sims:
            table.add_row(Path(s.file).name, f"{s.spearman:.4f}", f"{s.pearson:.4f}", str(s.pairs), str(s.oov))
        out_console.print(table)
        for s in sims:
            if s.oov_pairs:
                pairs = ", ".join(f"{a}/{b}" for a, b in s.oov_pairs[:10])
                more = f" and {len(s.oov_pairs) - 10} more" if len(s.oov_pairs) > 10 else ""
                out_console.print(f"  {Path(s.file).name}: out of vocabulary: {pairs}{more}")
    for a in analogies:
        table = Table(title=f"analogies: {Path(a.file).name} ({a.method}, {title})", title_justify="left")
        for column in ("section", "accuracy", "correct", "questions", "oov"):
            table.add_column(column, justify="left" if column == "section" else "right")
        for section in a.sections:
            table.add_row(
                section.name, f"{section.accuracy:.4f}", str(section.correct), str(section.questions), str(section.oov)
            )
        table.add_row("[bold]total[/]", f"[bold]{a.accuracy:.4f}[/]", str(a.correct), str(a.questions), str(a.oov))
        out_console.print(table)


@app.command("train")
def train(
    corpus: Path = typer.Argument(..., help="Text file, one sentence or document per line (UTF-8)."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to save the vectors (.bin: binary)."),
    skipgram: bool = typer.Option(True, "--sg/--cbow", help="Skip-gram (default) or CBOW."),
    dim: int = typer.Option(100, "--dim", help="Vector dimensions."),
    epochs: int = typer.Option(5, "--epochs", help="Passes over the corpus."),
    min_count: int = typer.Option(5, "--min-count", help="Ignore words rarer than this."),
    window: int = typer.Option(5, "--window", help="Context words on each side."),
    workers: int = typer.Option(0, "--workers", help="Training threads (0: up to 4)."),
    seed: int = typer.Option(1, "--seed", help="Random seed (reproducible with --workers 1)."),
    fmt: str | None = typer.Option(None, "--format", help="word2vec, word2vec-binary or glove (default: by suffix)."),
) -> None:
    """Train Word2Vec on CORPUS (words: lower-cased letters/digits) and save the vectors.

    Example: embedrag words train corpus.txt -o vectors.txt --epochs 10 --min-count 2
    """
    from embedrag.words import train_word2vec

    started = time.perf_counter()
    with progress_bar("training", total=1.0) as report:
        wv = train_word2vec(
            corpus,
            architecture="skipgram" if skipgram else "cbow",
            dims=dim,
            window=window,
            min_count=min_count,
            epochs=epochs,
            workers=workers or None,
            seed=seed,
            on_progress=report,
        )
    saved = wv.save(output, format=fmt)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    out_console.print(f"trained {len(wv):,} words x {wv.dims} dims on {corpus} in {seconds:.1f} s -> {saved}")
