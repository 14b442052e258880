"""news-rag: offline question answering over news articles, every claim cited.

Importing the package changes nothing in the process; entry points (the CLI,
the web app, the evals, and the ``RAG`` facade) call ``rag.env.prepare_process()``.
"""
