"""Telegram adapters: thin handlers that turn updates into intake inputs and steps into messages."""
