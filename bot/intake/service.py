"""The intake service: one unit of work per complainant action.

Each call claims the update id (a redelivered update is not applied twice), loads the draft,
steps the engine, saves and commits. Replying is the caller's job, after the commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from bot.intake import engine
from bot.intake.answers import FileRef
from bot.intake.draft import Draft
from bot.intake.engine import Step
from bot.intake.form import Form, Question
from bot.intake.inputs import Choose, FileInput, Input, TextInput, Toggle, VoiceInput
from bot.intake.ports import Destination, Receipt, Submitter, UnitOfWork

ConfirmationDigest = Callable[[str], str]
MatchesConfirmation = Callable[[str, str], bool]


@dataclass(frozen=True)
class Shown:
    """The step to show now (after an accepted input, or again)."""

    step: Step
    language: str
    resumed: bool = False
    moved: bool = True
    destination: Destination | None = None
    first_message_id: int | None = None


@dataclass(frozen=True)
class Sent:
    """The complaint was submitted: sealed and queued for the coalition, the draft destroyed."""

    receipt: Receipt | None
    language: str
    first_message_id: int | None = None


@dataclass(frozen=True)
class Refused:
    """The input did not fit the step; the draft is unchanged."""

    error: str
    params: dict[str, int | str]
    step: Step
    language: str


@dataclass(frozen=True)
class Stale:
    """A button from an earlier step, or one that no longer exists."""

    language: str | None
    visit: int | None = None


@dataclass(frozen=True)
class NoDraft:
    pass


@dataclass(frozen=True)
class Discarded:
    language: str | None
    first_message_id: int | None = None


@dataclass(frozen=True)
class AlreadyApplied:
    """The update was applied before (redelivery after a crash); show the current step again."""

    step: Step | None
    language: str | None


@dataclass(frozen=True)
class CodeAwaited:
    """A case code was shown; the complainant has yet to type its last characters back."""

    language: str
    mismatch: bool = False


@dataclass(frozen=True)
class CodeConfirmed:
    language: str
    code_message_id: int | None


ChoiceMatcher = Callable[[Question, str, str], str | None]

Outcome = (
    Shown
    | Sent
    | Refused
    | Stale
    | NoDraft
    | Discarded
    | AlreadyApplied
    | CodeAwaited
    | CodeConfirmed
)


@dataclass(frozen=True)
class Arrival:
    """A file that arrived, with its bytes and what Telegram said about it."""

    data: bytes
    name: str
    mime: str
    duration: int | None = None


class IntakeService:
    def __init__(
        self,
        form: Form,
        units: Callable[[], UnitOfWork],
        *,
        lifetime: dt.timedelta = dt.timedelta(hours=48),
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        submitter: Submitter | None = None,
        confirmation: tuple[ConfirmationDigest, MatchesConfirmation] | None = None,
    ) -> None:
        self._confirmation = confirmation
        self.form = form
        self._units = units
        self._submitter = submitter
        self._lifetime = lifetime
        self._clock = clock

    def begin(
        self,
        handle: str,
        update_id: int,
        language: str,
        presets: dict[str, str],
        first_message_id: int | None = None,
        chat_id: int | None = None,
    ) -> Outcome:
        now = self._clock()
        with self._units() as unit:
            if not unit.updates.claim(update_id, now):
                return self._again(unit, handle, now)
            existing = self._load(unit, handle, now)
            if existing is not None and not _finished(existing):
                unit.commit()
                return self._shown(existing, resumed=True)
            draft = engine.start(self.form, language, presets)
            earlier = existing.first_message_id if existing is not None else None
            draft.first_message_id = earlier or first_message_id
            draft.chat_id = chat_id
            unit.drafts.put(handle, draft.to_bytes(), now, self._lifetime)
            unit.commit()
            return self._shown(draft)

    def restart(self, handle: str, update_id: int, language: str) -> Outcome:
        now = self._clock()
        with self._units() as unit:
            if not unit.updates.claim(update_id, now):
                return self._again(unit, handle, now)
            old = self._load(unit, handle, now)
            unit.drafts.delete(handle)
            draft = engine.start(self.form, old.language if old else language)
            unit.drafts.put(handle, draft.to_bytes(), now, self._lifetime)
            unit.commit()
            return self._shown(draft)

    def discard(self, handle: str, update_id: int) -> Outcome:
        now = self._clock()
        with self._units() as unit:
            if not unit.updates.claim(update_id, now):
                return Discarded(None)
            draft = self._load(unit, handle, now)
            unit.drafts.delete(handle)
            unit.commit()
            if draft is None:
                return Discarded(None)
            return Discarded(draft.language, draft.first_message_id)

    def set_language(self, handle: str, update_id: int, language: str) -> Outcome:
        now = self._clock()
        with self._units() as unit:
            if not unit.updates.claim(update_id, now):
                return self._again(unit, handle, now)
            draft = self._load(unit, handle, now)
            if draft is None:
                unit.commit()
                return NoDraft()
            draft.language = language
            draft.visit += 1
            unit.drafts.put(handle, draft.to_bytes(), now, self._lifetime)
            unit.commit()
            return self._shown(draft)

    def current(self, handle: str) -> Outcome:
        """Read-only: the step the complainant is at (nothing is claimed or written)."""
        now = self._clock()
        with self._units() as unit:
            draft = self._load(unit, handle, now)
        if draft is None:
            return NoDraft()
        if draft.code_check is not None:
            return CodeAwaited(draft.language)
        return self._shown(draft, moved=False)

    def remember_code_message(self, handle: str, message_id: int) -> None:
        """Where the case code was shown, so the message can go once it is confirmed."""
        now = self._clock()
        with self._units() as unit:
            draft = self._load(unit, handle, now)
            if draft is not None and draft.code_check is not None:
                draft.code_message_id = message_id
                unit.drafts.put(handle, draft.to_bytes(), now, self._lifetime)
                unit.commit()

    def give(self, handle: str, update_id: int, given: Input, visit: int | None = None) -> Outcome:
        return self._step(handle, update_id, visit, lambda _: given, store=None)

    def give_text(self, handle: str, update_id: int, text: str, match: ChoiceMatcher) -> Outcome:
        """Typed text; on a choice question, text that names a choice counts as choosing it."""

        def as_input(draft: Draft) -> Input:
            step = engine.current_step(self.form, draft)
            if isinstance(step, engine.Prompt) and step.question.type in ("single", "multi"):
                code = match(step.question, draft.language, text)
                if code is not None:
                    return Choose(code) if step.question.type == "single" else Toggle(code)
            return TextInput(text)

        return self._step(handle, update_id, None, as_input, store=None)

    def give_file(
        self, handle: str, update_id: int, arrival: Arrival, visit: int | None = None
    ) -> Outcome:
        ref = secrets.token_hex(16)
        file = FileRef(
            ref=ref,
            name=arrival.name,
            mime=arrival.mime,
            size=len(arrival.data),
            sha256=hashlib.sha256(arrival.data).hexdigest(),
        )

        def as_input(draft: Draft) -> Input:
            if arrival.duration is not None:
                return VoiceInput(file, arrival.duration)
            return FileInput(file)

        return self._step(handle, update_id, visit, as_input, store=(ref, arrival.data))

    def _step(
        self,
        handle: str,
        update_id: int,
        visit: int | None,
        make_input: Callable[[Draft], Input],
        store: tuple[str, bytes] | None,
    ) -> Outcome:
        now = self._clock()
        with self._units() as unit:
            if not unit.updates.claim(update_id, now):
                return self._again(unit, handle, now)
            draft = self._load(unit, handle, now)
            if draft is None:
                unit.commit()
                return NoDraft()
            if draft.code_check is not None:
                return self._confirm_code(unit, handle, draft, make_input(draft))
            if visit is not None and visit != draft.visit:
                unit.commit()
                return Stale(draft.language, draft.visit)
            outcome = engine.apply(self.form, draft, make_input(draft), now.date())
            if isinstance(outcome, engine.Rejected):
                unit.commit()
                if outcome.error == "stale":
                    return Stale(draft.language, draft.visit)
                return Refused(outcome.error, outcome.params, outcome.step, draft.language)
            if store is not None:
                unit.drafts.add_file(handle, *store)
            if isinstance(outcome.step, engine.Submitted):
                receipt = (
                    self._submitter.submit(unit, handle, outcome.draft, now)
                    if self._submitter
                    else None
                )
                unit.drafts.delete(handle)
                if receipt is not None and receipt.case_code and self._confirmation:
                    self._await_code(unit, handle, draft, receipt.case_code, now)
                unit.commit()
                return Sent(receipt, draft.language, draft.first_message_id)
            if isinstance(outcome.step, engine.Ended):
                unit.drafts.delete(handle)
            else:
                unit.drafts.put(handle, outcome.draft.to_bytes(), now, self._lifetime)
            unit.commit()
            return self._shown(outcome.draft, moved=outcome.draft.visit != draft.visit)

    def _await_code(
        self, unit: UnitOfWork, handle: str, draft: Draft, code: str, now: dt.datetime
    ) -> None:
        assert self._confirmation is not None
        digest, _ = self._confirmation
        waiting = Draft(
            self.form.id,
            self.form.version,
            draft.language,
            submitted=True,
            first_message_id=draft.first_message_id,
            chat_id=draft.chat_id,
            code_check=digest(code),
        )
        unit.drafts.put(handle, waiting.to_bytes(), now, self._lifetime)

    def _confirm_code(self, unit: UnitOfWork, handle: str, draft: Draft, given: Input) -> Outcome:
        assert self._confirmation is not None
        assert draft.code_check is not None
        _, matches = self._confirmation
        if isinstance(given, TextInput) and matches(draft.code_check, given.text):
            unit.drafts.delete(handle)
            unit.commit()
            return CodeConfirmed(draft.language, draft.code_message_id)
        unit.commit()
        return CodeAwaited(draft.language, mismatch=True)

    def _shown(self, draft: Draft, *, resumed: bool = False, moved: bool = True) -> Shown:
        step = engine.current_step(self.form, draft)
        destination = None
        if isinstance(step, engine.Review) and self._submitter is not None:
            destination = self._submitter.destination(draft.answers)
        return Shown(step, draft.language, resumed, moved, destination, draft.first_message_id)

    def _again(self, unit: UnitOfWork, handle: str, now: dt.datetime) -> Outcome:
        draft = self._load(unit, handle, now)
        if draft is None:
            return AlreadyApplied(None, None)
        if draft.code_check is not None:
            return CodeAwaited(draft.language)
        return AlreadyApplied(engine.current_step(self.form, draft), draft.language)

    def _load(self, unit: UnitOfWork, handle: str, now: dt.datetime) -> Draft | None:
        payload = unit.drafts.get(handle, now)
        return Draft.from_bytes(payload) if payload is not None else None


def _finished(draft: Draft) -> bool:
    return draft.submitted or draft.ended is not None
