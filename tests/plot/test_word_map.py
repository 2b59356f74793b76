"""Word maps with analogy arrows, on small hand-made vectors, and where their labels go."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedrag.errors import InputError
from embedrag.plot import plot_words, word_figure, word_map
from embedrag.plot._labels import place_labels
from embedrag.plot.words import read_analogy
from embedrag.words import WordVectors

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def wv() -> WordVectors:
    """Royalty on one axis, gender on another: man -> woman is king -> queen exactly."""
    words = ["man", "woman", "king", "queen", "boy", "girl", "apple"]
    vectors = [[1, 0, 0, 0], [1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 1, 0], [1, 0, 0, 0.5], [1, 1, 0, 0.5], [0, 0, 0, 3]]
    return WordVectors(words, np.array(vectors, dtype=np.float32), name="toy")


def test_proportion_and_short_form_name_the_same_arrows(wv: WordVectors) -> None:
    assert read_analogy(wv, "man:woman::king:queen") == (("man", "woman", "king", "queen"), "man:woman :: king:queen")
    found, label = read_analogy(wv, "king - man + woman")
    assert found == ("man", "woman", "king", "queen")  # the answer, queen, is looked up
    assert label == "man:woman :: king:queen  (king - man + woman)"


@pytest.mark.parametrize("text", ["king:queen", "a:b::c", "a:b:c::d", "a:b:: :d"])
def test_malformed_proportions_are_refused(wv: WordVectors, text: str) -> None:
    with pytest.raises(InputError, match="write it like 'man:woman::king:queen'"):
        read_analogy(wv, text)


def test_the_short_form_needs_exactly_three_words(wv: WordVectors) -> None:
    with pytest.raises(InputError, match="has three words"):
        read_analogy(wv, "king - man")


def test_analogy_words_join_the_map_once_each(wv: WordVectors) -> None:
    wmap = word_map(wv, ["apple", "King"], ["man:woman::king:queen", "boy:girl::man:woman"])
    assert wmap.words == ["apple", "King", "man", "woman", "queen", "boy", "girl"]
    pairs = [(wmap.words[a.start], wmap.words[a.end], a.group) for a in wmap.arrows]
    assert pairs == [("man", "woman", 0), ("King", "queen", 0), ("boy", "girl", 1), ("man", "woman", 1)]
    assert wmap.points.shape == (7, 2)
    assert "7 words of toy: PCA" in wmap.title


def test_parallel_offsets_stay_parallel_in_the_projection(wv: WordVectors) -> None:
    wmap = word_map(wv, analogies=["man:woman::king:queen"])
    p = dict(zip(wmap.words, wmap.points, strict=True))
    first, second = p["woman"] - p["man"], p["queen"] - p["king"]
    cosine = first @ second / np.linalg.norm(first) / np.linalg.norm(second)
    assert cosine > 0.95


def test_unknown_words_are_named_together(wv: WordVectors) -> None:
    with pytest.raises(InputError, match="not in the vocabulary of toy: 'pear', 'prince'"):
        word_map(wv, ["pear", "apple"], ["man:woman::prince:queen"])
    with pytest.raises(InputError, match="'prince'"):
        word_map(wv, ["apple"], ["prince - man + woman"])  # named before the answer is looked for


def test_a_map_needs_two_different_words(wv: WordVectors) -> None:
    with pytest.raises(InputError, match="at least two different words"):
        word_map(wv, ["king", "KING"])


def test_the_figure_has_a_label_per_word_and_two_arrows_per_analogy(wv: WordVectors) -> None:
    wmap = word_map(wv, ["apple"], ["man:woman::king:queen", "boy:girl::man:woman"])
    ax = word_figure(wmap).axes[0]
    arrows = [p for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]
    assert len(arrows) == 4
    assert len({tuple(a.get_edgecolor()) for a in arrows}) == 2  # one colour per analogy
    assert sorted(t.get_text() for t in ax.texts) == sorted(wmap.words)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == wmap.analogies
    assert ax.get_aspect() == 1.0


def test_labels_overlap_neither_each_other_nor_the_points(wv: WordVectors) -> None:
    fig = word_figure(word_map(wv, ["apple"], ["man:woman::king:queen", "boy:girl::man:woman"]))
    fig.canvas.draw()
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    pixels = ax.transData.transform(ax.collections[0].get_offsets())
    assert not any(box.contains(x, y) for box in boxes for x, y in pixels)
    frame = ax.get_window_extent(renderer)
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1 for b in boxes)


def test_plot_words_writes_a_png(wv: WordVectors, tmp_path: Path) -> None:
    data = plot_words(word_map(wv, analogies=["king - man + woman"]), tmp_path / "words.png").read_bytes()
    assert data[:8] == PNG and len(data) > 10_000


def test_a_label_avoids_an_obstacle_and_the_edge() -> None:
    [right_above] = place_labels([[50, 50]], [[20, 10]], [], [0, 0, 100, 100])
    assert (right_above.ha, right_above.va) == ("left", "bottom")
    [moved] = place_labels([[50, 50]], [[20, 10]], [[65, 60]], [0, 0, 100, 100])  # inside the right-above box
    assert (moved.ha, moved.va, moved.dx, moved.dy) == ("left", "center", 7.0, 0.0)
    [inside] = place_labels([[95, 95]], [[20, 10]], [], [0, 0, 100, 100])
    assert (inside.ha, inside.va) == ("right", "center")  # left of the point: the first side that fits


def test_labels_of_close_points_do_not_overlap() -> None:
    spots = place_labels([[50, 50], [52, 50]], [[30, 10], [30, 10]], [[50, 50], [52, 50]], [0, 0, 200, 200])
    assert (spots[0].ha, spots[0].va) == ("left", "bottom")
    assert (spots[1].ha, spots[1].va) not in {("left", "bottom"), ("center", "bottom")}  # both would overlap
