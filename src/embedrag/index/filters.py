"""Metadata filters as data, compiled to SQL over documents, yielding the allowed chunk ids.

Syntax: ``{key: value}`` (equality) or ``{key: {op: value, ...}}`` with the operators of
:data:`OPERATORS`; several keys and operators are AND-ed. Keys are ``source``, ``doc_id`` or a
top-level key of document metadata. Dates compare as ISO-8601 strings, so ranges on them work.

>>> where, params = compile_filters({"category": "tech", "year": {"gte": 2004}}, {"category", "year"})
>>> print(where)
json_extract(d.metadata, '$."category"') = ? AND json_extract(d.metadata, '$."year"') >= ?
>>> params
['tech', 2004]
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from embedrag.errors import InputError

__all__ = ["BUILTIN_KEYS", "OPERATORS", "Filters", "candidate_ids", "compile_filters", "metadata_keys"]

Filters = Mapping[str, Any]
BUILTIN_KEYS = {"source": "d.source", "doc_id": "d.id"}
"""Filter keys that are columns rather than metadata."""


def _in(column: str, value: Any) -> tuple[str, list[Any]]:
    if not isinstance(value, (list, tuple, set, frozenset)) or not value:
        raise InputError(f"'in' needs a non-empty list of values, got {value!r}")
    values = list(value)
    return f"{column} IN ({','.join('?' * len(values))})", values


def _prefix(column: str, value: Any) -> tuple[str, list[Any]]:
    if not isinstance(value, str):
        raise InputError(f"'prefix' needs a string, got {value!r}")
    # substr rather than LIKE: no wildcard escaping, and '%' or '_' in paths stay literal.
    return f"substr({column}, 1, ?) = ?", [len(value), value]


def _compare(sql_op: str) -> Callable[[str, Any], tuple[str, list[Any]]]:
    def build(column: str, value: Any) -> tuple[str, list[Any]]:
        if not isinstance(value, (int, float, str)) or isinstance(value, bool):
            raise InputError(f"a range bound must be a number or an ISO date string, got {value!r}")
        return f"{column} {sql_op} ?", [value]

    return build


def _eq(column: str, value: Any) -> tuple[str, list[Any]]:
    if not isinstance(value, (int, float, str, bool)):
        raise InputError(f"equality needs a string, number or boolean, got {value!r}")
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


def _column(key: str) -> str:
    if key in BUILTIN_KEYS:
        return BUILTIN_KEYS[key]
    path = "$." + json.dumps(key)  # quoted, so keys with dots or spaces address one member
    return "json_extract(d.metadata, " + "'" + path.replace("'", "''") + "')"


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
            sql, values = OPERATORS[op](_column(key), value)
            clauses.append(sql)
            params.extend(values)
    return " AND ".join(clauses) or "1", params


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
        match = _EXPRESSION.match(expression)
        if match is None or not match.group(3):
            raise InputError(f"cannot read filter {expression!r}: use key=value, key>=n, key<n or key^=prefix")
        key, symbol, raw = match.groups()
        if symbol == "!=":
            raise InputError(f"filter {expression!r}: '!=' is not supported")
        operator = _SYMBOLS[symbol]
        value: Any = _value(raw)
        if operator == "eq" and "|" in raw:
            operator, value = "in", [_value(v) for v in raw.split("|")]
        if operator == "prefix":
            value = raw
        filters.setdefault(key, {})[operator] = value
    return {k: v["eq"] if list(v) == ["eq"] else v for k, v in filters.items()}
