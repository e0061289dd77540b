"""The step engine: form + draft + one input -> the next step, or why the input was refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.intake.answers import AnswerValue
from bot.intake.conditions import holds
from bot.intake.dates import DateImpossible, DateInFuture, DateNotUnderstood, parse_partial_date
from bot.intake.draft import Draft
from bot.intake.form import Form, Question, Section
from bot.intake.inputs import (
    AddDetails,
    Back,
    Choose,
    Done,
    Edit,
    FileInput,
    Input,
    Keep,
    Skip,
    Submit,
    TextInput,
    Toggle,
    ToSummary,
    Unsupported,
    VoiceInput,
)
from bot.intake.numbers import NotANumber, age_from_birth_year, parse_number
from bot.intake.urgency import UrgencyLevel, urgency_of
from bot.intake.vocabulary import EndReason, Refusal

MAX_FILE_BYTES = 20 * 1024 * 1024
MIB = 1024 * 1024
# What all the files of one case may add up to, by default: the sealed case goes to the staff
# chat as one document, Telegram's cloud Bot API takes uploads up to 50 MB, and the ZIP and age
# add a little. An operator with a self-hosted Bot API server (2000 MB) can raise it.
DEFAULT_CASE_BYTES = 45 * MIB


@dataclass(frozen=True)
class Progress:
    section_number: int
    section_count: int
    section: Section


@dataclass(frozen=True)
class Prompt:
    question: Question
    progress: Progress
    notes: tuple[Question, ...]
    current: AnswerValue
    revisiting: bool
    pending: tuple[Any, ...]
    can_back: bool
    visit: int
    can_finish: bool = False  # adding details after the urgent track: back to the summary
    self_report: bool = False  # the person reports about themselves: the form's "you" texts


@dataclass(frozen=True)
class Review:
    items: tuple[tuple[Question, AnswerValue], ...]
    urgency: UrgencyLevel
    can_add_details: bool
    visit: int


@dataclass(frozen=True)
class Ended:
    reason: EndReason


@dataclass(frozen=True)
class Submitted:
    urgency: UrgencyLevel


Step = Prompt | Review | Ended | Submitted


@dataclass(frozen=True)
class Accepted:
    draft: Draft
    step: Step


@dataclass(frozen=True)
class Rejected:
    error: Refusal
    step: Step
    params: dict[str, int | str] = field(default_factory=dict)


StepResult = Accepted | Rejected


class _Refusal(Exception):
    def __init__(self, error: Refusal, **params: int | str) -> None:
        super().__init__(error)
        self.error = error
        self.params = params


def start(form: Form, language: str, presets: dict[str, str] | None = None) -> Draft:
    draft = Draft(form_id=form.id, form_version=form.version, language=language)
    for question_id, code in (presets or {}).items():
        if form.has_question(question_id):
            question = form.question(question_id)
            codes = {c.code for c in form.offered_choices(question)}
            if question.preset_from_start and code in codes:
                draft.answers[question_id] = code
    return draft


def current_step(form: Form, draft: Draft) -> Step:
    if draft.ended:
        return Ended(EndReason(draft.ended))
    if draft.submitted:
        return Submitted(urgency_of(form, draft.answers))
    question = _current_question(form, draft)
    if question is None:
        return _review(form, draft)
    return _prompt(form, draft, question)


def apply(
    form: Form,
    draft: Draft,
    given: Input,
    today: dt.date,
    *,
    before: Step | None = None,
    in_place: bool = False,
    case_bytes: int = DEFAULT_CASE_BYTES,
) -> StepResult:
    """Apply one input. `before` is the current step if the caller has it already; `in_place`
    changes `draft` itself (for a caller that discards it on rejection) instead of a copy;
    `case_bytes` is what all the files of the case may add up to."""
    before = before if before is not None else current_step(form, draft)
    if isinstance(before, Ended | Submitted):
        return Rejected(Refusal.FINISHED, before)
    changed = draft if in_place else draft.copy()
    try:
        moved = _apply(form, changed, given, today, case_bytes)
    except _Refusal as refusal:
        return Rejected(refusal.error, before, refusal.params)
    if moved:
        changed.visit += 1
    return Accepted(changed, current_step(form, changed))


def asked_questions(form: Form, draft: Draft) -> Iterator[Question]:
    """Questions and notes that apply to this draft, in order, given its answers and track."""
    fast = holds(form.fast_track.when, draft.answers) and not draft.expanded
    for question in form.questions():
        if fast and not question.fast_track:
            continue
        if question.relevant is None or holds(question.relevant, draft.answers):
            yield question


def in_fast_track(form: Form, draft: Draft) -> bool:
    return holds(form.fast_track.when, draft.answers) and not draft.expanded


def _apply(form: Form, draft: Draft, given: Input, today: dt.date, case_bytes: int) -> bool:
    question = _current_question(form, draft)
    if isinstance(given, Back):
        _go_back(form, draft, question)
        return True
    if question is None:
        _apply_at_review(form, draft, given)
        return True
    if isinstance(given, ToSummary):
        _to_summary(form, draft)
        return True
    _sync_pending(draft, question)
    match given:
        case Keep():
            if not draft.cursor:
                raise _Refusal(Refusal.NOTHING_TO_KEEP)
            _advance_after_revisit(form, draft)
            return True
        case Skip():
            if question.required:
                raise _Refusal(Refusal.REQUIRED)
            _record(form, draft, question, None)
            return True
        case Toggle(code=code) | Choose(code=code) if question.type == "multi":
            _toggle(form, draft, question, code)
            return False
        case Done() if question.type == "multi":
            if not draft.pending:
                raise _Refusal(Refusal.CHOOSE_AT_LEAST_ONE)
            order = [c.code for c in form.choices_for(question)]
            _record(form, draft, question, sorted(draft.pending, key=order.index))
            return True
        case Done() if question.type == "files":
            if not draft.pending:
                raise _Refusal(Refusal.NO_FILES_YET)
            _record(form, draft, question, list(draft.pending))
            return True
        case FileInput(file=file) if question.type == "files":
            if file["size"] > MAX_FILE_BYTES:
                raise _Refusal(Refusal.FILE_TOO_LARGE, max_mb=MAX_FILE_BYTES // (1024 * 1024))
            if len(draft.pending) >= question.max_files:
                raise _Refusal(Refusal.TOO_MANY_FILES, max=question.max_files)
            _check_case_size(draft, question, file, case_bytes)
            draft.pending.append(file)
            return False
        case VoiceInput(file=file) if question.type == "text" and question.voice:
            _check_case_size(draft, question, file, case_bytes)
            _record(form, draft, question, _answer_value(form, question, given, today))
            return True
        case _:
            _record(form, draft, question, _answer_value(form, question, given, today))
            return True


def _check_case_size(
    draft: Draft, question: Question, file: Mapping[str, Any], case_bytes: int
) -> None:
    """Refuse a file that would make the case's files add up to more than `case_bytes`: the
    sealed case could never be delivered. What this question holds now counts as pending."""
    held = sum(_file_sizes(value) for key, value in draft.answers.items() if key != question.id)
    held += sum(int(item.get("size", 0)) for item in draft.pending)
    if held + int(file["size"]) > case_bytes:
        raise _Refusal(Refusal.CASE_TOO_LARGE, max_mb=case_bytes // MIB)


def _file_sizes(value: Any) -> int:
    if isinstance(value, list):
        return sum(int(v.get("size", 0)) for v in value if isinstance(v, dict) and "ref" in v)
    if isinstance(value, dict) and isinstance(value.get("voice"), dict):
        return int(value["voice"].get("size", 0))
    return 0


def _answer_value(form: Form, question: Question, given: Input, today: dt.date) -> AnswerValue:
    kind = question.type
    if isinstance(given, Choose) and kind == "single":
        if given.code not in {c.code for c in form.offered_choices(question)}:
            raise _Refusal(Refusal.EXPECTS_CHOICE)
        return given.code
    if isinstance(given, VoiceInput) and kind == "text":
        if not question.voice:
            raise _Refusal(Refusal.EXPECTS_TYPED_TEXT)
        return {"voice": given.file, "duration": given.duration}
    if isinstance(given, TextInput):
        text = given.text.strip()
        if kind == "text":
            if not text:
                raise _Refusal(Refusal.EXPECTS_TEXT)
            if len(text) > question.max_length:
                raise _Refusal(Refusal.TOO_LONG, max=question.max_length, length=len(text))
            return {"text": text}
        if kind == "integer":
            return _integer(question, text, today)
        if kind == "date":
            return _date(text, today)
    raise _Refusal(_expectation(question, given))


def _integer(question: Question, text: str, today: dt.date) -> int:
    try:
        value = parse_number(text)
    except NotANumber as error:
        raise _Refusal(Refusal.EXPECTS_NUMBER) from error
    low = question.min if question.min is not None else -(10**9)
    high = question.max if question.max is not None else 10**9
    if question.age and not low <= value <= high:
        value = age_from_birth_year(value, today, high) or value
    if not low <= value <= high:
        raise _Refusal(Refusal.OUT_OF_RANGE, min=low, max=high)
    return value


def _date(text: str, today: dt.date) -> str:
    try:
        return parse_partial_date(text, today).iso()
    except DateInFuture as error:
        raise _Refusal(Refusal.DATE_IN_FUTURE) from error
    except DateImpossible as error:  # before the general case, which it is part of
        raise _Refusal(Refusal.DATE_IMPOSSIBLE) from error
    except DateNotUnderstood as error:
        raise _Refusal(Refusal.EXPECTS_DATE) from error


def _expectation(question: Question, given: Input) -> Refusal:
    if isinstance(given, Unsupported) and given.kind == "too_long":
        return Refusal.TOO_LONG
    return {
        "single": Refusal.EXPECTS_CHOICE,
        "multi": Refusal.EXPECTS_CHOICES,
        "text": Refusal.EXPECTS_TEXT_OR_VOICE if question.voice else Refusal.EXPECTS_TEXT,
        "integer": Refusal.EXPECTS_NUMBER,
        "date": Refusal.EXPECTS_DATE,
        "files": Refusal.EXPECTS_FILES,
    }.get(question.type, Refusal.EXPECTS_BUTTON)


def _toggle(form: Form, draft: Draft, question: Question, code: str) -> None:
    choices = {c.code: c for c in form.choices_for(question)}
    if code not in choices or (choices[code].retired and code not in draft.pending):
        raise _Refusal(Refusal.EXPECTS_CHOICES)
    if code in draft.pending:
        draft.pending.remove(code)
    elif choices[code].exclusive:
        draft.pending = [code]
    else:
        draft.pending = [c for c in draft.pending if not choices[c].exclusive] + [code]


def _record(form: Form, draft: Draft, question: Question, value: AnswerValue) -> None:
    draft.answers[question.id] = value
    draft.pending = []
    draft.pending_for = None
    if question.id not in draft.history:
        draft.history.append(question.id)
    if isinstance(value, str) and value in question.ends_with:
        draft.ended = question.ends_with[value]
        return
    if draft.cursor:
        draft.cursor = None
        draft.back_to_review = False


def _advance_after_revisit(form: Form, draft: Draft) -> None:
    if draft.back_to_review:
        draft.cursor, draft.back_to_review = None, False
        return
    visited = _visited(form, draft)
    position = visited.index(draft.cursor) if draft.cursor in visited else len(visited)
    draft.cursor = visited[position + 1] if position + 1 < len(visited) else None
    draft.pending, draft.pending_for = [], None


def _go_back(form: Form, draft: Draft, question: Question | None) -> None:
    visited = _visited(form, draft)
    if question is not None and question.id in visited:
        position = visited.index(question.id)
    else:
        position = len(visited)
    if position == 0:
        raise _Refusal(Refusal.NOTHING_BEFORE)
    draft.cursor = visited[position - 1]
    draft.back_to_review = False
    draft.pending, draft.pending_for = [], None


def _apply_at_review(form: Form, draft: Draft, given: Input) -> None:
    match given:
        case Submit():
            draft.submitted = True
        case Edit(question_id=question_id):
            if question_id not in _visited(form, draft):
                raise _Refusal(Refusal.STALE)
            draft.cursor, draft.back_to_review = question_id, True
        case AddDetails():
            if not in_fast_track(form, draft):
                raise _Refusal(Refusal.STALE)
            draft.expanded = True
        case _:
            raise _Refusal(Refusal.USE_REVIEW_BUTTONS)


def _to_summary(form: Form, draft: Draft) -> None:
    """Leave the questions not yet answered unanswered (as skipped), up to the first one that
    cannot be skipped, so the summary comes next, not thirty Skips."""
    if not draft.expanded or draft.cursor:
        raise _Refusal(Refusal.EXPECTS_BUTTON)
    draft.pending, draft.pending_for = [], None
    for question in list(asked_questions(form, draft)):
        if not question.answerable or question.id in draft.answers:
            continue
        if question.required:
            return
        draft.answers[question.id] = None
        draft.history.append(question.id)


def _visited(form: Form, draft: Draft) -> list[str]:
    asked = {q.id for q in asked_questions(form, draft) if q.answerable}
    return [qid for qid in draft.history if qid in asked]


def _current_question(form: Form, draft: Draft) -> Question | None:
    if draft.cursor:
        return form.question(draft.cursor)
    for question in asked_questions(form, draft):
        if question.answerable and question.id not in draft.answers:
            return question
    return None


def _sync_pending(draft: Draft, question: Question) -> None:
    if draft.pending_for == question.id:
        return
    existing = draft.answers.get(question.id)
    draft.pending = list(existing) if isinstance(existing, list) else []
    draft.pending_for = question.id


def _prompt(form: Form, draft: Draft, question: Question) -> Prompt:
    asked = list(asked_questions(form, draft))
    sections = _sections_with_questions(form, asked)
    section = form.section_of(question.id)
    pending = (
        draft.pending if draft.pending_for == question.id else _initial_pending(draft, question)
    )
    return Prompt(
        question=question,
        progress=Progress(sections.index(section.id) + 1, len(sections), section),
        notes=tuple(_notes_before(asked, question)),
        current=draft.answers.get(question.id),
        revisiting=draft.cursor == question.id,
        pending=tuple(pending),
        can_back=_has_earlier(draft, question, asked),
        visit=draft.visit,
        can_finish=draft.expanded and draft.cursor is None,
        self_report=form.self_report is not None and holds(form.self_report, draft.answers),
    )


def _has_earlier(draft: Draft, question: Question, asked: list[Question]) -> bool:
    answerable = {q.id for q in asked if q.answerable}
    visited = [qid for qid in draft.history if qid in answerable]
    return question.id not in visited[:1] if visited else False


def _initial_pending(draft: Draft, question: Question) -> list[Any]:
    existing = draft.answers.get(question.id)
    return list(existing) if isinstance(existing, list) else []


def _sections_with_questions(form: Form, asked: list[Question]) -> list[str]:
    sections: list[str] = []
    for question in asked:
        section_id = form.section_of(question.id).id
        if question.answerable and section_id not in sections:
            sections.append(section_id)
    return sections


def _notes_before(asked: list[Question], question: Question) -> Iterator[Question]:
    position = asked.index(question)
    notes: list[Question] = []
    for earlier in reversed(asked[:position]):
        if earlier.answerable:
            break
        notes.append(earlier)
    return reversed(notes)


def _review(form: Form, draft: Draft) -> Review:
    items = tuple(
        (q, draft.answers[q.id])
        for q in asked_questions(form, draft)
        if q.answerable and draft.answers.get(q.id) is not None
    )
    return Review(
        items=items,
        urgency=urgency_of(form, draft.answers),
        can_add_details=in_fast_track(form, draft),
        visit=draft.visit,
    )
