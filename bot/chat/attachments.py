"""What a complainant attached to a message, and whether the bot can take it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from telegram import Message

from bot.chat.durations import seconds_of
from bot.errors import BotError
from bot.intake.engine import MAX_FILE_BYTES
from bot.intake.vocabulary import Refusal

ACCEPTED_DOCUMENT_TYPES = (
    "image/",
    "video/",
    "audio/",
    "application/pdf",
    "text/plain",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
)


@dataclass(frozen=True)
class Attachment:
    kind: str
    file_id: str
    name: str
    mime: str
    size: int
    duration: int | None = None


class AttachmentRefused(BotError):
    def __init__(self, reason: Refusal, **params: int | str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


def attachment_of(message: Message) -> Attachment:
    attachment = _describe(message)
    if attachment.size > MAX_FILE_BYTES:
        raise AttachmentRefused(Refusal.FILE_TOO_LARGE, max_mb=MAX_FILE_BYTES // (1024 * 1024))
    if attachment.kind == "document" and not attachment.mime.startswith(ACCEPTED_DOCUMENT_TYPES):
        raise AttachmentRefused(Refusal.UNSUPPORTED_FILE)
    return attachment


def _describe(message: Message) -> Attachment:
    if message.photo:
        photo = message.photo[-1]
        return Attachment(
            "photo",
            photo.file_id,
            f"photo-{message.message_id}.jpg",
            "image/jpeg",
            photo.file_size or 0,
        )
    if message.voice:
        voice = message.voice
        mime = voice.mime_type or "audio/ogg"
        return Attachment(
            "voice",
            voice.file_id,
            f"voice-{message.message_id}.ogg",
            mime,
            voice.file_size or 0,
            _seconds(voice.duration),
        )
    if message.audio:
        audio = message.audio
        name = audio.file_name or f"audio-{message.message_id}"
        return Attachment(
            "audio", audio.file_id, name, audio.mime_type or "audio/mpeg", audio.file_size or 0
        )
    if message.video:
        video = message.video
        name = video.file_name or f"video-{message.message_id}.mp4"
        return Attachment(
            "video", video.file_id, name, video.mime_type or "video/mp4", video.file_size or 0
        )
    if message.document:
        document = message.document
        name = document.file_name or f"document-{message.message_id}"
        mime = document.mime_type or "application/octet-stream"
        return Attachment("document", document.file_id, name, mime, document.file_size or 0)
    raise AttachmentRefused(Refusal.UNSUPPORTED_FILE)


def _seconds(duration: int | dt.timedelta) -> int:
    return int(seconds_of(duration))
