"""The form model: sections, questions, choices, conditions, tracks and urgency rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

QuestionType = Literal["single", "multi", "text", "integer", "date", "files", "note"]
ANSWERABLE: frozenset[str] = frozenset({"single", "multi", "text", "integer", "date", "files"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(_Strict):
    code: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{1,32}$")]
    label: str
    exclusive: bool = False
    # Kept for answers given under an earlier version of the form: still labelled in summaries,
    # cases and reports, never offered again (no button, not matched when typed).
    retired: bool = False


class Upgrade(_Strict):
    """How answers given under version `from` read in the next version: old choice codes of
    one question and the codes they become."""

    from_: Annotated[int, Field(alias="from", ge=1)]
    question: str
    codes: dict[str, str]


class Is(_Strict):
    q: str
    is_: Annotated[str | int | list[str], Field(alias="is")]


class IsNot(_Strict):
    q: str
    is_not: str | list[str]


class Has(_Strict):
    q: str
    has: str | list[str]


class LessThan(_Strict):
    q: str
    lt: int


class Answered(_Strict):
    answered: str


class AllOf(_Strict):
    all: list[Condition]


class AnyOf(_Strict):
    any: list[Condition]


class Not(_Strict):
    not_: Annotated[Condition, Field(alias="not")]


Condition = Is | IsNot | Has | LessThan | Answered | AllOf | AnyOf | Not


class Question(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    type: QuestionType
    text: str
    hint: str | None = None
    choices: str | None = None
    required: bool = False
    relevant: Condition | None = None
    fast_track: bool = False
    voice: bool = False
    min: int | None = None
    max: int | None = None
    age: bool = False  # an age in years: a year of birth is taken too
    text_self: str | None = None  # the text for a person reporting about themselves ("you")
    short: str | None = None  # a short label for the summary
    max_length: int = 4000
    max_files: int = 10
    sensitive: bool = False
    ends_with: dict[str, Literal["exit", "declined"]] = Field(default_factory=dict)
    preset_from_start: bool = False

    @property
    def answerable(self) -> bool:
        return self.type in ANSWERABLE

    @property
    def skippable(self) -> bool:
        return self.answerable and not self.required


class Section(_Strict):
    id: Annotated[str, Field(pattern=r"^[A-Z]$")]
    title: str
    questions: list[Question]


class UrgencyPoints(_Strict):
    when: Condition
    points: int


class Urgency(_Strict):
    rules: list[UrgencyPoints]
    high: int
    medium: int


class FastTrack(_Strict):
    when: Condition


class Form(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]{1,40}$")]
    version: Annotated[int, Field(ge=1)]
    choice_lists: dict[str, list[Choice]]
    sections: list[Section]
    fast_track: FastTrack
    urgency: Urgency
    self_report: Condition | None = None  # when it holds, questions use their `text_self`
    upgrades: list[Upgrade] = []  # from each earlier version to the next, oldest first

    def questions(self) -> Iterator[Question]:
        for section in self.sections:
            yield from section.questions

    def question(self, question_id: str) -> Question:
        return self._index()[question_id][1]

    def section_of(self, question_id: str) -> Section:
        return self._index()[question_id][0]

    def has_question(self, question_id: str) -> bool:
        return question_id in self._index()

    def choices_for(self, question: Question) -> list[Choice]:
        """Every choice of the question, retired ones too: what an answer may hold."""
        if question.choices is None:
            return []
        return self.choice_lists[question.choices]

    def offered_choices(self, question: Question) -> list[Choice]:
        """The choices a person can pick now."""
        return [c for c in self.choices_for(question) if not c.retired]

    def _index(self) -> dict[str, tuple[Section, Question]]:
        index: dict[str, tuple[Section, Question]] | None = self.__dict__.get("_cached_index")
        if index is None:
            index = {q.id: (s, q) for s in self.sections for q in s.questions}
            object.__setattr__(self, "_cached_index", index)
        return index

    @field_validator("sections")
    @classmethod
    def _unique_sections(cls, sections: list[Section]) -> list[Section]:
        ids = [s.id for s in sections]
        if len(ids) != len(set(ids)):
            raise ValueError("section ids must be unique")
        return sections

    @model_validator(mode="after")
    def _check_references(self) -> Form:
        problems = list(_reference_problems(self))
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _reference_problems(form: Form) -> Iterator[str]:
    seen: set[str] = set()
    for section in form.sections:
        for question in section.questions:
            if question.id in seen:
                yield f"question {question.id} is defined twice"
            if question.type in ("single", "multi"):
                if question.choices not in form.choice_lists:
                    yield f"question {question.id} names unknown choice list {question.choices!r}"
            elif question.choices is not None:
                yield f"question {question.id} of type {question.type} cannot have choices"
            if question.relevant is not None:
                for ref in referenced_questions(question.relevant):
                    if ref not in seen:
                        yield f"question {question.id} depends on {ref}, not asked before it"
            codes = {c.code for c in form.choice_lists.get(question.choices or "", [])}
            for code in question.ends_with:
                if code not in codes:
                    yield f"question {question.id} ends on unknown choice {code!r}"
            seen.add(question.id)
    for rule in form.urgency.rules:
        for ref in referenced_questions(rule.when):
            if ref not in seen:
                yield f"urgency rule depends on unknown question {ref}"
    for ref in referenced_questions(form.fast_track.when):
        if ref not in seen:
            yield f"fast track depends on unknown question {ref}"
    for ref in referenced_questions(form.self_report) if form.self_report else ():
        if ref not in seen:
            yield f"self_report depends on unknown question {ref}"
    for upgrade in form.upgrades:
        if upgrade.from_ >= form.version:
            yield f"an upgrade from version {upgrade.from_} is not older than the form"
        if upgrade.question not in seen:
            yield f"an upgrade names unknown question {upgrade.question}"
            continue
        question = form.question(upgrade.question)
        codes = {c.code for c in form.choices_for(question)}
        for new in upgrade.codes.values():
            if new not in codes:
                yield f"an upgrade of {upgrade.question} gives unknown choice {new!r}"


def referenced_questions(condition: Condition) -> Iterator[str]:
    match condition:
        case Is(q=q) | IsNot(q=q) | Has(q=q) | LessThan(q=q):
            yield q
        case Answered(answered=q):
            yield q
        case AllOf(all=parts) | AnyOf(any=parts):
            for part in parts:
                yield from referenced_questions(part)
        case Not(not_=inner):
            yield from referenced_questions(inner)


for _model in (AllOf, AnyOf, Not):
    _model.model_rebuild()
