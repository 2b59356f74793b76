"""The HTTP server: OpenAI-compatible embeddings, rerank, tokenize and collection search.

Needs the ``server`` extra (``pip install 'embedrag-toolkit[server]'``)::

    from embedrag.server import ServerSettings, create_app
    app = create_app(ServerSettings(models=("all-MiniLM-L6-v2",), collections=Path("collections")))
"""

from embedrag._optional import require

require("fastapi", extra="server", purpose="The HTTP server")
require("uvicorn", extra="server", purpose="The HTTP server")

from embedrag.server.app import create_app  # noqa: E402
from embedrag.server.background import serve_in_thread  # noqa: E402
from embedrag.server.settings import ServerSettings, exposure_warning  # noqa: E402

__all__ = ["ServerSettings", "create_app", "exposure_warning", "serve_in_thread"]
