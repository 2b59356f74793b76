"""Read how a sentence-transformers model directory wants its token vectors pooled.

A sentence-transformers folder lists its pipeline in ``modules.json`` (Transformer ->
Pooling -> optional Normalize), with the pooling mode in ``<pooling dir>/config.json``
and the input limit in ``sentence_bert_config.json``. A plain Hugging Face model
folder (no ``modules.json``) gets mean pooling, no normalisation, and the limit of its
position embeddings: the common convention, stated here once.

Models trained with instructions (e5's ``query: ``/``passage: ``, bge's query instruction,
nomic's ``search_query: ``) name them in ``config_sentence_transformers.json`` (``prompts``,
``default_prompt_name``); :func:`read_prompts` reads them and :func:`resolve_prompt` picks one
as sentence-transformers does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from embedrag.errors import ConfigError, ModelFormatError

__all__ = [
    "ROLE_PROMPTS",
    "Prompts",
    "Role",
    "SentenceConfig",
    "model_type",
    "read_json",
    "read_prompts",
    "read_sentence_config",
    "resolve_prompt",
]

Role = Literal["query", "document"]
ROLE_PROMPTS: dict[str, tuple[str, ...]] = {"query": ("query",), "document": ("document", "passage", "corpus")}
"""The prompt names each role looks for, first found wins (sentence-transformers' ``encode_query`` and
``encode_document``); without one, the role gets the default prompt."""

_SUPPORTED = ("mean", "cls", "max")
_POOLING_KEYS = {
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_cls_token": "cls",
    "pooling_mode_max_tokens": "max",
    "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens": "weightedmean",
    "pooling_mode_lasttoken": "lasttoken",
}


@dataclass(frozen=True)
class SentenceConfig:
    """Pooling, normalisation and input limit of a model directory."""

    pooling: str
    normalize: bool
    max_tokens: int
    lowercase: bool
    hidden_size: int


def read_json(path: Path) -> Any:
    """A model file's JSON; :class:`ModelFormatError` naming the file if missing or malformed."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFormatError(f"{path} is missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelFormatError(f"{path} is not valid JSON: {exc}") from None


def model_type(model_dir: Path) -> str | None:
    """The ``model_type`` in a folder's ``config.json`` (``bert``, ``clip``, ...), or ``None`` without one."""
    config = model_dir / "config.json"
    data = read_json(config) if config.exists() else None
    value = data.get("model_type") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _pooling_mode(path: Path) -> str:
    config = read_json(path)
    # sentence-transformers >= 6 writes "pooling_mode": "cls"; older versions one bool per mode.
    mode = config.get("pooling_mode")
    modes = [mode] if isinstance(mode, str) else list(mode or [])
    modes += [name for key, name in _POOLING_KEYS.items() if config.get(key)]
    if len(modes) != 1 or modes[0] not in _SUPPORTED:
        raise ModelFormatError(
            f"{path}: embedrag supports exactly one of {', '.join(_SUPPORTED)} pooling; found {modes or 'none'}"
        )
    return str(modes[0])


def _max_tokens(model_dir: Path, positions: int) -> int:
    """The input limit, in the order sentence-transformers reads it."""
    for name, key in (("sentence_bert_config.json", "max_seq_length"), ("tokenizer_config.json", "model_max_length")):
        path = model_dir / name
        value = read_json(path).get(key) if path.exists() else None
        if isinstance(value, int) and value > 0:
            return min(value, positions)
    return positions


