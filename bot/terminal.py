"""`complaint-bot try`: walk the form in a terminal, with the same screens as in Telegram.

For coalitions and translators to test a form or a translation without Telegram. Nothing is
stored: the draft lives in memory and is gone when the walk ends.
"""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Callable
from itertools import count
from pathlib import Path
from typing import TextIO

from bot.chat import callbacks as cb
from bot.chat.screens import Screen, Screens
from bot.i18n import Catalogs
from bot.intake import engine
from bot.intake.service import (
    Arrival,
    Discarded,
    IntakeOutcome,
    IntakeService,
    Refused,
    Sent,
    Shown,
)
from bot.intake.vocabulary import EndReason

_TAG = re.compile(r"</?[bi]>")
HANDLE = "terminal"


class TerminalWalk:
    def __init__(
        self,
        service: IntakeService,
        catalogs: Catalogs,
        language: str,
        *,
        read: Callable[[], str] = input,
        out: TextIO = sys.stdout,
    ) -> None:
        self.form = service.form
        self.catalogs = catalogs
        self.language = language
        self.service = service
        self._read = read
        self._out = out
        self._ids = count(1)
        self._buttons: list[tuple[str, str]] = []

    def run(self, presets: dict[str, str] | None = None) -> IntakeOutcome:
        outcome = self.service.begin(HANDLE, next(self._ids), self.language, presets or {})
        self._show(outcome, intro=True)
        while not _finished(outcome):
            try:
                line = self._read().strip()
            except EOFError:
                self._print("")
                break
            outcome = self._act(line)
            self._show(outcome)
        return outcome

    def _act(self, line: str) -> IntakeOutcome:
        if line in ("/exit", "/cancel"):
            return self.service.discard(HANDLE, next(self._ids))
        if line.isdigit() and 1 <= int(line) <= len(self._buttons):
            button = cb.decode(self._buttons[int(line) - 1][1])
            if isinstance(button, cb.StepButton):
                return self._press(button)
            if isinstance(button, cb.LanguageButton) and button.language in self.catalogs.offered:
                self.language = button.language
                return self.service.choose_language(HANDLE, next(self._ids), button.language)
        if line.startswith("file:"):
            path = Path(line.removeprefix("file:").strip())
            arrival = Arrival(path.read_bytes(), path.name, "application/octet-stream")
            return self.service.give_file(HANDLE, next(self._ids), arrival)
        return self.service.give_text(HANDLE, next(self._ids), line)

    def _press(self, button: cb.StepButton) -> IntakeOutcome:
        if button.op == cb.SHOW_REVIEW:
            return self.service.current(HANDLE)
        if button.op == cb.PICK_EDIT:
            current = self.service.current(HANDLE)
            if isinstance(current, Shown) and isinstance(current.step, engine.Review):
                self._print_screen(Screen("", self._screens().edit_picker(current.step)))
                return Shown(current.step, current.language, moved=False)
            return current
        return self.service.give(HANDLE, next(self._ids), cb.input_for(button), button.visit)

    def _show(self, outcome: IntakeOutcome, intro: bool = False) -> None:
        screens = self._screens()
        match outcome:
            case Shown(step=engine.Review(), moved=False):
                return
            case Shown(step=step, destination=destination):
                for screen in screens.step(step, intro=intro, destination=destination):
                    self._print_screen(screen)
            case Sent(receipt=receipt):
                self._print_screen(screens.sent(receipt))
            case Refused(error=error, params=params, step=step):
                for screen in screens.refused(step, error, params):
                    self._print_screen(screen)
            case Discarded():
                self._print(screens.ended(EndReason.EXIT))

    def _print_screen(self, screen: Screen) -> None:
        if screen.text:
            self._print(html.unescape(_TAG.sub("", screen.text)))
        self._buttons = [button for row in screen.buttons for button in row]
        for number, (label, _) in enumerate(self._buttons, start=1):
            self._print(f"  [{number}] {label}")
        self._print("> " if self._buttons else "")

    def _screens(self) -> Screens:
        return Screens(self.form, self.catalogs.translator(self.language))

    def _print(self, text: str) -> None:
        print(text, file=self._out)


def _finished(outcome: IntakeOutcome) -> bool:
    if isinstance(outcome, Discarded | Sent):
        return True
    return isinstance(outcome, Shown) and isinstance(outcome.step, engine.Submitted | engine.Ended)
