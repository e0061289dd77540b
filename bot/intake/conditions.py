"""Evaluating skip-logic conditions against the answers given so far."""

from __future__ import annotations

from collections.abc import Mapping

from bot.intake.answers import AnswerValue
from bot.intake.form import AllOf, Answered, AnyOf, Condition, Has, Is, IsNot, LessThan, Not


def holds(condition: Condition, answers: Mapping[str, AnswerValue]) -> bool:
    match condition:
        case Is(q=q, is_=expected):
            value = answers.get(q)
            return value is not None and value in _as_list(expected)
        case IsNot(q=q, is_not=excluded):
            value = answers.get(q)
            return value is None or value not in _as_list(excluded)
        case Has(q=q, has=wanted):
            value = answers.get(q)
            return isinstance(value, list) and any(code in value for code in _as_list(wanted))
        case LessThan(q=q, lt=bound):
            value = answers.get(q)
            return isinstance(value, int) and not isinstance(value, bool) and value < bound
        case Answered(answered=q):
            return answers.get(q) is not None
        case AllOf(all=parts):
            return all(holds(part, answers) for part in parts)
        case AnyOf(any=parts):
            return any(holds(part, answers) for part in parts)
        case Not(not_=inner):
            return not holds(inner, answers)
    raise TypeError(f"unknown condition {condition!r}")


def _as_list(value: str | int | list[str]) -> list[str | int]:
    return list(value) if isinstance(value, list) else [value]
