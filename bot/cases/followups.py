"""Follow-up files of a case (messages, notes, notices): a small ZIP, sealed like the case."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from bot.cases.filetypes import UNKNOWN, detect, member_name


@dataclass(frozen=True)
class Enclosure:
    name: str
    mime: str
    data: bytes


def followup_package(
    document: dict[str, Any],
    enclosure: Enclosure | None = None,
    manifest: str = "message.json",
) -> bytes:
    """The manifest (`message.json` unless named) plus, if any, the enclosure under the one
    cleaned name every package member gets (bot.cases.filetypes.member_name); its size and
    SHA-256 are recorded in `attachments`, as in a case, so the desk checks them. The sender's
    own name is kept only as a value in the manifest, never as a path."""
    body = dict(document)
    body["attachments"] = []
    path = ""
    if enclosure is not None:
        path = member_name(1, enclosure.name, enclosure.data)
        body["attachments"].append(
            {
                "path": path,
                "name": enclosure.name,
                "type": (detect(enclosure.data) or UNKNOWN).mime,
                "size": len(enclosure.data),
                "sha256": hashlib.sha256(enclosure.data).hexdigest(),
            }
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(manifest, json.dumps(body, indent=2, ensure_ascii=False))
        if enclosure is not None:
            archive.writestr(path, enclosure.data, zipfile.ZIP_STORED)
    return buffer.getvalue()
