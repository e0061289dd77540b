"""Receipts: the port through which the delivery path has each sealed file signed.

The courier sends `<REF>.age.minisig` just before each `<REF>.age`; the signature (made by a server
key that storage keeps) lets staff prove the file came through the bot unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Protocol

RECEIPT_SUFFIX = ".minisig"


class ReceiptSigner(Protocol):
    def sign(
        self, sealed: bytes | IO[bytes], reference: str, file_name: str, received_on: dt.date
    ) -> bytes:
        """The signature file's content for `file_name` (a sealed `.age`); a stream is read
        from its start and left there."""
        ...


def receipt_name(sealed_name: str) -> str:
    return sealed_name + RECEIPT_SUFFIX
