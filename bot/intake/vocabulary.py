"""The intake's words: why an input was refused, and how a questionnaire can end."""

from __future__ import annotations

from enum import StrEnum


class Refusal(StrEnum):
    """Why an input did not fit the step. Each has its own wording (bot.chat.texts)."""

    EXPECTS_CHOICE = "expects_choice"
    EXPECTS_CHOICES = "expects_choices"
    EXPECTS_TEXT = "expects_text"
    EXPECTS_TYPED_TEXT = "expects_typed_text"
    EXPECTS_TEXT_OR_VOICE = "expects_text_or_voice"
    EXPECTS_NUMBER = "expects_number"
    EXPECTS_DATE = "expects_date"
    EXPECTS_FILES = "expects_files"
    EXPECTS_BUTTON = "expects_button"
    DATE_IN_FUTURE = "date_in_future"
    DATE_IMPOSSIBLE = "date_impossible"  # understood, but no such day (31.02.2025)
    OUT_OF_RANGE = "out_of_range"
    TOO_LONG = "too_long"
    REQUIRED = "required"
    CHOOSE_AT_LEAST_ONE = "choose_at_least_one"
    NO_FILES_YET = "no_files_yet"
    FILE_TOO_LARGE = "file_too_large"
    TOO_MANY_FILES = "too_many_files"
    CASE_TOO_LARGE = "case_too_large"  # with this file, the case could not be delivered
    UNSUPPORTED_FILE = "unsupported_file"
    NOTHING_BEFORE = "nothing_before"
    NOTHING_TO_KEEP = "nothing_to_keep"
    USE_REVIEW_BUTTONS = "use_review_buttons"
    STICKER = "sticker"
    FINISHED = "finished"
    STALE = "stale"


class EndReason(StrEnum):
    """How a questionnaire ended without being sent."""

    EXIT = "exit"  # stopped at once: the whole conversation goes
    DECLINED = "declined"  # no consent: nothing stored, a kind word stays
