"""Model heads on top of transformer encoders: cross-encoders, masked-word fill-in, next sentence."""

from embedrag.heads.bert_heads import Filled, MaskedLM, NextSentence
from embedrag.heads.cross_encoder import CrossEncoder

__all__ = ["CrossEncoder", "Filled", "MaskedLM", "NextSentence"]
