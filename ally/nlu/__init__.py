"""Ally's NLU components (loaded by config.yml)."""
