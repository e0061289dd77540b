"""What a complainant attached to a message, and whether the bot can take it.

The name and MIME type Telegram passes on were chosen by the sender's client, so neither decides
anything: the bytes are fetched (with a hard limit, whatever `file_size` claims) and the type is
read from them (bot.cases.filetypes). Only then is the file taken, under the detected type.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import httpx
from telegram import Bot, Message

from bot.cases.filetypes import detect
from bot.chat.durations import seconds_of
from bot.errors import BotError
from bot.intake.engine import MAX_FILE_BYTES
from bot.intake.vocabulary import Refusal

_CHUNK = 64 * 1024


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


class DownloadFailed(BotError):
    """Telegram did not hand the file over (no URL, no token, no detail in the message)."""


def attachment_of(message: Message, limit: int = MAX_FILE_BYTES) -> Attachment:
    """What the message says it carries; refused early only when it says it is too large."""
    attachment = _describe(message)
    if attachment.size > limit:
        raise _too_large(limit)
    return attachment


def typed(attachment: Attachment, data: bytes) -> Attachment:
    """The attachment under the type its bytes show, or refused if they show none accepted."""
    found = detect(data)
    if found is None:
        raise AttachmentRefused(Refusal.UNSUPPORTED_FILE)
    return replace(attachment, mime=found.mime, size=len(data))


async def fetch(bot: Bot, attachment: Attachment, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, streamed and cut off above `limit`: `file_size` may be absent, and a
    self-hosted Bot API server has no 20 MB cap of its own."""
    telegram_file = await bot.get_file(attachment.file_id)
    if telegram_file.file_size is not None and telegram_file.file_size > limit:
        raise _too_large(limit)
    path = telegram_file.file_path
    if not path:
        raise DownloadFailed("no file path")
    if not path.startswith(("http://", "https://")):  # a local Bot API server's own folder
        with open(path, "rb") as local:  # noqa: ASYNC230 - a local read, bounded below
            data = local.read(limit + 1)
        if len(data) > limit:
            raise _too_large(limit)
        return data
    received = bytearray()
    try:
        async with (
            httpx.AsyncClient(timeout=httpx.Timeout(30.0)) as client,
            client.stream("GET", path) as response,
        ):
            if response.status_code != 200:
                raise DownloadFailed(f"status {response.status_code}")
            async for chunk in response.aiter_bytes(_CHUNK):
                received += chunk
                if len(received) > limit:
                    raise _too_large(limit)
    except httpx.HTTPError as error:  # its message holds the URL, and the URL the token
        raise DownloadFailed(type(error).__name__) from None
    return bytes(received)


def _too_large(limit: int) -> AttachmentRefused:
    return AttachmentRefused(Refusal.FILE_TOO_LARGE, max_mb=limit // (1024 * 1024))


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
