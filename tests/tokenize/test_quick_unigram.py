"""The quick Unigram tokenizer gives the full model's ids, from a cached table, without building it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
import tokenizers
from tokenizers import models, normalizers, pre_tokenizers

from embedrag.embed.static_backend import StaticBackend
from embedrag.models.cache import cache_dir, hash_files
from embedrag.tokenize.huggingface import HFTokenizer
from embedrag.tokenize.quick_unigram import QuickUnigram

STATIC = Path(str(files("static_model") / "model"))
ODD = [
    "<unk> <pad> x",
    "  lots   of\tspace\n\nand\u00a0nbsp",
    "Ünïcödé café naïve façade",
    "東京タワーに行きました",
    "emoji 🎉🎉 party 👩‍👩‍👧",
    "x" * 300,
    "https://example.com/a?b=c&d=e#frag",
    "",
    " ",
    "ﬁnancial ﬂow Ⅳ ①",
    "\u200bzero\u200bwidth",
    "MiXeD CaSe ALLCAPS",
    "a.b,c;d:e!f?g",
    "\x00\x01 control",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math",
    "русский текст",
    "العربية",
    "한국어 텍스트",
]


def full_ids(path: Path | tokenizers.Tokenizer, texts: list[str]) -> list[list[int]]:
    backend = HFTokenizer.from_file(path).backend if isinstance(path, Path) else path
    return [list(e.ids) for e in backend.encode_batch(texts, add_special_tokens=False)]


@pytest.fixture(scope="module")
def static_full() -> tokenizers.Tokenizer:
    """The shipped static model's full tokenizer (2-3 s to build)."""
    return HFTokenizer.from_file(STATIC / "tokenizer.json").backend


@pytest.fixture(scope="module")
def static_quick() -> QuickUnigram:
    """The shipped static model's quick tokenizer (its table built once, then cached)."""
    path = STATIC / "tokenizer.json"
    quick = QuickUnigram.open(path, hash_files([path]))
    assert quick is not None
    return quick


def varied(lee_text: str, seed: int) -> list[str]:
    """News sentences, odd text, and strings of random code points from several scripts."""
    rng = np.random.default_rng(seed)
    sentences = [s.strip() for s in lee_text.split(".") if s.strip()][:400]
    ranges = [(0x20, 0x7E), (0xC0, 0x17F), (0x370, 0x3FF), (0x400, 0x4FF), (0x4E00, 0x4FFF), (0x1F300, 0x1F64F)]
    noise = []
    for _ in range(60):
        low, high = ranges[rng.integers(len(ranges))]
        noise.append("".join(chr(c) for c in rng.integers(low, high, rng.integers(1, 40))))
    return sentences + ODD + noise


def test_ids_are_the_full_models_on_the_shipped_static_tokenizer(
    lee_text: str, static_full: tokenizers.Tokenizer, static_quick: QuickUnigram
) -> None:
    quick = static_quick
    texts = varied(lee_text, seed=1)
    expected = full_ids(static_full, texts)
    got = [ids for start in range(0, len(texts), 9) for ids in quick.encode_batch(texts[start : start + 9])]
    assert got == expected
    assert quick.unk_id == 3  # the file's model says unk_id 3, whatever that piece spells


def test_an_unknown_character_costs_what_the_whole_vocabulary_says(tmp_path: Path) -> None:
    # "q" has no piece of its own, so it costs the lowest score less 10: -80 with "zz", which no
    # text below uses. "▁aqb" is then "▁" + "aqb" (-60), not "▁a" + unknown + "b" (-82); a model
    # of the used pieces alone would have the unknown at -50 and choose the second (-52).
    vocab = [("<unk>", 0.0), ("▁", -40.0), ("▁a", -1.0), ("a", -3.0), ("b", -1.0), ("aqb", -20.0)]
    vocab += [(f"w{i}", -5.0 - i / 10) for i in range(50)] + [("zz", -70.0)]
    tokenizer = tokenizers.Tokenizer(models.Unigram(vocab, 0, False))
    tokenizer.normalizer = normalizers.NFKC()
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    path = tmp_path / "tokenizer.json"
    tokenizer.save(str(path))
    texts = ["aqb", "a aqb qq abq", "w1w2 w3", "qqqq a", "bab aab"]
    quick = QuickUnigram.open(path, hash_files([path]))
    assert quick is not None
    assert quick.encode_batch(texts) == full_ids(path, texts)
    assert quick.encode_batch(["zz zzz aqb"]) == full_ids(path, ["zz zzz aqb"])


def test_a_damaged_cache_is_rebuilt_and_gives_the_same_ids(lee_text: str, static_full: tokenizers.Tokenizer) -> None:
    path = STATIC / "tokenizer.json"
    key = hash_files([path], extra="damage-test")  # a cache file of its own
    texts = varied(lee_text, seed=2)[:50]
    first = QuickUnigram.open(path, key)
    assert first is not None
    (cached,) = cache_dir("unigram").glob(f"{key[:40]}.*")
    raw = bytearray(cached.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    cached.write_bytes(bytes(raw))
    again = QuickUnigram.open(path, key)
    assert again is not None
    assert again.encode_batch(texts) == full_ids(static_full, texts)
    assert cached.read_bytes() != bytes(raw)  # rewritten whole


@pytest.mark.parametrize("kind", ["wordpiece", "byte_fallback"])
def test_other_tokenizers_are_left_to_the_full_model(tmp_path: Path, kind: str) -> None:
    if kind == "wordpiece":
        model: models.Model = models.WordPiece({"[UNK]": 0, "a": 1}, unk_token="[UNK]")
    else:
        model = models.Unigram([("<unk>", 0.0), ("a", -1.0)], 0, True)
    path = tmp_path / "tokenizer.json"
    tokenizers.Tokenizer(model).save(str(path))
    assert QuickUnigram.open(path, hash_files([path])) is None
    assert QuickUnigram.open(path, hash_files([path])) is None  # from the cache's mark, unparsed
    assert len(list(cache_dir("unigram").glob(f"{hash_files([path])[:40]}.*.unsuited"))) == 1


def test_a_cache_that_cannot_be_written_costs_only_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, static_full: tokenizers.Tokenizer
) -> None:
    path = STATIC / "tokenizer.json"
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setattr("embedrag.tokenize.quick_unigram.cache_dir", lambda *_: blocker / "cache")
    quick = QuickUnigram.open(path, "unwritable")  # publishing under a file fails (root or not)
    assert quick is not None
    assert quick.encode_batch(ODD) == full_ids(static_full, ODD)


def test_a_static_query_is_embedded_without_building_the_full_tokenizer(lee_text: str) -> None:
    backend = StaticBackend(STATIC)
    queries = varied(lee_text, seed=3)[:12]
    quick = backend.encode(queries, "error").vectors
    assert "tokenizer" not in vars(backend)  # the 276,326-piece model was not built
    backend.tokenizer  # noqa: B018 - build it: every later call goes through it
    assert np.array_equal(backend.encode(queries, "error").vectors, quick)


def test_threads_sharing_one_quick_tokenizer_each_get_their_own_ids(
    lee_text: str, static_full: tokenizers.Tokenizer, static_quick: QuickUnigram
) -> None:
    # Each call sets the shared tokenizer's model to its own pieces: unguarded, a thread encoded
    # with another's (wrong ids, or an IndexError mapping them back; a server's clients found it).
    quick = static_quick
    texts = varied(lee_text, seed=5)[:64]
    expected = full_ids(static_full, texts)
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda i: quick.encode_batch([texts[i % 64]])[0], range(640)))
    assert got == [expected[i % 64] for i in range(640)]
