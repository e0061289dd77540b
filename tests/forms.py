"""Small forms for engine tests, written in the same YAML format as the default form."""

from __future__ import annotations

import textwrap

import yaml

from bot.intake.form import Form

TYPES_FORM = """
id: types-test
version: 1
fast_track: {when: {q: urgent, is: "yes"}}
urgency:
  high: 5
  medium: 2
  rules:
    - {when: {q: urgent, is: "yes"}, points: 3}
    - {when: {q: risks, has: ongoing}, points: 5}
    - {when: {q: age, lt: 18}, points: 2}
sections:
  - id: A
    title: Start
    questions:
      - {id: urgent, type: single, choices: yes_no, required: true, fast_track: true, text: "Urgent?"}
      - {id: intro_note, type: note, fast_track: true, text: A note.}
      - {id: role, type: single, choices: role, fast_track: true, text: "Who?", ends_with: {leave: exit}}
      - {id: relation, type: single, choices: yes_no, relevant: {q: role, is: relative}, text: "Relation?"}
  - id: B
    title: Details
    questions:
      - {id: story, type: text, voice: true, max_length: 50, text: "Story?"}
      - {id: name, type: text, fast_track: true, text: "Name?"}
      - {id: age, type: integer, min: 0, max: 110, text: "Age?"}
      - {id: when, type: date, fast_track: true, text: "When?"}
      - {id: risks, type: multi, choices: risks, fast_track: true, text: "Risks?"}
      - {id: sexual_note, type: note, relevant: {q: risks, has: sexual}, text: Sexual note.}
      - {id: files, type: files, max_files: 2, text: "Files?"}
      - {id: place, type: single, choices: yes_no, required: true, text: "Place?"}
choice_lists:
  yes_no: [{code: "yes", label: "Yes"}, {code: "no", label: "No"}]
  role:
    - {code: victim, label: Victim}
    - {code: relative, label: Relative}
    - {code: leave, label: Leave}
  risks:
    - {code: ongoing, label: Ongoing}
    - {code: sexual, label: Sexual}
    - {code: other, label: Other}
    - {code: none, label: None, exclusive: true}
"""


def form_from(text: str) -> Form:
    return Form.model_validate(yaml.safe_load(textwrap.dedent(text)))


def types_form() -> Form:
    return form_from(TYPES_FORM)
