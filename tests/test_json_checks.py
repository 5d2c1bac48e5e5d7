"""The checks that read JSON text in C instead of walking values in Python agree with the walk, on
generated documents: the depth and NUL checks of ``check_document`` (app/http/validation.py) and
the duplicate-key count of the body reader (app/http/body.py), escapes of every kind included."""

from __future__ import annotations

import json

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.http.body import _colons
from app.http.validation import MAX_DEPTH, FieldError, check_document

# Text that is hard on the byte-level readings: quotes, backslashes, brackets, colons, NUL,
# and the characters JSON writes as escapes.
_TEXT = st.lists(st.sampled_from(list('ab:"\\[]{}\x00\n\u00e9') + ["\\u003a", "\\\\"]),
                 max_size=6).map("".join)
_SCALARS = st.none() | st.booleans() | st.integers(-5, 5) | _TEXT


def _documents(depth: int):
    return st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(_TEXT, inner, max_size=3), max_leaves=depth * 3)


def _depth(value, level: int = 1) -> int:
    if isinstance(value, dict):
        return max([level, *(_depth(v, level + 1) for v in value.values())])
    if isinstance(value, list):
        return max([level, *(_depth(v, level + 1) for v in value)])
    return level - 1


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any("\x00" in k or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _nested(depth: int, inner) -> dict:
    document = {"x": inner}
    for _ in range(depth - 2):
        document = {"x": document}
    return document


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_TEXT, _documents(20), max_size=4), st.integers(0, 8))
def test_check_document_refuses_exactly_nul_and_depth(document, extra_depth):
    document = _nested(MAX_DEPTH - 4 + extra_depth, document) if extra_depth else document
    bad = _has_nul(document) or _depth(document) > MAX_DEPTH
    try:
        check_document(document, "doc", 10**7)
    except FieldError as error:
        assert bad, (document, error.problem)
    else:
        assert not bad, document


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_TEXT, _documents(10), max_size=4))
def test_colons_differ_exactly_when_a_key_repeats(document):
    for text in (json.dumps(document).encode(), msgspec.json.encode(document)):
        assert _colons(text) == _colons(msgspec.json.encode(msgspec.json.decode(text)))
    if document:
        key = next(iter(document))
        body = json.dumps(document)[:-1].encode() + b", " + json.dumps(key).encode() + b": 1}"
        assert _colons(body) != _colons(msgspec.json.encode(msgspec.json.decode(body)))


@pytest.mark.parametrize("text", [
    b'{"a": "\\u003a", "\\u003A": 1}', b'{"\\\\u003a": "\\\\\\u003a"}', b'{"a": ":::"}'])
def test_colons_count_escaped_colons_once(text):
    assert _colons(text) == _colons(msgspec.json.encode(msgspec.json.decode(text)))
