"""Ingestion: load files and folders into documents, and cut documents into chunks.

>>> import tempfile, pathlib
>>> from embedrag.tokenize import load_tokenizer
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> _ = (root / "guide.md").write_text("# Install\\n\\nRun pip install embedrag.\\n")
>>> [doc] = load_path(root)
>>> [chunk] = chunk_document(doc, load_tokenizer("all-MiniLM-L6-v2"))
>>> chunk.id, chunk.tokens, chunk.metadata
('guide.md#0', 9, {'headings': ['Install']})
"""

from embedrag.ingest.chunk import CHUNKERS, DEFAULT_OVERLAP_TOKENS, chunk_document
from embedrag.ingest.limits import Limits
from embedrag.ingest.load import LOADERS, load_path
from embedrag.ingest.protocol import Loader, LoadOptions
from embedrag.ingest.skipped import Loaded, Skipped
from embedrag.ingest.structure import STRUCTURE_KEYS

__all__ = [
    "CHUNKERS",
    "DEFAULT_OVERLAP_TOKENS",
    "LOADERS",
    "STRUCTURE_KEYS",
    "Limits",
    "LoadOptions",
    "Loaded",
    "Loader",
    "Skipped",
    "chunk_document",
    "load_path",
]
