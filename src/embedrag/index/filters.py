"""Metadata filters as data, compiled to SQL over documents, yielding the allowed chunk ids.

Syntax: ``{key: value}`` (equality) or ``{key: {op: value, ...}}`` with the operators of
:data:`OPERATORS`; several keys and operators are AND-ed. Keys are ``source``, ``doc_id`` or a
top-level key of document metadata. Dates compare as ISO-8601 strings, so ranges on them work.

A number (an equality, ``in`` or range value) matches numbers and text that spells a decimal number
(``"2004"``, ``"-9.50"``: a CSV column is text); a date bound matches text only. SQLite alone would
order every text after every number, so ``"2004" >= 2010`` would hold.

>>> where, params = compile_filters({"category": "tech", "year": {"lte": 2004}}, {"category", "year"})
>>> print(where.replace("(SELECT m.value FROM json_each(d.metadata) AS m WHERE m.key = ?)", "<member>"))
<member> = ? AND (SELECT 1 FROM (SELECT <member> AS v) WHERE CASE WHEN ... END <= ?)
>>> params
['category', 'tech', 'year', 2004]
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from embedrag.errors import InputError
from embedrag.tokenize.protocol import check_text

__all__ = [
    "BUILTIN_KEYS",
    "OPERATORS",
    "FilterSpec",
    "Filters",
    "as_filters",
    "candidate_ids",
    "compile_filters",
    "is_range_bound",
    "metadata_keys",
    "parse_filters",
]

Filters = Mapping[str, Any]
FilterSpec = Filters | Sequence[str]
"""Filters as data (``{"year": {"gte": 2004}}``) or as the CLI's expressions (``["year>=2004"]``)."""

BUILTIN_KEYS = {"source": "d.source", "doc_id": "d.id"}
"""Filter keys that are columns rather than metadata."""


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_NUMERIC_TEXT = (
    "(s <> '' AND s GLOB '*[0-9]*' AND NOT s GLOB '*[^0-9.]*' AND NOT s GLOB '*.*.*')"
    " FROM (SELECT CASE WHEN substr(v, 1, 1) IN ('-', '+') THEN substr(v, 2) ELSE v END AS s)"
)
_AS_NUMBER = (
    "CASE WHEN typeof(v) IN ('integer', 'real') THEN v"
    f" WHEN typeof(v) = 'text' AND (SELECT {_NUMERIC_TEXT}) THEN CAST(v AS REAL) END"
)
"""The value ``v`` as a number: a number, or text spelling a decimal number; else NULL (matches nothing)."""


def _where_value(column: str, condition: str) -> str:
    """SQL true when ``condition`` (over the value ``v``) holds; the column is read once, first."""
    return f"(SELECT 1 FROM (SELECT {column} AS v) WHERE {condition})"


def _marks(values: list[Any]) -> str:
    return ",".join("?" * len(values))


def _in(column: str, value: Any) -> tuple[str, list[Any]]:
    if not isinstance(value, (list, tuple, set, frozenset)) or not value:
        raise InputError(f"'in' needs a non-empty list of values, got {value!r}")
    numbers = [v for v in value if _number(v)]
    others = [v for v in value if not _number(v)]
    if not numbers:
        return f"{column} IN ({_marks(others)})", others
    condition = f"{_AS_NUMBER} IN ({_marks(numbers)})" + (f" OR v IN ({_marks(others)})" if others else "")
    return _where_value(column, condition), [*numbers, *others]


def _prefix(column: str, value: Any) -> tuple[str, list[Any]]:
    if not isinstance(value, str):
        raise InputError(f"'prefix' needs a string, got {value!r}")
    # substr rather than LIKE: no wildcard escaping, and '%' or '_' in paths stay literal.
    return f"substr({column}, 1, ?) = ?", [len(value), value]


