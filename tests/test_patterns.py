"""Patterns end where the text ends, in Python as in JSON Schema: a trailing newline is not
accepted by the API (it used to pass Python's `$` and reach the database's CHECK)."""

from __future__ import annotations

import re

import msgspec
import pytest

from app.accounts.models import RegisterRequest, UserUpdate
from app.essays.models import EssayInput
from app.http.validation import END


@pytest.mark.parametrize("kind, good, bad", [
    (UserUpdate, {"preferred_language": "pt-BR"}, {"preferred_language": "pt-BR\n"}),
    (RegisterRequest, {"email": "a@b.co", "name": "A", "password": "password1"},
     {"email": "a@b.co\n", "name": "A", "password": "password1"}),
    (EssayInput, {"content_id": "e1", "language": "en"}, {"content_id": "e1", "language": "en\n"}),
])
def test_a_trailing_newline_does_not_pass_a_pattern(kind, good, bad):
    msgspec.convert(good, kind)
    with pytest.raises(msgspec.ValidationError, match="matching regex"):
        msgspec.convert(bad, kind)


def test_end_is_the_end_of_the_text_in_both_dialects():
    # JSON Schema's `$` (ECMA-262, no multiline flag) is only the end; END makes Python agree.
    assert re.search(rf"^ab{END}", "ab")
    assert not re.search(rf"^ab{END}", "ab\n")
