"""Complaint intake bot: Telegram adapters, CLI and wiring around a pure questionnaire core."""