def read_sentence_config(model_dir: Path) -> SentenceConfig:
    """The pooling, normalisation and token limit that ``model_dir`` declares."""
    config = read_json(model_dir / "config.json")
    hidden = int(config.get("hidden_size", 0))
    positions = int(config.get("max_position_embeddings", 512))
    modules_path = model_dir / "modules.json"
    if not modules_path.exists():
        return SentenceConfig("mean", False, _max_tokens(model_dir, positions), False, hidden)

    modules = read_json(modules_path)
    types = {m.get("type", "").rsplit(".", 1)[-1]: m for m in modules}
    if "Pooling" not in types:
        raise ModelFormatError(f"{modules_path} has no Pooling module")
    pooling = _pooling_mode(model_dir / types["Pooling"].get("path", "1_Pooling") / "config.json")
    st_path = model_dir / "sentence_bert_config.json"
    lowercase = bool(read_json(st_path).get("do_lower_case")) if st_path.exists() else False
    return SentenceConfig(pooling, "Normalize" in types, _max_tokens(model_dir, positions), lowercase, hidden)


@dataclass(frozen=True)
class Prompts:
    """Named texts put before every input (``{"query": "query: "}``), and the one used by default."""

    texts: Mapping[str, str] = field(default_factory=dict)
    default_name: str | None = None
    pooled: bool = True
    """Whether the prompt's tokens are pooled with the text's (sentence-transformers' Pooling
    ``include_prompt``; Instructor models leave them out, which embedrag does not do)."""

    def merged(self, texts: Mapping[str, str] | None, default_name: str | None) -> Prompts:
        """These prompts overridden by a caller's (sentence-transformers' ``prompts=``, ``default_prompt_name=``)."""
        merged = Prompts({**self.texts, **(texts or {})}, default_name or self.default_name, self.pooled)
        if merged.default_name is not None and merged.default_name not in merged.texts:
            raise ConfigError(f"default prompt {merged.default_name!r} is not one of {sorted(merged.texts)}")
        return merged

    def for_role(self, role: Role) -> str:
        """The prompt ``encode_query`` (``query``) or ``encode_document`` (``document``) puts before each text."""
        name = next((n for n in ROLE_PROMPTS[role] if n in self.texts), None)
        return resolve_prompt(self, prompt=None, prompt_name=name)


def read_prompts(model_dir: Path) -> Prompts:
    """The prompts in ``model_dir/config_sentence_transformers.json`` (none if the file or keys are absent)."""
    path = model_dir / "config_sentence_transformers.json"
    data = read_json(path) if path.exists() else {}
    texts = data.get("prompts") if isinstance(data, dict) else None
    default = data.get("default_prompt_name") if isinstance(data, dict) else None
    if not isinstance(texts or {}, dict) or not all(isinstance(v, str) for v in (texts or {}).values()):
        raise ModelFormatError(f"{path}: 'prompts' must map names to texts, got {texts!r}")
    if default is not None and (not isinstance(default, str) or default not in (texts or {})):
        raise ModelFormatError(f"{path}: default_prompt_name {default!r} is not one of {sorted(texts or {})}")
    return Prompts(dict(texts or {}), default, _pools_prompt(model_dir))


def _pools_prompt(model_dir: Path) -> bool:
    """False when the folder's Pooling module says ``include_prompt: false``."""
    modules_path = model_dir / "modules.json"
    modules = read_json(modules_path) if modules_path.exists() else []
    pooling = next((m for m in modules if str(m.get("type", "")).endswith("Pooling")), None)
    config = model_dir / str(pooling.get("path", "1_Pooling")) / "config.json" if pooling else None
    return not (config is not None and config.exists() and read_json(config).get("include_prompt") is False)


def resolve_prompt(prompts: Prompts, *, prompt: str | None, prompt_name: str | None) -> str:
    """The text to put before each input: ``prompt`` itself, the prompt named ``prompt_name``, or the default.

    "" when none applies. Both given, or an unknown name, is a :class:`ConfigError`.
    """
    if prompt is not None and prompt_name is not None:
        raise ConfigError("give prompt= or prompt_name=, not both")
    if prompt is not None:
        return prompt
    if prompt_name is not None:
        if prompt_name not in prompts.texts:
            raise ConfigError(f"unknown prompt {prompt_name!r}; this model has {sorted(prompts.texts) or 'none'}")
        return prompts.texts[prompt_name]
    return prompts.texts.get(prompts.default_name, "") if prompts.default_name else ""
