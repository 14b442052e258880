"""news-rag: offline question answering over news articles, every claim cited.

Importing the package makes OpenMP threads sleep instead of spinning while
they wait (``OMP_WAIT_POLICY=PASSIVE``, unless already set). Both torch (the
embedder) and llama.cpp (the LLM) use OpenMP; with spinning threads, any other
busy process, or the embedder and the LLM working in one process, slowed query
embedding from 15 ms to 480 ms and decoding from 20 to under 4 tokens/s on
2 cores. It must be set before either library starts its thread pool.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
