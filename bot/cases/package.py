"""The case package: a ZIP with case.json, report.html and the original attachments.

Written to a stream the caller gives (the bot's is a spool in DATA_DIR, encrypted under a key
held in memory only, so it never touches the disk in clear): each attachment is loaded, checked
and written one at a time, so memory does not grow with the attachments; case.json and
report.html, which list them, come last.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import json
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, Any

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


Load = Callable[[str], bytes]


def build_package(
    form: Form,
    draft: Draft,
    facts: CaseFacts,
    files: Mapping[str, bytes],
    local: Translator,
    staff: Translator | None = None,
) -> bytes:
    """The ZIP bytes. `files` maps each attachment ref in the draft to its original bytes;
    `local` speaks the complainant's language, `staff` the coalition's (report.html)."""
    buffer = io.BytesIO()
    write_package(form, draft, facts, files.__getitem__, local, buffer, staff)
    return buffer.getvalue()


def write_package(
    form: Form,
    draft: Draft,
    facts: CaseFacts,
    load: Load,
    local: Translator,
    target: IO[bytes],
    staff: Translator | None = None,
) -> None:
    """Write the ZIP to `target`; `load` gives each attachment's original bytes by its ref, and
    is called once per attachment, as it is written."""
    stamp = (facts.received_on.year, facts.received_on.month, facts.received_on.day, 0, 0, 0)
    with zipfile.ZipFile(target, "w") as archive:
        writer = _Writer(archive, stamp, load)
        answers = [
            _answer_entry(form, question, draft.answers.get(question.id), local, writer)
            for question in engine.asked_questions(form, draft)
            if question.answerable and question.id in draft.answers
        ]
        case = _case(form, draft, facts, answers, writer.attachments)
        for name, content in (
            ("case.json", json.dumps(case, ensure_ascii=False, indent=2).encode()),
            ("report.html", _report(case, staff or local).encode()),
        ):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)


class _Writer:
    """Writes each attachment into the ZIP as it is met, and remembers what it wrote."""

    def __init__(
        self, archive: zipfile.ZipFile, stamp: tuple[int, int, int, int, int, int], load: Load
    ) -> None:
        self._archive = archive
        self._stamp = stamp
        self._load = load
        self.attachments: list[dict[str, Any]] = []

    def attach(self, file: Mapping[str, Any], question_id: str) -> str:
        data = self._load(file["ref"])
        digest = hashlib.sha256(data).hexdigest()
        if digest != file["sha256"]:
            raise ValueError(f"attachment {file['ref']} changed since it was received")
        path = member_name(len(self.attachments) + 1, str(file["name"]), data)
        info = zipfile.ZipInfo(path, date_time=self._stamp)
        info.compress_type = zipfile.ZIP_STORED
        self._archive.writestr(info, data)
        self.attachments.append(
            {
                "path": path,
                "name": file["name"],
                "type": (detect(data) or UNKNOWN).mime,
                "size": len(data),
                "sha256": digest,
                "question_id": question_id,
            }
        )
        return path


def _case(
    form: Form,
    draft: Draft,
    facts: CaseFacts,
    answers: list[dict[str, Any]],
    attachments: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "reference": facts.reference,
        "demo": facts.routing.coalition.demo,
        "form": {"id": draft.form_id, "version": draft.form_version},  # what the answers follow
        "language": draft.language,
        "received_on": facts.received_on.isoformat(),
        "coalition": {"id": facts.routing.coalition.id, "name": facts.routing.coalition.name},
        "routing": {
            "country_of_events": draft.answers.get("e_country"),
            "cross_border": facts.routing.cross_border,
        },
        "urgency": {"level": facts.urgency.level, "score": facts.urgency.score},
        "answers": answers,
        "attachments": attachments,
    }


def _answer_entry(
    form: Form,
    question: Question,
    value: Any,
    local: Translator,
    writer: _Writer,
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
            path = writer.attach(value["voice"], question.id)
            entry |= {"value": {"voice": path, "duration_seconds": value.get("duration")}}
        case "text":
            entry |= {"value": value["text"]}
        case "files":
            entry |= {"value": [writer.attach(f, question.id) for f in value]}
        case _:
            entry |= {"value": value}
    return entry


def _report(case: dict[str, Any], t: Translator) -> str:
    """The package's own page, in the coalition's language (the desk renders a richer one)."""
    _ = t.gettext
    e = html.escape
    rows = []
    for answer in case["answers"]:
        question = _(answer["question"])
        rows.append(f"<tr><th>{e(question)}</th><td>{_shown(answer, t)}</td></tr>")
    files = []
    for a in case["attachments"]:
        size = t.ngettext("{n} byte", "{n} bytes", a["size"])
        link = f'<a href="{e(a["path"])}">{e(a["name"])}</a>'
        files.append(
            f"<li>{link} ({e(a['type'])}, {e(size)})<br><code>sha256 {a['sha256']}</code></li>"
        )
    if not files:
        files.append("<li>" + e(_("none")) + "</li>")
    demo_text = _("DEMO: not a real case")
    demo = f'<p class="demo">{e(demo_text)}</p>' if case["demo"] else ""
    attachments = _("Attachments")
    level = case["urgency"]["level"]
    level_word = {"high": _("high"), "medium": _("medium"), "low": _("low")}.get(level, level)
    urgency = _("Urgency: {level}", level=level_word)
    score = _("score {score}", score=case["urgency"]["score"])
    cross = _("Yes") if case["routing"]["cross_border"] else _("No")
    facts = [
        _("Received on {day} for {coalition}.", day=case["received_on"],
          coalition=case["coalition"]["name"]),
        _("Cross-border: {answer}.", answer=cross),
        _("Language of the complainant: {language}.", language=case["language"]),
        _("Form {form}, version {version}.", form=case["form"]["id"],
          version=case["form"]["version"]),
    ]  # fmt: skip
    title = _("Case {reference}", reference=case["reference"])
    return f"""<!doctype html>
<html lang="{e(t.language.replace("_", "-"))}"><head><meta charset="utf-8">
<title>{e(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
th {{ text-align: left; vertical-align: top; width: 40%; padding: .4rem; }}
td {{ padding: .4rem; white-space: pre-wrap; }}
tr:nth-child(odd) {{ background: #f4f4f4; }}
.demo {{ background: #fdd; padding: .5rem; font-weight: bold; }}
.urgency-high {{ color: #a00; font-weight: bold; }}
</style></head><body>
{demo}
<h1>{e(title)}</h1>
<p>{e(facts[0])}
<span class="urgency-{e(level)}">{e(urgency)}</span> ({e(score)}).
{" ".join(e(fact) for fact in facts[1:])}</p>
<table>{"".join(rows)}</table>
<h2>{e(attachments)}</h2><ul>{"".join(files)}</ul>
</body></html>
"""


def _shown(answer: dict[str, Any], t: Translator) -> str:
    e = html.escape
    if answer.get("skipped"):
        return "<i>" + e(t.gettext("skipped")) + "</i>"
    value = answer["value"]
    if "label" in answer:
        return e(t.gettext(str(answer["label"] or value)))
    if "labels" in answer:
        return e(", ".join(t.gettext(str(label)) for label in answer["labels"]))
    if isinstance(value, dict) and "voice" in value:
        seconds = value.get("duration_seconds")
        said = t.gettext("voice message, {seconds} s", seconds=seconds)
        return f'<a href="{e(value["voice"])}">{e(said)}</a>'
    if isinstance(value, list):
        return "<br>".join(f'<a href="{e(path)}">{e(path)}</a>' for path in value)
    return e(str(value))
