"""Cited answers from research-paper abstracts."""
