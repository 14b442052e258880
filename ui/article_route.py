"""``GET /article?file=...``: one indexed article as a page, the cited passage highlighted.

Only files the index lists are served, read from inside the corpus folder; any
other name is a 404 with a message, never a path the request chose. A missing
``file`` or a wrong method gets the API's JSON error (``rag.api.errors``).
"""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from rag import library
from rag.api.errors import refuse_other_methods
from rag.errors import RagError
from rag.pipeline import RAG


def build_article_router(rag: RAG) -> APIRouter:
    router = APIRouter()

    @router.get("/article", response_model=None, include_in_schema=False)
    def article(
        file: str = Query(..., max_length=1000),
        start: int | None = Query(None, ge=0),
        end: int | None = Query(None, ge=0),
        quote: str = Query("", max_length=2000),
    ) -> Response:
        try:
            known = {a["file"]: a for a in rag.articles()}
            if file not in known:
                raise LookupError(f"{file!r} is not an indexed article.")
            page = library.article_page(rag.settings, known[file], start, end, quote)
        except LookupError as exc:
            return PlainTextResponse(f"Not found: {exc}", status_code=404)
        except (RagError, OSError, ValueError) as exc:
            return PlainTextResponse(f"Could not show the article: {exc}", status_code=422)
        return HTMLResponse(page)

    refuse_other_methods(router)
    return router
