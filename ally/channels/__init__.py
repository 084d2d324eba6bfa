"""Ally's input channels."""
