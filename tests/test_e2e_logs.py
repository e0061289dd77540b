"""The logs of a whole conversation, at DEBUG, hold nothing typed, no id, no name, no token."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e import TOKEN, BotProcess, Complainant, make_coalitions, named
from tests.standin import BotApiStandIn

USER_ID = 6_102_334_871
NAME = named("Mavjuda")
TYPED = ["Shirin Nazarova", "Khujand detention centre", "yellow-tulip-42", "+992 90 123 45 67"]


async def test_a_full_conversation_leaves_no_trace_in_the_logs(
    standin: BotApiStandIn, tmp_path: Path, database_url: str
) -> None:
    coalitions, _ = make_coalitions(standin, tmp_path / "config")
    bot = BotProcess(standin, tmp_path / "data", database_url, coalitions, log_level="DEBUG")
    user = standin.user(USER_ID, NAME, language_code="ru", username="mavjuda_tj")
    person = Complainant(standin, user, "ru", quiet=0.3)
    await bot.start()
    try:
        await person.command("start")
        await person.walk(
            {
                "a_safe_now": "yes",
                "a_urgent": "yes",
                "b_consent_store": "yes",
                "r_role": "relative",
                "v_name": TYPED[0],
                "e_date": "2026",
                "e_country": "TJ",
                "e_place": TYPED[1],
                "k_contact_way": "phone",
                "k_contact_value": TYPED[3],
                "k_code_word": TYPED[2],
            }
        )
        await person.press("✅ " + person.t.gettext("Send the report"))
        await person.settle()
    finally:
        log = await bot.stop()
    assert "request=" in log, "the bot logged nothing at DEBUG: the scan would prove nothing"
    forbidden = [*TYPED, NAME, "mavjuda_tj", TOKEN, TOKEN.split(":")[1]]
    assert [word for word in forbidden if word in log] == []
    assert not re.search(rf"(?<!\d){USER_ID}(?!\d)", log), "the user id, as a whole number"
