"""Answers through the product's LLM path with a real instruct model on a local llama.cpp server.

    .venv/bin/python bench/bench_llm_answers.py --model /path/to/model.gguf --data tests/data/answers_blind.jsonl --every 3

Starts `python -m llama_cpp.server` on 127.0.0.1 with the GGUF, answers every N-th question of the set through
the same engine `rag serve` uses (RAG_LLM_MODEL/OPENAI_BASE_URL pointed at that server) and prints the
`rag eval answers` summary as JSON. Run it on an idle machine: generation on 2 cores slows twenty-fold when
anything else uses them. The model is never a dependency of the project (see README).
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from rag.answer import AnswerEngine
from rag.evaluate import load_eval, score_answer, summarize
from rag.index import PaperIndex
from rag.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(model: Path, port: int, log: Path) -> subprocess.Popen:
    """llama.cpp's OpenAI-compatible server on loopback, ready to answer."""
    server = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
                               "--port", str(port), "--n_ctx", "4096", "--n_threads", "2", "--model_alias", "bench"],
                              stdout=log.open("w"), stderr=subprocess.STDOUT)
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit(f"the llama.cpp server did not start; see {log}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True, help="GGUF file of the chat model")
    parser.add_argument("--data", type=Path, default=Path("tests/data/answers_blind.jsonl"))
    parser.add_argument("--every", type=int, default=1, help="answer every N-th question")
    parser.add_argument("--dump", type=Path, help="also write each question, its answer and its scores (JSON Lines)")
    args = parser.parse_args()
    port = free_port()
    server = start_server(args.model, port, Path(tempfile.gettempdir()) / "bench_llm_server.log")
    try:
        settings = Settings(llm_model="bench", openai_base_url=f"http://127.0.0.1:{port}/v1", llm_timeout=300,
                            llm_retries=0, llm_max_tokens=256)
        engine = AnswerEngine.build(PaperIndex(settings))
        engine.warm_up()
        engine.ask("What is K-ON?")  # the first request after loading is slower
        rows, declined = [], 0
        for item in load_eval(args.data)[::args.every]:
            answer = engine.ask(item["question"])
            declined += answer.notice is not None and "did not answer" in answer.notice
            rows.append(score_answer(engine.index, item, answer) | {"backend": answer.backend})
            if args.dump:
                with args.dump.open("a", encoding="utf-8") as dump:
                    dump.write(json.dumps({"question": item["question"], "answer": answer.answer} | rows[-1]) + "\n")
        summary = summarize(rows, "llm", "bench")
        summary["LLM declined, extractive shown"] = declined
        summary["answered by the LLM"] = sum(r["backend"] == "llm" for r in rows)
        print(json.dumps(summary, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
