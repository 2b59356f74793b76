"""Model heads on top of transformer encoders: cross-encoders (and, later, masked-LM, NSP, CLIP)."""

from embedrag.heads.cross_encoder import CrossEncoder

__all__ = ["CrossEncoder"]
