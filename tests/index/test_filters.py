from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from embedrag.errors import InputError
from embedrag.index import Store
from embedrag.index.filters import parse_filters
from embedrag.index.retrieval import Index


@pytest.fixture
def index(store: Store, put: Callable[..., None]) -> Index:
    put("a", ["apple pie recipe"], category="food", year=2003, date="2003-05-01", source="docs/food/a.md")
    put("b", ["apple computers"], category="tech", year=2004, date="2004-01-09", source="docs/tech/b.md")
    put("c", ["apple orchards"], category="farm", year=2010, date="2010-12-31", source="notes/c.md")
    return Index(store)


def docs(index: Index, filters: dict) -> list[str]:
    return sorted(h.doc_id for h in index.hits(index.lexical("apple", k=10, filters=filters)))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"category": "tech"}, ["b"]),
        ({"category": {"eq": "food"}}, ["a"]),
        ({"category": {"in": ["food", "farm"]}}, ["a", "c"]),
        ({"year": {"gt": 2003}}, ["b", "c"]),
        ({"year": {"gte": 2004, "lt": 2010}}, ["b"]),
        ({"year": {"lte": 2004}}, ["a", "b"]),
        ({"date": {"gte": "2004-01-01", "lte": "2004-12-31"}}, ["b"]),
        ({"source": {"prefix": "docs/"}}, ["a", "b"]),
        ({"doc_id": {"in": ["c"]}}, ["c"]),
        ({"category": "tech", "year": {"gte": 2005}}, []),
    ],
)
def test_each_operator_selects_the_matching_documents(index: Index, filters: dict, expected: list[str]) -> None:
    assert docs(index, filters) == expected


def test_dense_search_applies_filters_too(index: Index) -> None:
    hits = index.hits(index.dense(np.ones(8), k=10, filters={"source": {"prefix": "notes/"}}))
    assert [h.doc_id for h in hits] == ["c"]


def test_an_unknown_key_lists_the_known_ones(index: Index) -> None:
    with pytest.raises(InputError, match=r"unknown filter key 'colour'.*'category', 'date', 'doc_id'"):
        index.lexical("apple", k=3, filters={"colour": "red"})


def test_an_unknown_operator_is_an_error(index: Index) -> None:
    with pytest.raises(InputError, match="unknown filter operator 'like'"):
        index.lexical("apple", k=3, filters={"category": {"like": "t%"}})


@pytest.mark.parametrize("k", [0, -1])
def test_k_must_be_positive(index: Index, k: int) -> None:
    with pytest.raises(InputError, match="k must be a positive integer"):
        index.dense(np.ones(8), k=k)
    with pytest.raises(InputError, match="k must be a positive integer"):
        index.lexical("apple", k=k)


def test_a_filtered_hnsw_query_still_returns_k_hits(store: Store, make: Callable) -> None:
    # 400 chunks, 1 in 20 allowed: the unfiltered neighbours are mostly filtered out.
    with store.write() as w:
        for d in range(40):
            w.put_document(*make(f"d{d}", [f"p{i}" for i in range(10)], keep=d % 20 == 0))
    index = Index(store, exact_threshold=0)
    got = index.dense(np.ones(8), k=15, filters={"keep": True})
    assert len(got) == 15
    exact = index.dense(np.ones(8), k=15, filters={"keep": True}, exact=True)
    assert {c for c, _ in got} == {c for c, _ in exact}


def test_a_filtered_lexical_query_returns_k_hits(store: Store, put: Callable[..., None]) -> None:
    for d in range(30):
        put(f"d{d}", ["apple " * (d + 1)], keep=d % 3 == 0)
    assert len(Index(store).lexical("apple", k=10, filters={"keep": True})) == 10


def test_hits_carry_text_source_and_merged_metadata(index: Index) -> None:
    (hit,) = index.hits(index.lexical("computers", k=1))
    assert (hit.id, hit.doc_id, hit.text, hit.source) == ("b#0", "b", "apple computers", "docs/tech/b.md")
    assert hit.metadata["category"] == "tech"