def is_range_bound(value: Any) -> bool:
    """A number, or an ISO-8601 date or datetime string (which compare as strings: ``"2004-01" < "2004-01-09"``).

    >>> [is_range_bound(v) for v in (3, -2.5, "2004-01-01", "2004-01-09T10:30:00Z", "2004-01", "abc", "3", True)]
    [True, True, True, True, True, False, False, False]
    """
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if not isinstance(value, str) or not _YEAR_MONTH.match(value):
        return False  # datetime also reads "20040101" and "2004W01", which do not compare with stored dates
    try:
        datetime.fromisoformat(value if len(value) > 7 else value + "-01")
    except ValueError:
        return False
    return True


_YEAR_MONTH = re.compile(r"\d{4}-\d{2}")


def _compare(sql_op: str) -> Callable[[str, Any], tuple[str, list[Any]]]:
    def build(column: str, value: Any) -> tuple[str, list[Any]]:
        if not is_range_bound(value):
            kind = "another string" if isinstance(value, str) else type(value).__name__
            raise InputError(f"a range bound must be a number or an ISO-8601 date, not {kind}")
        # SQLite orders every text after every number ("2004" >= 2010 holds): a number bound compares
        # numbers (and text spelling one), a date bound text only.
        value_sql = "CASE WHEN typeof(v) = 'text' THEN v END" if isinstance(value, str) else _AS_NUMBER
        return _where_value(column, f"{value_sql} {sql_op} ?"), [value]

    return build


def _eq(column: str, value: Any) -> tuple[str, list[Any]]:
    if not isinstance(value, (int, float, str, bool)):
        raise InputError(f"equality needs a string, number or boolean, got {value!r}")
    if _number(value):
        return _where_value(column, f"{_AS_NUMBER} = ?"), [value]
    return f"{column} = ?", [value]


OPERATORS: dict[str, Callable[[str, Any], tuple[str, list[Any]]]] = {
    "eq": _eq,
    "in": _in,
    "gt": _compare(">"),
    "gte": _compare(">="),
    "lt": _compare("<"),
    "lte": _compare("<="),
    "prefix": _prefix,
}
"""Filter operators: name -> SQL builder ``(column, value) -> (sql, params)``."""


def _column(key: str) -> tuple[str, list[Any]]:
    """The SQL of a filter key's value and its parameters.

    A metadata member is looked up by its key as a parameter, not through a JSON path: SQLite's
    paths cannot spell every key (one holding a '"' matches nothing), and '.' or '[' would
    address nested members.
    """
    if key in BUILTIN_KEYS:
        return BUILTIN_KEYS[key], []
    return "(SELECT m.value FROM json_each(d.metadata) AS m WHERE m.key = ?)", [key]


def _check_strings(key: str, value: Any) -> None:
    """Keys and string values must be valid Unicode: SQLite stores UTF-8."""
    check_text(key, what=f"filter key {key!r}")
    for item in value if isinstance(value, (list, tuple, set, frozenset)) else [value]:
        if isinstance(item, str):
            check_text(item, what=f"the value of filter {key!r}")


def compile_filters(filters: Filters, known: set[str]) -> tuple[str, list[Any]]:
    """SQL condition over ``documents d`` and its parameters; raises InputError on unknown keys/ops."""
    clauses: list[str] = []
    params: list[Any] = []
    for key, spec in filters.items():
        if key not in BUILTIN_KEYS and key not in known:
            raise InputError(f"unknown filter key {key!r}; known keys: {sorted(known | set(BUILTIN_KEYS))}")
        ops = spec if isinstance(spec, Mapping) else {"eq": spec}
        if not ops:
            raise InputError(f"filter on {key!r} has no operator; use one of {sorted(OPERATORS)}")
        for op, value in ops.items():
            if op not in OPERATORS:
                raise InputError(f"unknown filter operator {op!r} on {key!r}; use one of {sorted(OPERATORS)}")
            _check_strings(key, value)
            column, column_params = _column(key)
            try:
                sql, values = OPERATORS[op](column, value)
            except InputError as exc:
                raise InputError(f"filter {key!r} {op} {value!r}: {exc}") from None
            clauses.append(sql)
            params.extend(column_params + [_bindable(v) for v in values])  # the column comes first in every SQL
    return " AND ".join(clauses) or "1", params


