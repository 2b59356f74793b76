"""The core must run without torch: importing and encoding may not pull it in."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_embedding_does_not_import_torch() -> None:
    code = textwrap.dedent(
        """
        import sys
        from embedrag import Embedder
        vectors = Embedder("all-MiniLM-L6-v2").encode(["torch-free"])
        heavy = sorted(m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules)
        print(vectors.shape, heavy)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(1, 384) []"