def test_a_dense_hnsw_query_reads_the_store_once_and_still_sees_new_writes(
    store: Store, put: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    for d in range(5):
        put(f"d{d}", [f"p{d} {i}" for i in range(10)])
    index = Index(store, exact_threshold=0)
    index.dense(np.ones(8), k=3)  # builds the graph
    reads = 0
    original = store.read

    def counted():  # type: ignore[no-untyped-def]
        nonlocal reads
        reads += 1
        return original()

    monkeypatch.setattr(store, "read", counted)
    assert len(index.dense(np.ones(8), k=3)) == 3
    assert reads == 1
    put("new", ["fresh paragraph"])
    assert any(index.hits([(c, s)])[0].doc_id == "new" for c, s in index.dense(np.ones(8), k=60))


@pytest.mark.parametrize(
    "expression",
    ["size>>3", "size>=abc", "size=>3", "size==3", "size<<3", "size<=>3", "source^=^docs", "size>=", "size>= 3x"],
)
def test_a_filter_expression_that_cannot_mean_what_it_says_is_an_error_naming_it(expression: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_filters([expression])
    assert repr(expression) in str(caught.value)


@pytest.mark.parametrize(
    ("expression", "parsed"),
    [
        ("date>=2004-01-01", {"date": {"gte": "2004-01-01"}}),
        ("date<2004-01-09T10:30:00Z", {"date": {"lt": "2004-01-09T10:30:00Z"}}),
        ("date<=2004-01", {"date": {"lte": "2004-01"}}),
        ("size>-3.5", {"size": {"gt": -3.5}}),
        ("title=a=b", {"title": "a=b"}),
    ],
)
def test_numbers_and_iso_dates_are_range_bounds(expression: str, parsed: dict) -> None:
    assert parse_filters([expression]) == parsed


def test_dates_still_compare_as_strings(index: Index) -> None:
    assert docs(index, parse_filters(["date>=2004-01-01", "date<2010-01-01T00:00:00"])) == ["b"]


@pytest.mark.parametrize("bound", ["abc", "2004", ">3", "", True, None, [1]])
def test_a_range_bound_in_dict_form_must_be_a_number_or_an_iso_date(index: Index, bound: object) -> None:
    with pytest.raises(InputError, match=r"filter 'year' gte .*a number or an ISO-8601 date"):
        index.lexical("apple", k=3, filters={"year": {"gte": bound}})


@pytest.mark.parametrize("key", ['say "hi"', "it's", "a.b", "two words", "café 日本", "back\\slash", "$", "[0]"])
def test_any_metadata_key_addresses_its_member(store: Store, put: Callable[..., None], key: str) -> None:
    put("match", ["apple one"], **{key: 7})
    put("other", ["apple two"], **{key: 8, "a": 7})
    index = Index(store)
    assert docs(index, {key: 7}) == ["match"]
    assert docs(index, {key: {"lt": 8}}) == ["match"]
    assert docs(index, {key: {"in": [8]}}) == ["other"]


def test_a_key_that_looks_like_a_path_is_not_read_as_one(store: Store, put: Callable[..., None]) -> None:
    put("nested", ["apple one"], a={"b": 1}, **{"a.b": 2})
    assert docs(Index(store), {"a.b": 2}) == ["nested"]
    assert docs(Index(store), {"a.b": 1}) == []


def test_a_range_compares_only_values_of_its_bound_s_type(store: Store, put: Callable[..., None]) -> None:
    # SQLite orders every text after every number: "2004" >= 2010 was true, 2020 < "2010-01" too.
    put("text", ["apple one"], year="2004-05", date="2004-05-01")
    put("number", ["apple two"], year=2004, date=2020)
    index = Index(store)
    assert docs(index, {"year": {"gte": 2010}}) == []
    assert docs(index, {"year": {"lt": 2010}}) == ["number"]
    assert docs(index, {"date": {"lt": "2010-01"}}) == ["text"]
    assert docs(index, {"source": {"gte": 0}}) == []


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"year": {"gte": 2010}}, ["b", "num"]),
        ({"year": {"lt": 2010}}, ["a"]),
        ({"year": 2004}, ["a"]),
        ({"year": {"in": [2004, 2016]}}, ["a"]),
        ({"year": {"in": [2015, "x"]}}, ["b", "num"]),
        ({"code": {"in": [7, "1e3"]}}, ["a"]),
        ({"price": {"lte": 9.5}}, ["a", "num"]),
        ({"price": {"gt": 9.5}}, ["b"]),
        ({"price": -0.25}, ["num"]),
        ({"code": {"gte": 0}}, []),  # "1e3", " 7" and "1.2.3" do not spell a decimal number
        ({"code": "1e3"}, ["a"]),
    ],
)
def test_a_number_matches_text_that_spells_it(
    store: Store, put: Callable[..., None], filters: dict, expected: list[str]
) -> None:
    # CSV columns are text: year>=2010 on "2015" matched nothing once ranges compared numbers only.
    put("a", ["apple one"], year="2004", price="9.50", code="1e3")
    put("b", ["apple two"], year="2015", price="19.90", code=" 7")
    put("num", ["apple three"], year=2015, price=-0.25, code="1.2.3")
    assert docs(Index(store), filters) == expected


@pytest.mark.parametrize(
    ("filters", "expected"),
    [({"n": 10**30}, ["big"]), ({"n": {"gte": 10**30}}, ["big"]), ({"n": {"in": [1, -(10**30)]}}, ["small"])],
)
def test_an_integer_too_large_for_sqlite_still_compares(
    store: Store, put: Callable[..., None], filters: dict, expected: list[str]
) -> None:
    # SQLite integers are 64-bit: binding 10**30 raised OverflowError (a 500 from the server).
    put("big", ["apple one"], n=10**30)
    put("small", ["apple two"], n=1)
    assert docs(Index(store), filters) == expected
