"""Complaint intake bot: Telegram adapters, CLI and wiring around a pure questionnaire core."""

import os

# Ask python-telegram-bot for durations as timedelta now, as its next major version will do.
os.environ.setdefault("PTB_TIMEDELTA", "true")
