"""Lotse: a multilingual Telegram bot that guides refugees to help."""

__version__ = "0.1.0"
