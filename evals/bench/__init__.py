"""`make bench`: speed figures of the pipeline, each next to a baseline measured in-process.

What it measures (medians over repeated runs; nothing here is a pass/fail test):

1. Ingest throughput (chunks/s) of the whole ``rag.ingest.ingest`` pipeline
   (loading, chunking, embedding, Chroma writes) on a fixed subset of the
   benchmark corpus, against ``SentenceTransformer.encode`` on exactly the same
   chunk texts: the physical limit of the embedder. Passes alternate between
   the two so that machine load hits both alike. A full-corpus pass follows
   (its index serves step 2). See ``ingest``.
2. Retrieval latency of ``HybridRetriever.search`` (query correction, query
   embedding, Chroma dense, BM25, fusion) over the benchmark questions, at the
   benchmark corpus size and at a synthetic size (100k chunks by default),
   against embedding the query plus an exact (brute-force) dot product. See
   ``retrieval``.
3. Answer latency with the default local LLM on the seed corpus: time to first
   token and total, prompt tokens, against llama.cpp's own prefill/decode time.
   See ``answers``.
4. Peak RSS of ``rag ask`` (a subprocess) and of the running web app. See ``memory``.

The benchmark corpus (RealTime QA articles, read by ``evals.rtqa_data``) comes
from ``--data`` or the ``benchmark_dir`` setting and is materialised in a
temporary folder, never in the repository. ``runner`` runs the steps,
``report`` writes bench.json, bench.md and the README table, ``cli`` parses
the command line (``python -m evals.bench``).
"""
