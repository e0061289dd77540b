"""The case package: a ZIP with case.json, report.html and the original attachments.

Built in memory and handed to the sealer; it never touches the server's disk in clear.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.cases.coalitions import Routing
from bot.cases.filetypes import UNKNOWN, detect, member_name
from bot.i18n import Translator
from bot.intake import engine
from bot.intake.draft import Draft
from bot.intake.form import Form, Question
from bot.intake.urgency import UrgencyLevel

SCHEMA = "complaint-bot/case/v1"


@dataclass(frozen=True)
class CaseFacts:
    reference: str
    routing: Routing
    urgency: UrgencyLevel
    received_on: dt.date


def build_package(
    form: Form,
    draft: Draft,
    facts: CaseFacts,
    files: Mapping[str, bytes],
    local: Translator,
) -> bytes:
    """The ZIP bytes. `files` maps each attachment ref in the draft to its original bytes."""
    attachments: list[dict[str, Any]] = []
    answers = [
        _answer_entry(form, question, draft.answers.get(question.id), local, files, attachments)
        for question in engine.asked_questions(form, draft)
        if question.answerable and question.id in draft.answers
    ]
    case = {
        "schema": SCHEMA,
        "reference": facts.reference,
        "demo": facts.routing.coalition.demo,
        "form": {"id": form.id, "version": form.version},
        "language": draft.language,
        "received_on": facts.received_on.isoformat(),
        "coalition": {"id": facts.routing.coalition.id, "name": facts.routing.coalition.name},
        "routing": {
            "country_of_events": draft.answers.get("e_country"),
            "cross_border": facts.routing.cross_border,
        },
        "urgency": {"level": facts.urgency.level, "score": facts.urgency.score},
        "answers": answers,
        "attachments": [{k: v for k, v in a.items() if k != "data"} for a in attachments],
    }
    return _zip(case, _report(case), attachments, facts.received_on)


def _answer_entry(
    form: Form,
    question: Question,
    value: Any,
    local: Translator,
    files: Mapping[str, bytes],
    attachments: list[dict[str, Any]],
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "question_id": question.id,
        "section": form.section_of(question.id).id,
        "question": question.text,
        "type": question.type,
    }
    if value is None:
        return entry | {"skipped": True, "value": None}
    labels = {c.code: c.label for c in form.choices_for(question)}
    match question.type:
        case "single":
            entry |= {
                "value": value,
                "label": labels.get(value),
                "label_local": local.gettext(labels.get(value, value)),
            }
        case "multi":
            entry |= {"value": value, "labels": [labels.get(code) for code in value]}
        case "text" if isinstance(value, dict) and "voice" in value:
            path = _attach(value["voice"], question.id, files, attachments)
            entry |= {"value": {"voice": path, "duration_seconds": value.get("duration")}}
        case "text":
            entry |= {"value": value["text"]}
        case "files":
            entry |= {"value": [_attach(f, question.id, files, attachments) for f in value]}
        case _:
            entry |= {"value": value}
    return entry


def _attach(
    file: Mapping[str, Any],
    question_id: str,
    files: Mapping[str, bytes],
    attachments: list[dict[str, Any]],
) -> str:
    data = files[file["ref"]]
    digest = hashlib.sha256(data).hexdigest()
    if digest != file["sha256"]:
        raise ValueError(f"attachment {file['ref']} changed since it was received")
    path = member_name(len(attachments) + 1, str(file["name"]), data)
    attachments.append(
        {
            "path": path,
            "name": file["name"],
            "type": (detect(data) or UNKNOWN).mime,
            "size": len(data),
            "sha256": digest,
            "question_id": question_id,
            "data": data,
        }
    )
    return path


def _zip(
    case: dict[str, Any], report: str, attachments: list[dict[str, Any]], day: dt.date
) -> bytes:
    stamp = (day.year, day.month, day.day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content, method in [
            (
                "case.json",
                json.dumps(case, ensure_ascii=False, indent=2).encode(),
                zipfile.ZIP_DEFLATED,
            ),
            ("report.html", report.encode(), zipfile.ZIP_DEFLATED),
            *((a["path"], a["data"], zipfile.ZIP_STORED) for a in attachments),
        ]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = method
            archive.writestr(info, content)
    return buffer.getvalue()


def _report(case: dict[str, Any]) -> str:
    e = html.escape
    rows = []
    for answer in case["answers"]:
        rows.append(f"<tr><th>{e(answer['question'])}</th><td>{_shown(answer)}</td></tr>")
    files = "".join(
        f'<li><a href="{e(a["path"])}">{e(a["name"])}</a> ({e(a["type"])}, {a["size"]} bytes)'
        f"<br><code>sha256 {a['sha256']}</code></li>"
        for a in case["attachments"]
    )
    demo = '<p class="demo">DEMO: not a real case</p>' if case["demo"] else ""
    cross = "yes" if case["routing"]["cross_border"] else "no"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Case {e(case["reference"])}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
th {{ text-align: left; vertical-align: top; width: 40%; padding: .4rem; }}
td {{ padding: .4rem; white-space: pre-wrap; }}
tr:nth-child(odd) {{ background: #f4f4f4; }}
.demo {{ background: #fdd; padding: .5rem; font-weight: bold; }}
.urgency-high {{ color: #a00; font-weight: bold; }}
</style></head><body>
{demo}
<h1>Case {e(case["reference"])}</h1>
<p>Received on {e(case["received_on"])} for {e(case["coalition"]["name"])}.
Urgency: <span class="urgency-{e(case["urgency"]["level"])}">{e(case["urgency"]["level"])}</span>
(score {case["urgency"]["score"]}). Cross-border: {cross}.
Language of the complainant: {e(case["language"])}.
Form {e(case["form"]["id"])} v{case["form"]["version"]}.</p>
<table>{"".join(rows)}</table>
<h2>Attachments</h2><ul>{files or "<li>none</li>"}</ul>
</body></html>
"""


def _shown(answer: dict[str, Any]) -> str:
    e = html.escape
    if answer.get("skipped"):
        return "<i>skipped</i>"
    value = answer["value"]
    if "label" in answer:
        local = answer.get("label_local")
        extra = f" ({e(local)})" if local and local != answer["label"] else ""
        return e(str(answer["label"])) + extra
    if "labels" in answer:
        return e(", ".join(str(label) for label in answer["labels"]))
    if isinstance(value, dict) and "voice" in value:
        return (
            f'<a href="{e(value["voice"])}">voice message</a> ({value.get("duration_seconds")} s)'
        )
    if isinstance(value, list):
        return "<br>".join(f'<a href="{e(path)}">{e(path)}</a>' for path in value)
    return e(str(value))
