"""``rag chat``: questions and follow-ups in the terminal, each answer streamed as it is drafted."""

from __future__ import annotations

import argparse
from typing import Any

from rag.cli import EXIT_OK, ensure_index, format_sources, settings_from_args
from rag.spinner import Spinner


def cmd_chat(args: argparse.Namespace) -> int:
    from rag.errors import BadQuestionError
    from rag.pipeline import RAG

    rag = RAG(settings_from_args(args))
    ensure_index(rag)
    history: list[dict[str, str]] = []
    print("Ask about the articles. Commands: /reset forgets the conversation, /quit leaves.")
    while True:
        try:
            question = input("\nyou> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return EXIT_OK
        if question in {"/quit", "/exit", "/q"}:
            return EXIT_OK
        if question == "/reset":
            history.clear()
            print("(conversation forgotten)")
            continue
        if not question:
            continue
        try:
            answer = chat_turn(rag, question, history)
            if answer.answer != answer.raw_answer.strip():
                print(f"checked: {answer.answer}")
            sources = format_sources(answer)
            if sources:
                print(sources)
            history += [
                {"role": "user", "content": question},
                {"role": "assistant", "content": answer.answer},
            ]
        except BadQuestionError as exc:
            print(f"\n{exc}")


def chat_turn(rag: Any, question: str, history: list[dict[str, str]]) -> Any:
    """Stream one answer: a spinner with the stage until the draft starts, then the draft."""
    answer = None
    drafting = False
    spinner = Spinner("Searching the articles").start()
    try:
        for event in rag.stream(question, history=history):
            if event.kind == "status" and event.text.startswith("Searching for:"):
                spinner.stop()
                print(f"({event.text})", flush=True)
                spinner.start()
            elif event.kind == "status" and not drafting:
                spinner.update(event.text)
            elif event.kind == "delta":
                if not drafting:
                    spinner.stop()
                    print("rag> ", end="", flush=True)
                    drafting = True
                print(event.text, end="", flush=True)
            elif event.kind == "answer":
                answer = event.answer
    finally:
        spinner.stop()
    if not drafting:
        print("rag> ", end="")
    print()
    assert answer is not None
    return answer
