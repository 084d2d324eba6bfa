"""Ally's plugins for the Rasa server: channels, NLU components, tracker and lock stores.

Importing the package does nothing by itself: ally.runtime.install() puts
the safeguards in place (docs/architecture.md).
"""
