"""Which chat messages of a conversation go, and when: the erasure policy, in one place.

In a private chat Telegram numbers messages one after another, the complainant's and the bot's
alike, so a conversation is the run of ids from the message that began it (recorded in the draft)
to the newest one. The draft also records the newest message the complainant sent; the bot's own
replies to it follow it, at most REPLIES_PER_UPDATE of them.
"""

from __future__ import annotations

# A review split over several messages, a refusal and its prompt, a case code: never more.
REPLIES_PER_UPDATE = 8
# Without a recorded start (a draft from before first ids were kept), look back this far.
LOOKBACK = 200


def conversation(first: int | None, through: int) -> tuple[int, ...]:
    """Every message id from the conversation's first message through `through`, inclusive."""
    start = first if first else max(1, through - LOOKBACK)
    return tuple(range(start, through + 1))


def abandoned(first: int | None, last_seen: int | None) -> tuple[int, ...]:
    """An abandoned conversation, with the bot's last replies, when its draft expires."""
    if first is None:
        return ()
    return conversation(first, max(first, last_seen or first) + REPLIES_PER_UPDATE)
