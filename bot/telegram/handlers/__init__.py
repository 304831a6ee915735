"""Handlers: translate updates into calls on the domain and its screens back into messages."""
