"""The one callback codec: every namespace round-trips, anything else is stale."""

from __future__ import annotations

import pytest

from bot.chat import callbacks as cb


@pytest.mark.parametrize(
    "button",
    [
        cb.StepButton(12, cb.CHOOSE, "yes"),
        cb.StepButton(0, cb.SKIP),
        cb.LanguageButton("kk"),
        cb.LanguageButton("uz_Cyrl"),
        cb.StaffButton(cb.StaffOp.ACKNOWLEDGE, "KZ-7G4M-Q2XD"),
        cb.StaffButton(cb.StaffOp.REPLY, "TJ-AAAA-BBBB"),
        cb.AnswerButton("KG-7G4M-Q2XD"),
    ],
)
def test_every_button_round_trips(button: cb.Button) -> None:
    data = button.encode()
    assert len(data.encode()) <= cb.MAX_BYTES
    assert cb.decode(data) == button


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "q:1:c",  # a choice without its code
        "q:1:s:extra",  # skip takes no argument
        "q:x:s",
        "s:delete:KZ-7G4M-Q2XD",  # no such staff action
        "s:ack:not-a-reference",
        "a:",
        "l:english",
        "q:1:c:" + "a" * 80,
    ],
)
def test_anything_else_is_stale(data: str | None) -> None:
    assert cb.decode(data) is None
