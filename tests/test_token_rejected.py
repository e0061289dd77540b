"""A token Telegram rejects: one line without the token, exit status 2, no restart loop."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.e2e import BotProcess
from tests.standin import BotApiStandIn

REJECTED = "987654321:AAHrejectedrejectedrejectedrejec"


async def test_a_rejected_token_stops_run_in_one_line_without_printing_it(
    standin: BotApiStandIn, tmp_path: Path, database_url: str
) -> None:
    bot = BotProcess(standin, tmp_path / "data", database_url, log_level="DEBUG")
    bot.env["TELEGRAM_BOT_TOKEN"] = REJECTED
    await bot.start()
    assert bot.process is not None
    status = await asyncio.wait_for(bot.process.wait(), 60)
    said = await bot.stop()
    assert status == 2, said
    secret = REJECTED.split(":", 1)[1]
    assert secret not in said
    assert "Traceback" not in said
    assert said.strip().splitlines()[-1] == (
        "complaint-bot: Telegram rejected TELEGRAM_BOT_TOKEN; check it in @BotFather "
        "(not restarting)"
    )


def test_the_systemd_unit_does_not_restart_after_a_configuration_error() -> None:
    unit = Path("deploy").glob("*.service")
    lines = [line.strip() for path in unit for line in path.read_text().splitlines()]
    assert "Restart=always" in lines
    assert "RestartPreventExitStatus=2" in lines
