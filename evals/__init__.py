"""Evaluation of the chatbot: gold question sets, the RealTime QA news benchmark, reports.

``rag eval`` (see ``evals.cli``) runs them; ``evals.metrics`` holds the pure
scoring functions so that every number in a report can be checked by hand.
``evals.rtqa_data`` is the one reader of RealTime QA data folders, shared by the
runner (``evals.realtimeqa``) and the speed benchmark (``evals.bench``).
"""
