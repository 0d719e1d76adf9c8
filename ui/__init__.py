"""The browser chat over the answer engine (Gradio): `rag serve` starts it."""
