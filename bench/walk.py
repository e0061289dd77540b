"""Simulated complainants: read the bot's latest screen, think, then press a button or type."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.chat import callbacks as cb
from bot.intake.form import Form, Question
from tests.standin import MessageView, SimUser

from .standin import Landings

REPLY_TIMEOUT = 60.0
MAX_EXCHANGES = 200
TYPE_HINT = "Type your answer."
DEFAULT_TEXT = "I would rather not say more here, but I can tell a lawyer."
TYPED = {
    "r_name": "Aunt Zhanar Seitkali",
    "v_name": "Timur Seitkaliev",
    "v_residence": "Almaty, Bostandyk district",
    "v_occupation": "Taxi driver",
    "v_health_before": "Asthma; he needs an inhaler every day",
    "e_narrative": (
        "They came at night, around two, four men in plain clothes and one in police uniform. "
        "They searched the flat without showing any paper, took my brother Timur and his phone, "
        "and put him in a grey car. In the car they beat him on the head and the ribs and told "
        "him to sign a confession or his wife would be taken too. We found him two days later."
    ),
    "e_place": "Almaty, Bostandyk district police station, then the IVS on Zharokov street",
    "e_officer_ids": "A captain called Nurlanov, car plate 123 ABC 02",
    "k_contact_value": "+7 700 000 00 00",
    "k_code_word": "apricot-orchard",
}
TYPED_BY_KIND = {"integer": "34", "date": "12.03.2025"}
CHOSEN = {"a_safe_now": "yes", "a_urgent": "no", "b_consent_store": "yes"}


@dataclass(frozen=True)
class Press:
    data: str
    submits: bool = False
    step: str = "press"


@dataclass(frozen=True)
class Type:
    text: str
    step: str = "type"


Action = Press | Type
Policy = Callable[[MessageView], Action]


@dataclass(frozen=True)
class PlainPolicy:
    """The minimal floor: type `updates` messages, each answered by one plain reply."""

    updates: int

    def __call__(self, screen: MessageView) -> Action:
        return Type(DEFAULT_TEXT)


START = Type("/start", "/start")


@dataclass
class Walk:
    """What one complainant did and how long each reply took."""

    latencies: list[float] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    first_sent: float | None = None
    last_landed: float | None = None
    completed: bool = False
    error: str | None = None

    def record(self, action: Action, sent: float, landed: float) -> None:
        self.latencies.append(landed - sent)
        self.kinds.append("t" if isinstance(action, Type) else "p")
        self.steps.append(action.step)
        self.first_sent = sent if self.first_sent is None else self.first_sent
        self.last_landed = landed


@dataclass(frozen=True)
class Pace:
    """Think times in milliseconds, drawn uniformly from [low, high]."""

    low: float
    high: float
    rng: random.Random

    async def think(self) -> None:
        await _sleep_ms(self.rng.uniform(self.low, self.high))

    async def arrive(self) -> None:
        await _sleep_ms(self.rng.uniform(0, self.high))


async def _sleep_ms(milliseconds: float) -> None:
    if milliseconds > 0:
        await asyncio.sleep(milliseconds / 1000)


class Complainant:
    def __init__(self, user: SimUser, landings: Landings, policy: Policy, pace: Pace) -> None:
        self._user = user
        self._landings = landings
        self._policy = policy
        self._pace = pace

    async def walk(self, answers: int | None = None) -> Walk:
        """Start, then answer until the report is sent (or after `answers` answers)."""
        walk = Walk()
        try:
            await self._walk(walk, answers)
        except TimeoutError:
            walk.error = f"no reply within {REPLY_TIMEOUT:.0f} s"
        except LookupError as error:
            walk.error = str(error)
        return walk

    async def _walk(self, walk: Walk, answers: int | None) -> None:
        if isinstance(self._policy, PlainPolicy):
            await self._plain_walk(walk, self._policy.updates)
            return
        action: Action = START
        for _ in range(MAX_EXCHANGES):
            await self._exchange(action, walk)
            if isinstance(action, Press) and action.submits:
                walk.completed = True
                return
            if answers is not None and len(walk.kinds) > answers:
                return
            await self._pace.think()
            action = self._policy(self._screen())
        walk.error = f"not done after {MAX_EXCHANGES} exchanges"

    async def _plain_walk(self, walk: Walk, updates: int) -> None:
        """One message, one reply, `updates` times: the same count as a questionnaire."""
        action = Type(DEFAULT_TEXT, "message")
        for number in range(updates):
            if number:
                await self._pace.think()
            await self._exchange(action, walk, wait_for_buttons=False)
        walk.completed = True

    async def _exchange(self, action: Action, walk: Walk, *, wait_for_buttons: bool = True) -> None:
        chat = self._user.chat_id
        seen = self._landings.count(chat)
        sent = time.perf_counter()
        await self._send(action)
        walk.record(action, sent, await self._landings.after(chat, seen, REPLY_TIMEOUT))
        if wait_for_buttons and not (isinstance(action, Press) and action.submits):
            await self._until_buttons()

    async def _send(self, action: Action) -> None:
        if isinstance(action, Press):
            await self._user.press_data(action.data)
        else:
            await self._user.send_text(action.text)

    async def _until_buttons(self) -> None:
        """A reply can span several messages (a long review); the last one has the buttons."""
        chat = self._user.chat_id
        while not self._screen().buttons:
            await self._landings.after(chat, self._landings.count(chat), REPLY_TIMEOUT)

    def _screen(self) -> MessageView:
        return self._user.chat.bot_events[-1].view


def step_buttons(screen: MessageView) -> list[tuple[cb.StepButton, str]]:
    found = []
    for row in screen.callback_data:
        for data in row:
            button = cb.decode(data)
            if isinstance(button, cb.StepButton) and data is not None:
                found.append((button, data))
    return found


def press(screen: MessageView, op: str, arg: str | None = None, step: str = "press") -> Press:
    for button, data in step_buttons(screen):
        if button.op == op and (arg is None or button.arg == arg):
            return Press(data, submits=op == cb.SUBMIT, step=step)
    raise LookupError(f"no {op}:{arg} button on {screen.content[:120]!r}")


def can_submit(screen: MessageView) -> bool:
    return any(button.op == cb.SUBMIT for button, _ in step_buttons(screen))


class FormPolicy:
    """The full track of the real form: gating and required questions answered with buttons,
    text, number and date questions typed, every other question skipped."""

    def __init__(self, form: Form) -> None:
        answerable = [q for q in form.questions() if q.answerable]
        self._questions = sorted(answerable, key=lambda q: len(q.text), reverse=True)

    def __call__(self, screen: MessageView) -> Action:
        if can_submit(screen):
            return press(screen, cb.SUBMIT, step="send")
        return self._answer(screen, self._question_on(screen))

    def _question_on(self, screen: MessageView) -> Question:
        content = screen.content
        for question in self._questions:
            if question.text in content:
                return question
        raise LookupError(f"no question recognised in {content[:120]!r}")

    def _answer(self, screen: MessageView, question: Question) -> Action:
        step = question.id
        if step in CHOSEN:
            return press(screen, cb.CHOOSE, CHOSEN[step], step)
        if question.type == "text":
            return Type(TYPED.get(step, DEFAULT_TEXT), step)
        if question.type in TYPED_BY_KIND:
            return Type(TYPED_BY_KIND[question.type], step)
        if question.required:
            return press(screen, cb.CHOOSE, step=step)
        return press(screen, cb.SKIP, step=step)


def floor_policy(screen: MessageView) -> Action:
    """The framework-floor bot: type where it asks to type, otherwise press the first choice."""
    if can_submit(screen):
        return press(screen, cb.SUBMIT, step="send")
    if TYPE_HINT in screen.content:
        return Type(DEFAULT_TEXT)
    return press(screen, cb.CHOOSE)
