"""What a file is, from its bytes: the only types a case may carry, and the names they get.

A complainant's file is taken by its content, never by the name or MIME type the sender chose:
Telegram passes both on from the sender's client, and an adversary chooses them freely. Each
accepted type is recognised by its format's signature (and, for office documents, by what the
ZIP or OLE container holds), and gets a fixed extension. Nothing active is accepted: no SVG,
HTML, scripts or programs, no macro-enabled office files, no documents that pull a template or
an image from the internet when opened. Anything not recognised is refused.

Written against the formats' signatures rather than with a general "magic" library: a library
names what a file probably is, while this needs a short whitelist, checked strictly, plus a
look inside ZIP and OLE containers that such libraries do not do.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    mime: str
    extension: str


JPEG = FileType("image/jpeg", "jpg")
PNG = FileType("image/png", "png")
GIF = FileType("image/gif", "gif")
WEBP = FileType("image/webp", "webp")
HEIC = FileType("image/heic", "heic")
PDF = FileType("application/pdf", "pdf")
OGG = FileType("audio/ogg", "ogg")
MP3 = FileType("audio/mpeg", "mp3")
WAV = FileType("audio/wav", "wav")
AMR = FileType("audio/amr", "amr")
M4A = FileType("audio/mp4", "m4a")
MP4 = FileType("video/mp4", "mp4")
MOV = FileType("video/quicktime", "mov")
THREE_GP = FileType("video/3gpp", "3gp")
WEBM = FileType("video/webm", "webm")
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
ODT = FileType("application/vnd.oasis.opendocument.text", "odt")
DOC = FileType("application/msword", "doc")
TEXT = FileType("text/plain", "txt")
UNKNOWN = FileType("application/octet-stream", "bin")

_ODT_MIME = b"application/vnd.oasis.opendocument.text"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_AUDIO_BRANDS = {b"M4A ", b"M4B "}
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"hevc"}
_MOV_BRANDS = {b"qt  "}
_3GP_BRANDS = {b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"3gg6"}
_MAX_CONTAINER_MEMBER = 4 * 1024 * 1024
_TEXT_PROBE = 64 * 1024
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def detect(data: bytes) -> FileType | None:
    """The accepted type these bytes are, or None (refuse it)."""
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return MP3
    if head.startswith(b"#!AMR"):
        return AMR
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return WEBM
    if head[4:8] == b"ftyp":
        return _iso_media(head[8:12])
    if head.startswith(b"PK\x03\x04"):
        return _office_zip(data)
    if head.startswith(_OLE):
        return _word_97(data)
    return _plain_text(data)


def _iso_media(brand: bytes) -> FileType:
    if brand in _AUDIO_BRANDS:
        return M4A
    if brand in _HEIC_BRANDS:
        return HEIC
    if brand in _MOV_BRANDS:
        return MOV
    if brand in _3GP_BRANDS:
        return THREE_GP
    return MP4


def _office_zip(data: bytes) -> FileType | None:
    """A Word (.docx) or OpenDocument text (.odt) file without macros or remote content."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            lowered = [name.lower() for name in names]
            if "mimetype" in names and _read(archive, "mimetype").strip() == _ODT_MIME:
                if any(n.startswith(("basic/", "scripts/")) for n in lowered):
                    return None
                if any(b'xlink:href="http' in _read(archive, n) for n in _odt_xml(names)):
                    return None
                return ODT
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                return None
            types = _read(archive, "[Content_Types].xml")
            if b"macroEnabled" in types or any(n.endswith("vbaproject.bin") for n in lowered):
                return None
            if any(_remote(_read(archive, n)) for n in names if n.endswith(".rels")):
                return None
            return DOCX
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return None


def _odt_xml(names: list[str]) -> list[str]:
    return [n for n in names if n in ("content.xml", "styles.xml")]


_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>", re.S)


def _remote(rels: bytes) -> bool:
    """A relationship Word follows on opening (template, image, frame), not a clickable link."""
    for element in _RELATIONSHIP.findall(rels):
        if b'TargetMode="External"' in element and not element.count(b'/hyperlink"'):
            return True
    return False


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > _MAX_CONTAINER_MEMBER:
        raise ValueError("member too large")
    with archive.open(info) as member:
        return member.read(_MAX_CONTAINER_MEMBER)


def _word_97(data: bytes) -> FileType | None:
    """A Word 97-2003 document with no macro storage (its names are UTF-16 in the directory)."""
    if "WordDocument".encode("utf-16-le") not in data:
        return None
    if any(mark.encode("utf-16-le") in data for mark in ("_VBA_PROJECT", "Macros", "VBA")):
        return None
    return DOC


def _plain_text(data: bytes) -> FileType | None:
    """UTF-8 text without control characters that is not markup (HTML, SVG and XML start with
    `<`). Stored as .txt, so a viewer shows it as text."""
    probe = data[:_TEXT_PROBE]
    try:
        text = probe.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(probe) - 3:  # not just a character cut at the probe's end
            return None
        text = probe[: error.start].decode("utf-8")
    if not text.strip() or _CONTROL.search(text):
        return None
    if text.lstrip("\ufeff \t\r\n").startswith("<"):  # HTML, SVG, XML: markup, not notes
        return None
    return TEXT


_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_MAX_STEM = 60


def member_name(index: int, original: str, data: bytes) -> str:
    """The one name any attachment gets inside a package: `attachments/NN-stem.ext`.

    Only ASCII letters, digits, `_` and `-` survive from the sender's name (no separators of any
    system, no dots, drive letters or control characters), and the extension always comes from
    the content: a file no longer recognised (say, kept from before this check) is `.bin`.
    """
    base = re.split(r"[\\/]", original)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base.strip(".") else base
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    cleaned = _UNSAFE.sub("_", ascii_stem).strip("_-")[:_MAX_STEM].strip("_-") or "file"
    extension = (detect(data) or UNKNOWN).extension
    return f"attachments/{index:02d}-{cleaned}.{extension}"
