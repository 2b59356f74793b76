from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from embedrag.index.text import ANALYZERS, STOP_WORDS, s_stem, words


def test_words_are_lower_cased_unicode_runs() -> None:
    assert words("Ünïcode—Straße, café!") == ["ünïcode", "strasse", "café"]


def test_the_english_analyzer_drops_stop_words_and_folds_plurals() -> None:
    assert ANALYZERS["en"].terms("The Indexes of the Libraries") == ["indexe", "library"]


def test_plain_analyzer_keeps_everything() -> None:
    assert ANALYZERS["plain"].terms("The cats") == ["the", "cats"]


def test_overlong_tokens_are_dropped() -> None:
    assert words("a" * 65 + " ok") == ["ok"]


@given(st.text())
def test_analyzers_are_total_and_yield_no_stop_words(text: str) -> None:
    for analyzer in ANALYZERS.values():
        terms = analyzer.terms(text)
        assert all(t and t == t.casefold() for t in terms)
    assert not set(ANALYZERS["en-nostem"].terms(text)) & STOP_WORDS


@given(st.from_regex(r"[a-z]{1,12}", fullmatch=True))
def test_s_stem_never_grows_a_word_and_is_idempotent_on_non_plurals(word: str) -> None:
    stem = s_stem(word)
    assert len(stem) <= len(word)
    if not word.endswith("s"):
        assert stem == word
