"""The words of casework, as the domain names them: ways back, delivery kinds, audit entries.

Each value is the string storage keeps in its column, so storage needs no vocabulary of its own
(it may import nothing from the bot) and the mapping at the repository boundary is the identity.
Case statuses live beside their labels, in `bot.cases.statuses`.
"""

from __future__ import annotations

from enum import StrEnum


class ContactWay(StrEnum):
    """How a coalition's message reaches a complainant who asked to be answered through the bot."""

    CHAT = "chat"  # relayed to their Telegram chat (its id kept sealed at rest)
    CODE = "code"  # kept sealed for a case code, read with /check


class DeliveryKind(StrEnum):
    """What the courier delivers from the outbox."""

    FILE = "file"  # a sealed file of a case (the case, a message, a note, a notice) to staff
    RELAY = "relay"  # a coalition's message to a complainant's chat
    PURGE_WARNING = "purge_warning"  # a closed case is about to be deleted


class AuditAction(StrEnum):
    """What a person did, or tried to do, to cases; `status_action` names a status change."""

    ACKNOWLEDGE = "acknowledge"
    ASSIGN = "assign"
    STATUS = "status"
    SHOW = "show"
    RESEND = "resend"
    LIST = "list"
    NOTE = "note"
    REPLY = "reply"
    FETCH = "fetch"  # the sealed files, fetched by the desk Mini App


class AuditOutcome(StrEnum):
    DONE = "done"
    REFUSED = "refused"


def status_action(status: str) -> str:
    """The audited action of setting a status: `status:<code>`, as the log has always said."""
    return f"{AuditAction.STATUS}:{status}"
