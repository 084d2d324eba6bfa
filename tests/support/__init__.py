"""Helpers for the tests: import them from here, not from conftest.py."""
