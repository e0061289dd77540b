"""The intake service: one unit of work per complainant action.

Each call claims the update id (a redelivered update is not applied twice), loads the draft,
steps the engine, saves and commits. Replying is the caller's job, after the commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.intake import engine, erasure
from bot.intake.answers import FileRef
from bot.intake.choices import ChoiceLabels, match_choice
from bot.intake.draft import Draft
from bot.intake.engine import Step
from bot.intake.form import Form
from bot.intake.inputs import Choose, FileInput, Input, TextInput, Toggle, Unsupported, VoiceInput
from bot.intake.ports import Destination, PreparedCase, Receipt, Submitter, UnitOfWork
from bot.intake.upgrade import upgraded
from bot.intake.vocabulary import EndReason, Refusal

ConfirmationDigest = Callable[[str], str]
# How long a shown case code waits, in memory only, for its last characters to be typed back.
CODE_CONFIRMATION_LIFETIME = dt.timedelta(hours=1)
MatchesConfirmation = Callable[[str, str], bool]


@dataclass(frozen=True)
class Said:
    """What every outcome carries besides its own news: the chat messages to delete now.

    The erasure policy (bot.intake.erasure) is applied here, in the service, from the message ids
    the draft recorded; the adapter only carries it out.
    """

    erase: tuple[int, ...] = field(default=(), kw_only=True)


@dataclass(frozen=True)
class Shown(Said):
    """The step to show now (after an accepted input, or again)."""

    step: Step
    language: str
    resumed: bool = False
    moved: bool = True
    destination: Destination | None = None
    first_message_id: int | None = None
    started: bool = False  # a new draft: the welcome and safety notice come first


@dataclass(frozen=True)
class Sent(Said):
    """The complaint was submitted: sealed and queued for the coalition, the draft destroyed."""

    receipt: Receipt | None
    language: str
    first_message_id: int | None = None


@dataclass(frozen=True)
class Refused(Said):
    """The input did not fit the step; the draft is unchanged."""

    error: Refusal
    params: dict[str, int | str]
    step: Step
    language: str


@dataclass(frozen=True)
class Stale(Said):
    """A button from an earlier step, or one that no longer exists."""

    language: str | None
    visit: int | None = None


@dataclass(frozen=True)
class NoDraft(Said):
    pass


@dataclass(frozen=True)
class Discarded(Said):
    language: str | None
    first_message_id: int | None = None


@dataclass(frozen=True)
class AlreadyApplied(Said):
    """The update was applied before (redelivery after a crash); show the current step again."""

    step: Step | None
    language: str | None


@dataclass(frozen=True)
class CodeAwaited(Said):
    """A case code was shown; the complainant has yet to type its last characters back."""

    language: str
    mismatch: bool = False


@dataclass(frozen=True)
class CodeConfirmed(Said):
    language: str
    code_message_id: int | None


IntakeOutcome = (
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
    kind: str = "document"


class IntakeService:
    """One call per update: claim the update id, load the draft, step, save, commit, and say
    everything the adapter must do afterwards (what to show, what to delete)."""

    def __init__(
        self,
        form: Form,
        units: Callable[[], UnitOfWork],
        *,
        lifetime: dt.timedelta = dt.timedelta(hours=48),
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        submitter: Submitter | None = None,
        confirmation: tuple[ConfirmationDigest, MatchesConfirmation] | None = None,
        choice_labels: ChoiceLabels | None = None,
        case_bytes: int = engine.DEFAULT_CASE_BYTES,
    ) -> None:
        self._case_bytes = case_bytes
        self._confirmation = confirmation
        self.form = form
        self._units = units
        self._submitter = submitter
        self._lifetime = lifetime
        self._clock = clock
        self._labels: ChoiceLabels = choice_labels or {}
        # A shown case code waiting to be confirmed, by handle: (the waiting draft, its end).
        # Never written down: a stored row keyed by the account, with the chat id, created in
        # the case's own transaction, would link the account to the case for hours.
        self._awaiting: dict[str, tuple[bytes, dt.datetime]] = {}

    def forget_waiting_code(self, handle: str) -> None:
        """/delete: a case code still waiting for this account goes too."""
        self._awaiting.pop(handle, None)

    def begin(
        self,
        handle: str,
        update_id: int,
        language: str,
        presets: dict[str, str],
        first_message_id: int | None = None,
        chat_id: int | None = None,
    ) -> IntakeOutcome:
        now = self._clock()
        with self._units() as unit:
            if not unit.updates.claim(update_id, now):
                return self._again(unit, handle, now)
            outcome = self._begin(unit, handle, now, language, presets, first_message_id, chat_id)
            unit.commit()
            return outcome

    def choose_language(
        self,
        handle: str,
        update_id: int,
        language: str,
        shown_id: int | None = None,
        chat_id: int | None = None,
    ) -> IntakeOutcome:
        """The language button: the draft goes on in it, or a new one starts in it."""
        now = self._clock()
        with self._units() as unit:
            if not unit.updates.claim(update_id, now):
                return self._again(unit, handle, now)
            draft = self._load(unit, handle, now)
            if draft is not None and draft.code_check is not None:
                draft.language = language
                self._save(unit, handle, draft, now)
                outcome: IntakeOutcome = CodeAwaited(language)
            elif draft is None or _finished(draft):
                outcome = self._begin(unit, handle, now, language, {}, shown_id, chat_id)
            else:
                draft.language = language
                draft.visit += 1
                self._save(unit, handle, draft, now)
                outcome = self._shown(draft)
            unit.commit()
            return outcome

    def restart(self, handle: str, update_id: int, language: str) -> IntakeOutcome:
        now = self._clock()
        with self._units() as unit:
            if not unit.updates.claim(update_id, now):
                return self._again(unit, handle, now)
            old = self._load(unit, handle, now)
            self._forget(unit, handle)
            draft = engine.start(self.form, old.language if old else language)
            self._save(unit, handle, draft, now)
            unit.commit()
            return self._shown(draft)

    def discard(
        self, handle: str, update_id: int, *, erase_through: int | None = None
    ) -> IntakeOutcome:
        """Drop the draft; with `erase_through`, also the conversation up to that message."""
        now = self._clock()
        with self._units() as unit:
            if not unit.updates.claim(update_id, now):
                return Discarded(None)
            draft = self._load(unit, handle, now)
            self._forget(unit, handle)
            unit.commit()
        first = draft.first_message_id if draft is not None else None
        erase = erasure.conversation(first, erase_through) if erase_through else ()
        if draft is None:
            return Discarded(None, erase=erase)
        return Discarded(draft.language, draft.first_message_id, erase=erase)

    def current(self, handle: str) -> IntakeOutcome:
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
        """Where the case code was shown, so the message can go once it is confirmed.

        If the bot stops before this is recorded, the code still goes: on confirmation every
        message after the submission is deleted. The waiting code itself lives in memory for
        CODE_CONFIRMATION_LIFETIME; the adapter schedules the code message's deletion for then,
        so it goes unconfirmed too, even across a restart.
        """
        now = self._clock()
        with self._units() as unit:
            draft = self._load(unit, handle, now)
            if draft is not None and draft.code_check is not None:
                draft.code_message_id = message_id
                self._save(unit, handle, draft, now)
                unit.commit()

    def give(
        self,
        handle: str,
        update_id: int,
        given: Input,
        visit: int | None = None,
        *,
        message_id: int | None = None,
        shown_id: int | None = None,
    ) -> IntakeOutcome:
        """An input from a button (`shown_id`: the message pressed) or a message."""
        return self._step(
            handle, update_id, visit, lambda _draft, _step: given, None, message_id, shown_id
        )

    def give_text(
        self, handle: str, update_id: int, text: str, *, message_id: int | None = None
    ) -> IntakeOutcome:
        """Typed text; on a choice question, text that names a choice counts as choosing it."""

        def as_input(draft: Draft, step: Step) -> Input:
            if isinstance(step, engine.Prompt) and step.question.type in ("single", "multi"):
                code = match_choice(self._labels, step.question, draft.language, text)
                if code is not None:
                    return Choose(code) if step.question.type == "single" else Toggle(code)
            return TextInput(text)

        return self._step(handle, update_id, None, as_input, None, message_id, None)

    def give_file(
        self,
        handle: str,
        update_id: int,
        arrival: Arrival,
        visit: int | None = None,
        *,
        message_id: int | None = None,
    ) -> IntakeOutcome:
        """A file: taken where the step asks for files (a voice message also where a text
        question accepts one), refused with a clear word anywhere else."""
        ref = secrets.token_hex(16)
        file = FileRef(
            ref=ref,
            name=arrival.name,
            mime=arrival.mime,
            size=len(arrival.data),
            sha256=hashlib.sha256(arrival.data).hexdigest(),
        )

        def as_input(draft: Draft, step: Step) -> Input:
            if not _accepts(step, arrival.kind):
                return Unsupported(arrival.kind)
            if arrival.duration is not None:
                return VoiceInput(file, arrival.duration)
            return FileInput(file)

        return self._step(handle, update_id, visit, as_input, (ref, arrival.data), message_id, None)

    def refuse_file(
        self, handle: str, reason: Refusal, params: dict[str, int | str]
    ) -> IntakeOutcome:
        """A file that cannot be taken at all (too large, a type not accepted): say so on the
        current step (read-only)."""
        current = self.current(handle)
        if isinstance(current, Shown):
            return Refused(reason, params, current.step, current.language)
        return current

    def _begin(
        self,
        unit: UnitOfWork,
        handle: str,
        now: dt.datetime,
        language: str,
        presets: dict[str, str],
        first_message_id: int | None,
        chat_id: int | None,
    ) -> IntakeOutcome:
        existing = self._load(unit, handle, now)
        if existing is not None and not _finished(existing):
            return self._shown(existing, resumed=True)
        draft = engine.start(self.form, language, presets)
        earlier = existing.first_message_id if existing is not None else None
        draft.first_message_id = earlier or first_message_id
        draft.last_message_id = first_message_id
        draft.chat_id = chat_id
        self._save(unit, handle, draft, now)
        return self._shown(draft, started=True)

    def _step(
        self,
        handle: str,
        update_id: int,
        visit: int | None,
        make_input: Callable[[Draft, Step], Input],
        store: tuple[str, bytes] | None,
        message_id: int | None,
        shown_id: int | None,
    ) -> IntakeOutcome:
        """Apply one input in one unit of work. When it sends the report, the case is packed
        and sealed first, outside any transaction (on SQLite every unit holds the write lock),
        then the step runs again and its unit only stores what was sealed: if the draft came
        out different the second time, it is packed again, and on the last try in the unit."""
        args = (handle, update_id, visit, make_input, store, message_id, shown_id)
        ahead: _Ahead | None = None
        try:
            for last in [False] * _PACKING_TRIES + [True]:
                result = self._step_once(*args, ahead=ahead, last=last)
                if not isinstance(result, _PackFirst):
                    return result
                if ahead is not None and ahead.case is not None:
                    ahead.case.close()
                ahead = _Ahead(result.draft.to_bytes(), self._prepare(handle, result, store))
            raise AssertionError("the last try packs in its unit")  # pragma: no cover
        finally:
            if ahead is not None and ahead.case is not None:
                ahead.case.close()

    def _prepare(
        self, handle: str, submitting: _PackFirst, store: tuple[str, bytes] | None
    ) -> PreparedCase | None:
        assert self._submitter is not None

        def load(ref: str) -> bytes:  # one file, in its own short unit
            if store is not None and store[0] == ref:
                return store[1]
            with self._units() as unit:
                data = unit.drafts.get_file(handle, ref)
            if data is None:
                raise LookupError(f"attachment {ref} of the draft is missing")
            return data

        return self._submitter.prepare(load, submitting.draft, submitting.now)

    def _step_once(
        self,
        handle: str,
        update_id: int,
        visit: int | None,
        make_input: Callable[[Draft, Step], Input],
        store: tuple[str, bytes] | None,
        message_id: int | None,
        shown_id: int | None,
        *,
        ahead: _Ahead | None,
        last: bool,
    ) -> IntakeOutcome | _PackFirst:
        now = self._clock()
        answer = (message_id,) if message_id else ()
        with self._units() as unit:
            if not unit.updates.claim(update_id, now):
                return self._again(unit, handle, now, erase=answer)
            draft = self._load(unit, handle, now)
            if draft is None:
                unit.commit()
                return NoDraft()
            before = engine.current_step(self.form, draft)
            given = make_input(draft, before)
            if draft.code_check is not None:
                return self._confirm_code(unit, handle, draft, given, message_id)
            if visit is not None and visit != draft.visit:
                unit.commit()
                return Stale(draft.language, draft.visit)
            visit_before = draft.visit
            outcome = engine.apply(
                self.form,
                draft,
                given,
                now.date(),
                before=before,
                in_place=True,
                case_bytes=self._case_bytes,
            )
            if isinstance(outcome, engine.Rejected):
                unit.commit()
                if outcome.error == Refusal.STALE:
                    return Stale(draft.language, visit_before)
                return Refused(outcome.error, outcome.params, outcome.step, draft.language)
            if store is not None and not isinstance(given, Unsupported):
                unit.drafts.add_file(handle, *store)
            changed = outcome.draft
            if _touches_files(before):  # a skipped, replaced or re-edited upload goes at once
                unit.drafts.keep_files(handle, set(_file_refs(changed)))
            changed.last_message_id = message_id or changed.last_message_id
            # Up to the message that shows the last word: the pressed one stays (it is edited
            # to say it), after a typed answer the reply comes next.
            through = shown_id - 1 if shown_id else (message_id or 0)
            if isinstance(outcome.step, engine.Submitted):
                prepared = None
                if self._submitter is not None and not last:
                    if ahead is None or ahead.draft != changed.to_bytes():
                        return _PackFirst(changed.copy(), now)  # rolled back: nothing kept
                    prepared = ahead.case
                receipt = (
                    self._submitter.submit(unit, handle, changed, now, prepared)
                    if self._submitter
                    else None
                )
                unit.drafts.delete(handle)
                if receipt is not None and receipt.case_code and self._confirmation:
                    # The receipt is the pressed message, or follows the typed one.
                    newest = shown_id or message_id or 0
                    self._await_code(unit, handle, changed, receipt.case_code, now, newest)
                unit.commit()
                return Sent(
                    receipt,
                    draft.language,
                    draft.first_message_id,
                    erase=erasure.conversation(draft.first_message_id, through),
                )
            if isinstance(outcome.step, engine.Ended):
                self._forget(unit, handle)
                unit.commit()
                if outcome.step.reason == EndReason.EXIT:
                    through = max(through, shown_id or 0)
                erase = erasure.conversation(draft.first_message_id, through)
                return self._shown(changed, step=outcome.step, erase=erase)
            self._save(unit, handle, changed, now)
            unit.commit()
            return self._shown(
                changed, step=outcome.step, moved=changed.visit != visit_before, erase=answer
            )

    def _await_code(
        self,
        unit: UnitOfWork,
        handle: str,
        draft: Draft,
        code: str,
        now: dt.datetime,
        newest: int,
    ) -> None:
        assert self._confirmation is not None
        digest, _ = self._confirmation
        waiting = Draft(
            self.form.id,
            self.form.version,
            draft.language,
            submitted=True,
            first_message_id=draft.first_message_id,
            last_message_id=newest or draft.last_message_id,
            chat_id=draft.chat_id,
            code_check=digest(code),
        )
        self._save(unit, handle, waiting, now)

    def _confirm_code(
        self,
        unit: UnitOfWork,
        handle: str,
        draft: Draft,
        given: Input,
        message_id: int | None,
    ) -> IntakeOutcome:
        assert self._confirmation is not None
        assert draft.code_check is not None
        _, matches = self._confirmation
        typed = (message_id,) if message_id else ()
        if isinstance(given, TextInput) and matches(draft.code_check, given.text):
            self._forget(unit, handle)
            unit.commit()
            if draft.code_message_id is not None:
                erase = (draft.code_message_id, *typed)
            else:  # the bot stopped before it recorded where the code is: all since sending
                after = (draft.last_message_id or 0) + 1
                erase = tuple(range(after, message_id + 1)) if message_id else ()
            return CodeConfirmed(draft.language, draft.code_message_id, erase=erase)
        unit.commit()
        return CodeAwaited(draft.language, mismatch=True, erase=typed)

    def _shown(
        self,
        draft: Draft,
        *,
        step: Step | None = None,
        resumed: bool = False,
        moved: bool = True,
        started: bool = False,
        erase: tuple[int, ...] = (),
    ) -> Shown:
        step = step if step is not None else engine.current_step(self.form, draft)
        destination = None
        if isinstance(step, engine.Review) and self._submitter is not None:
            destination = self._submitter.destination(draft.answers)
        return Shown(
            step,
            draft.language,
            resumed,
            moved,
            destination,
            draft.first_message_id,
            started,
            erase=erase,
        )

    def _again(
        self, unit: UnitOfWork, handle: str, now: dt.datetime, erase: tuple[int, ...] = ()
    ) -> IntakeOutcome:
        draft = self._load(unit, handle, now)
        if draft is None:
            return AlreadyApplied(None, None, erase=erase)
        if draft.code_check is not None:
            return CodeAwaited(draft.language, erase=erase)
        return AlreadyApplied(engine.current_step(self.form, draft), draft.language, erase=erase)

    def _load(self, unit: UnitOfWork, handle: str, now: dt.datetime) -> Draft | None:
        payload = unit.drafts.get(handle, now)
        if payload is not None:
            return upgraded(self.form, Draft.from_bytes(payload))
        waiting = self._awaiting.get(handle)
        if waiting is not None and waiting[1] > now:
            return Draft.from_bytes(waiting[0])
        self._awaiting.pop(handle, None)
        return None

    def _save(self, unit: UnitOfWork, handle: str, draft: Draft, now: dt.datetime) -> None:
        if draft.code_check is not None:  # a code waiting to be typed back: in memory only
            ends = self._awaiting.get(handle, (b"", now + CODE_CONFIRMATION_LIFETIME))[1]
            self._awaiting[handle] = (draft.to_bytes(), ends)
            return
        self._awaiting.pop(handle, None)
        unit.drafts.put(handle, draft.to_bytes(), now, self._lifetime)

    def _forget(self, unit: UnitOfWork, handle: str) -> None:
        unit.drafts.delete(handle)
        self._awaiting.pop(handle, None)


def _finished(draft: Draft) -> bool:
    return draft.submitted or draft.ended is not None


def _accepts(step: Step, kind: str) -> bool:
    if not isinstance(step, engine.Prompt):
        return False
    question = step.question
    if kind == "voice":
        return question.type == "files" or (question.type == "text" and question.voice)
    return question.type == "files"


# How often a submission is packed ahead of its unit before the last try packs inside it.
_PACKING_TRIES = 2


@dataclass(frozen=True)
class _PackFirst:
    """The step sends the report: pack and seal `draft` first, then run the step again."""

    draft: Draft
    now: dt.datetime


@dataclass(frozen=True)
class _Ahead:
    draft: bytes  # the draft it was packed from, as it stood when sent
    case: PreparedCase | None  # None: this submitter packs inside the unit


def _touches_files(step: Step) -> bool:
    """Whether an answer to this step can add, replace or drop a stored file."""
    if not isinstance(step, engine.Prompt):
        return False
    question = step.question
    return question.type == "files" or (question.type == "text" and question.voice)


def _file_refs(draft: Draft) -> list[str]:
    """Every stored file the draft still refers to: in its answers and its pending uploads."""
    refs: list[str] = []
    values: list[Any] = [*draft.answers.values(), draft.pending]
    for value in values:
        if isinstance(value, list):
            refs += [item["ref"] for item in value if isinstance(item, dict) and "ref" in item]
        elif isinstance(value, dict) and isinstance(value.get("voice"), dict):
            refs.append(value["voice"]["ref"])
    return refs
