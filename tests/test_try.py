"""`complaint-bot try` walks the default form in a terminal, in each complete language."""

import subprocess
import sys
from pathlib import Path

import pytest

from bot.i18n import LANGUAGE_NAMES, Catalogs

SCRIPT = [
    "1",  # safe: yes
    "1",  # urgent: yes -> fast track
    "1",  # consent: yes
    "2",  # role: relative
    "Timur S.",
    "12.03.2026",
    "1",  # country: Kazakhstan
    "Almaty IVS",
    "2",  # risks: whereabouts unknown (toggle)
    "11",  # done
    "6",  # contact: do not contact me
    "1",  # review: send
]


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_a_translator_can_walk_the_whole_fast_track(tmp_path: Path, language: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "try", "--language", language],
        input="\n".join(SCRIPT) + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    t = Catalogs.load().translator(language)
    out = result.stdout
    assert t.gettext("Are you in a safe place, where no one can see your screen?") in out
    assert t.gettext("Please check your report before sending.") in out
    assert "Timur S." in out
    assert "12.03.2026" in out
    assert t.gettext("This was only a try-out: nothing was stored or sent.") in out
    assert not (tmp_path / "data").exists(), "try stores nothing"


def test_try_explains_wrong_input_and_leaves_on_exit(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "try"],
        input="maybe\n/exit\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert "Please choose one of the buttons below." in result.stdout
    assert "Closed. Your unfinished answers have been deleted." in result.stdout
