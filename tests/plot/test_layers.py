"""Per-layer similarity curves of one word (``contextual compare --plot``), drawn from a hand-made result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedrag.embed.contextual import WordComparison
from embedrag.errors import InputError
from embedrag.plot import image_path, layer_figure, plot_layers

PNG = b"\x89PNG\r\n\x1a\n"


def _comparison(*, static: bool = True) -> WordComparison:
    sentences = ["A bat flew out of the cave.", "He swung the bat.", "The bat " + "slept " * 30 + "all day."]
    layers = [np.full((3, 3), 1.0 - 0.02 * i, dtype=np.float32) for i in range(7)]
    for i, m in enumerate(layers):
        m[0, 2] = m[2, 0] = 0.9 - 0.03 * i
        np.fill_diagonal(m, 1.0)
    fixed = np.ones((3, 3), dtype=np.float32) if static else None
    return WordComparison("bat", sentences, [["bat"]] * 3, layers, fixed)


def test_one_curve_per_sentence_pair_over_every_layer() -> None:
    fig = layer_figure(_comparison(), model="all-MiniLM-L6-v2", static="glove-6B-50d")
    ax = fig.axes[0]
    curves = [line for line in ax.get_lines() if line.get_linestyle() == "-"]
    assert [line.get_label() for line in curves] == ["s1-s2", "s1-s3", "s2-s3"]
    assert list(curves[1].get_xdata()) == list(range(7))
    assert np.allclose(curves[1].get_ydata(), [0.9 - 0.03 * i for i in range(7)])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["s1-s2", "s1-s3", "s2-s3"]
    assert "'bat'" in ax.get_title() and "all-MiniLM-L6-v2" in ax.get_title()
    assert ax.get_xticklabels()[0].get_text() == "0\nembeddings"


def test_the_static_similarity_is_a_labelled_dashed_line_at_one() -> None:
    ax = layer_figure(_comparison(), static="glove-6B-50d").axes[0]
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and list(dashed[0].get_ydata()) == [1.0, 1.0]
    assert any("static glove-6B-50d: 1.00" in t.get_text() for t in ax.texts)
    ax = layer_figure(_comparison(static=False)).axes[0]
    assert [line.get_linestyle() for line in ax.get_lines()] == ["-"] * 3 and not ax.texts


def test_the_sentences_are_listed_and_long_ones_cut() -> None:
    fig = layer_figure(_comparison())
    listed = fig.texts[0].get_text().splitlines()
    assert listed[0] == "s1: A bat flew out of the cave."
    assert listed[2].startswith("s3: The bat slept") and listed[2].endswith("...") and len(listed[2]) == 4 + 80


def test_plot_layers_writes_a_png(tmp_path: Path) -> None:
    data = plot_layers(_comparison(), tmp_path / "bat.png").read_bytes()
    assert data[:8] == PNG and len(data) > 10_000


def test_svg_by_suffix(tmp_path: Path) -> None:
    assert plot_layers(_comparison(), tmp_path / "bat.svg").read_text().lstrip().startswith("<?xml")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bat.bmp", "unknown image format '.bmp'; use .png, .svg or .pdf"),
        ("bat", "no suffix to choose the image format"),
        ("missing/bat.png", "the folder .*missing does not exist"),
    ],
)
def test_bad_image_paths_are_refused_before_drawing(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        image_path(tmp_path / name)


def test_an_unwritable_path_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "taken.png").mkdir()
    with pytest.raises(InputError, match=r"cannot write .*taken\.png"):
        plot_layers(_comparison(), tmp_path / "taken.png")
