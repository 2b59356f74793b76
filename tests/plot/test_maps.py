"""2-D maps: the projection math, and the two output formats."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pytest

from embedrag.errors import InputError, MissingDependencyError
from embedrag.plot import CollectionMap, project, write_map
from embedrag.plot.maps import _grouped


def test_pca_keeps_the_two_directions_of_largest_variance() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5)) * [10.0, 3.0, 0.1, 0.1, 0.1]
    points = project(x)
    assert points.shape == (200, 2)
    assert abs(np.corrcoef(points[:, 0], x[:, 0])[0, 1]) > 0.99
    assert abs(np.corrcoef(points[:, 1], x[:, 1])[0, 1]) > 0.99
    assert np.array_equal(project(x), points)


def test_projection_errors() -> None:
    with pytest.raises(InputError, match="unknown projection 'tsne'"):
        project(np.eye(4), "tsne")
    with pytest.raises(InputError, match="at least 3 chunks"):
        project(np.eye(2))


def test_umap_is_used_when_installed_and_named_when_not(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: dict[str, object] = {}

    class FakeUMAP:
        def __init__(self, **options: object) -> None:
            calls.update(options)

        def fit_transform(self, x: np.ndarray) -> np.ndarray:
            return x[:, :2] * 2

    monkeypatch.setitem(sys.modules, "umap", types.SimpleNamespace(UMAP=FakeUMAP))
    assert project(np.eye(4), "umap").tolist() == (np.eye(4)[:, :2] * 2).tolist()
    assert calls == {"n_components": 2, "n_neighbors": 3, "metric": "cosine", "random_state": 0}
    monkeypatch.setitem(sys.modules, "umap", None)  # import umap -> ImportError
    with pytest.raises(MissingDependencyError, match=r"pip install 'embedrag-toolkit\[umap\]'"):
        project(np.eye(4), "umap")


def test_rare_values_share_one_colour() -> None:
    labels = [f"v{i}" for i in range(12)] + ["v0"] * 5
    grouped = _grouped(labels)
    assert len(set(grouped)) == 10 and "other" in grouped and grouped.count("v0") == 6


def _map() -> CollectionMap:
    points = np.array([[0.0, 0.0], [1.0, 2.0], [2.0, 1.0]])
    return CollectionMap(points, ["a", "b", "a"], ["d1#0", "d2#0", "d3#0"], ["one <b>", "two", "three"], "t & t")


def test_html_map_is_one_self_contained_file_with_text_on_hover(tmp_path: Path) -> None:
    page = write_map(_map(), tmp_path / "map.html").read_text()
    assert page.count("<circle") == 3
    assert "<title>d1#0 [a]\none &lt;b&gt;</title>" in page
    assert "<script" not in page and "src=" not in page and "href=" not in page  # nothing fetched, nothing run
    assert "t &amp; t" in page


def test_png_map_is_drawn(tmp_path: Path) -> None:
    data = write_map(_map(), tmp_path / "map.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


@pytest.mark.parametrize(
    ("name", "message"), [("map.bmpx", "unknown image format '.bmpx'"), ("no/such/map.png", "does not exist")]
)
def test_a_bad_map_path_is_one_clear_error(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        write_map(_map(), tmp_path / name)
