"""The erasure policy: which chat messages go, from the ids a draft recorded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.intake import erasure


def test_a_conversation_runs_from_its_first_message_through_the_given_one() -> None:
    assert erasure.conversation(5, 9) == (5, 6, 7, 8, 9)


def test_without_a_recorded_start_it_looks_back_a_bounded_way() -> None:
    ids = erasure.conversation(None, 1000)
    assert ids[0] == 1000 - erasure.LOOKBACK
    assert ids[-1] == 1000
    assert erasure.conversation(None, 3) == (1, 2, 3)


def test_an_abandoned_conversation_includes_the_bots_last_replies() -> None:
    ids = erasure.abandoned(40, 52)
    assert ids[0] == 40
    assert ids[-1] == 52 + erasure.REPLIES_PER_UPDATE


def test_nothing_to_erase_without_a_start() -> None:
    assert erasure.abandoned(None, 52) == ()


@given(st.integers(1, 10**9), st.integers(0, 10**4))
def test_a_conversation_is_every_id_once_in_order(first: int, length: int) -> None:
    ids = erasure.conversation(first, first + length)
    assert list(ids) == list(range(first, first + length + 1))