def _bindable(value: Any) -> Any:
    """An integer beyond SQLite's 64 bits as the float it reads such a stored JSON number as (``1e30``)."""
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
        return float(value)
    return value


def metadata_keys(conn: sqlite3.Connection) -> set[str]:
    """Every top-level metadata key used by some document."""
    sql = "SELECT DISTINCT j.key FROM documents d, json_each(d.metadata) j"
    return {str(r[0]) for r in conn.execute(sql)}


def candidate_ids(conn: sqlite3.Connection, filters: Filters, known: set[str]) -> NDArray[np.int64]:
    """Sorted ids of the chunks whose document passes ``filters``."""
    where, params = compile_filters(filters, known)
    sql = f"SELECT c.id FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE {where} ORDER BY c.id"
    return np.array([r[0] for r in conn.execute(sql, params)], dtype=np.int64)


_EXPRESSION = re.compile(r"^\s*([A-Za-z_][\w.-]*)\s*(>=|<=|\^=|!?=|>|<)\s*(.*)$")
_SYMBOLS = {"=": "eq", ">=": "gte", "<=": "lte", ">": "gt", "<": "lt", "^=": "prefix"}


def _value(text: str) -> Any:
    """A JSON number / boolean / null if the text is one, else the text itself."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return text
    return value if isinstance(value, (int, float, bool)) or value is None else text


def parse_filters(expressions: Sequence[str]) -> dict[str, Any]:
    """Filters from command-line expressions: ``key=value``, ``key=a|b`` (in), ``key>=n``,
    ``key<n`` (ranges), ``key^=prefix``. Several expressions on one key combine.

    >>> parse_filters(["category=tech|business", "year>=2004", "year<2010", "source^=docs/"])
    {'category': {'in': ['tech', 'business']}, 'year': {'gte': 2004, 'lt': 2010}, 'source': {'prefix': 'docs/'}}
    """
    filters: dict[str, Any] = {}
    for expression in expressions:
        key, operator, value = _parse_one(expression)
        filters.setdefault(key, {})[operator] = value
    return {k: v["eq"] if list(v) == ["eq"] else v for k, v in filters.items()}


def _parse_one(expression: str) -> tuple[str, str, Any]:
    """(key, operator, value) of one expression, or :class:`InputError` naming it."""
    match = _EXPRESSION.match(expression)
    if match is None or not match.group(3):
        raise InputError(f"cannot read filter {expression!r}: use key=value, key>=n, key<n or key^=prefix")
    key, symbol, raw = match.groups()
    if symbol == "!=":
        raise InputError(f"filter {expression!r}: '!=' is not supported")
    if raw[0] in _OPERATOR_CHARACTERS:  # 'size>>3', 'size=>3': a typo, not a value to compare with
        raise InputError(f"filter {expression!r}: the value {raw!r} starts with an operator; one operator per filter")
    operator = _SYMBOLS[symbol]
    value: Any = raw if operator == "prefix" else _value(raw)
    if operator == "eq" and "|" in raw:
        operator, value = "in", [_value(v) for v in raw.split("|")]
    if operator in _RANGES and not is_range_bound(value):
        raise InputError(
            f"filter {expression!r}: {raw!r} is not a number or an ISO-8601 date (2004-01-31, 2004-01-31T10:30:00)"
        )
    return key, operator, value


_OPERATOR_CHARACTERS = "<>=^!"
_RANGES = {"gt", "gte", "lt", "lte"}


def as_filters(given: FilterSpec | None) -> Filters | None:
    """Filters as data: a dict as given, the CLI's expressions parsed (one string is one expression)."""
    if given is None or isinstance(given, Mapping):
        return given
    return parse_filters([given] if isinstance(given, str) else list(given))
