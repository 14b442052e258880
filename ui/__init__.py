"""The Gradio web chat over one ``RAG``; ``app.py`` starts it.

``layout`` places the components, ``events`` says what they do, ``server``
assembles the FastAPI app (API routes, chat page, basic auth). The page's
content is built by ``rag.web``; this package is the only one that imports
gradio, so ``rag`` stays usable without it.
"""

from __future__ import annotations

from ui.server import build_ui, create_app

__all__ = ["build_ui", "create_app"]
