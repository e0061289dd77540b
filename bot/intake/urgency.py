"""The computed urgency of a complaint, from weighted rules in the form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bot.intake.answers import AnswerValue
from bot.intake.conditions import holds
from bot.intake.form import Form

Level = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class UrgencyLevel:
    level: Level
    score: int


def urgency_of(form: Form, answers: Mapping[str, AnswerValue]) -> UrgencyLevel:
    score = sum(rule.points for rule in form.urgency.rules if holds(rule.when, answers))
    if score >= form.urgency.high:
        return UrgencyLevel("high", score)
    if score >= form.urgency.medium:
        return UrgencyLevel("medium", score)
    return UrgencyLevel("low", score)
