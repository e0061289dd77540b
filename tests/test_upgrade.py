"""A draft begun under an older version of a form is read as the current version reads it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.intake.draft import Draft
from bot.intake.upgrade import upgraded
from tests.forms import form_from

FORM = """
id: upgrades
version: 3
fast_track: {when: {q: a, is: "zz"}}
urgency: {high: 1, medium: 1, rules: []}
upgrades:
  - {from: 1, question: a, codes: {old: mid}}
  - {from: 2, question: a, codes: {mid: new}}
  - {from: 2, question: b, codes: {gone: kept}}
sections:
  - id: A
    title: A
    questions:
      - {id: a, type: single, choices: a, text: "A?"}
      - {id: b, type: multi, choices: b, text: "B?"}
choice_lists:
  a: [{code: new, label: New}, {code: mid, label: Mid, retired: true}]
  b: [{code: x, label: X}, {code: kept, label: Kept, retired: true}]
"""


def test_each_step_since_the_drafts_version_applies_in_order() -> None:
    form = form_from(FORM)
    from_1 = upgraded(form, Draft("upgrades", 1, "ru", answers={"a": "old", "b": ["gone", "x"]}))
    assert from_1.answers == {"a": "new", "b": ["kept", "x"]}
    assert from_1.form_version == 3
    from_2 = upgraded(form, Draft("upgrades", 2, "ru", answers={"a": "old"}))
    assert from_2.answers == {"a": "old"}, "a step older than the draft does not apply"


def test_choices_being_ticked_are_brought_up_too() -> None:
    form = form_from(FORM)
    draft = Draft("upgrades", 2, "ru", cursor="b", pending=["gone"], pending_for="b")
    assert upgraded(form, draft).pending == ["kept"]


def test_a_current_draft_or_another_forms_is_left_alone() -> None:
    form = form_from(FORM)
    current = Draft("upgrades", 3, "ru", answers={"a": "mid"})
    assert upgraded(form, current).answers == {"a": "mid"}
    other = Draft("another-form", 1, "ru", answers={"a": "old"})
    assert upgraded(form, other).form_version == 1


@pytest.mark.parametrize(
    ("step", "problem"),
    [
        ("{from: 3, question: a, codes: {old: new}}", "not older than the form"),
        ("{from: 1, question: zz, codes: {old: new}}", "unknown question zz"),
        ("{from: 1, question: a, codes: {old: nowhere}}", "unknown choice 'nowhere'"),
    ],
)
def test_an_upgrade_that_cannot_hold_is_refused(step: str, problem: str) -> None:
    broken = FORM.replace("  - {from: 1, question: a, codes: {old: mid}}", "  - " + step)
    with pytest.raises(ValidationError, match=problem):
        form_from(broken)
