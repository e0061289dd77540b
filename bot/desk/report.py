"""report.html, rendered on the desk from case.json with the desk's own template.

Whatever HTML a package carries is never kept: a forged package could script the page. The page
loads nothing: a Content-Security-Policy allows only same-folder images and inline styles, so even
a malicious attachment shown as an image cannot reach the network, and files that could run
(documents, audio, anything not a plain image) are listed as "saved, open offline", never linked.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.desk.labels import Words, desk_word
from bot.intake.form import Form

CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
_IMAGES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def image_type(data: bytes) -> str | None:
    """A raster image by its bytes (never by its name or declared type), else None."""
    for magic, kind in _IMAGES:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


@dataclass(frozen=True)
class LaterFile:
    """A message, note or notice of the case (`<REF>-n.age`), opened into `folder`."""

    number: int
    folder: str
    manifest: Mapping[str, Any]
    images: frozenset[str]


def render_report(
    case: Mapping[str, Any],
    form: Form,
    words: Words,
    images: frozenset[str],
    later: Sequence[LaterFile] = (),
    receipt: str | None = None,
) -> str:
    """The page; `images` are the attachment paths whose bytes are plain raster images."""
    w = words
    answers = {a["question_id"]: a for a in case.get("answers", []) if "question_id" in a}
    reference = str(case.get("reference", ""))
    demo_text = w("DEMO: not a real case")
    demo = f'<p class="demo">{_e(demo_text)}</p>' if case.get("demo") else ""
    title = w("Case {reference}", reference=reference)
    urgency = case.get("urgency", {}) or {}
    level = str(urgency.get("level", ""))
    received = w.date(str(case.get("received_on", "")))
    coalition = (case.get("coalition") or {}).get("name", "")
    meta = w(
        "Received {day} for {coalition}. Form {form} v{version}; "
        "the complainant wrote in {language}.",
        day=received,
        coalition=coalition,
        form=(case.get("form") or {}).get("id", ""),
        version=(case.get("form") or {}).get("version", ""),
        language=case.get("language", ""),
    )
    receipt_line = f'<p class="receipt">{_e(receipt)}</p>' if receipt else ""
    return f"""<!doctype html>
<html lang="{_e(w.language)}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(reference)}</title>
<style>{_STYLE}</style></head><body>
{demo}
<header><h1>{_e(title)}
<span class="urgency urgency-{_e(level)}">{_e(_urgency_word(w, level))}</span></h1>
<p class="meta">{_e(meta)}</p>{receipt_line}</header>
{_summary(answers, case, w)}
{_sections(case, answers, form, w)}
{_attachments(case.get("attachments", []), images, w, "")}
{_later_files(later, w)}
<footer>{_e(w(_CHECKED))}</footer>
</body></html>
"""


def _summary(answers: Mapping[str, Mapping[str, Any]], case: Mapping[str, Any], w: Words) -> str:
    def shown(*ids: str) -> list[str]:
        return [
            _plain(answers[i], w) for i in ids if i in answers and not answers[i].get("skipped")
        ]

    who = shown("v_name", "v_sex", "v_age", "v_citizenship", "v_occupation")
    reporter = shown("r_role", "r_relation", "r_name")
    where = shown("e_country", "e_place", "f_types", "f_names")
    since = shown("e_date")
    now = shown("v_status_now", "u_risks", "h_need_care_now")
    urgency = case.get("urgency", {}) or {}
    level = _urgency_word(w, str(urgency.get("level", "")))
    cross = w("cross-border") if (case.get("routing") or {}).get("cross_border") else ""
    consents = [
        f"{w(label)}: {_plain(answers[qid], w)}"
        for qid, label in (
            ("b_share_un", desk_word("UN")),
            ("b_publish", desk_word("media")),
            ("b_share_lawyer", desk_word("lawyer")),
        )
        if qid in answers and not answers[qid].get("skipped")
    ]
    contact = shown("k_contact_way", "k_contact_value")
    code_word = shown("k_code_word")
    rows = [
        (w("Who"), who),
        (w("Reported by"), reporter),
        (w("Where"), where),
        (w("Since when"), since),
        (w("Now"), now),
        (w("Urgency"), [f"{level} ({urgency.get('score', '')})", cross]),
        (w("Consents"), consents),
        (w("How to contact"), contact),
        (w("Code word"), code_word),
    ]
    body = "".join(
        f"<dt>{_e(label)}</dt><dd>{_e(' · '.join(v for v in values if v)) or '—'}</dd>"
        for label, values in rows
    )
    heading = w("Summary")
    return f'<section class="summary"><h2>{_e(heading)}</h2><dl>{body}</dl></section>'


def _sections(
    case: Mapping[str, Any], answers: Mapping[str, Mapping[str, Any]], form: Form, w: Words
) -> str:
    order = [section.id for section in form.sections]
    titles = {section.id: w.form_text(section.title) for section in form.sections}
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for answer in case.get("answers", []):
        grouped.setdefault(str(answer.get("section", "")), []).append(answer)
    parts = []
    for section_id in sorted(grouped, key=lambda s: (order.index(s) if s in order else 99, s)):
        given = [a for a in grouped[section_id] if not a.get("skipped")]
        skipped = [a for a in grouped[section_id] if a.get("skipped")]
        rows = "".join(
            f"<tr><th>{_e(w.short_label(a['question_id']))}</th><td>{_value(a, w)}</td></tr>"
            for a in given
        )
        folded = ""
        if skipped:
            items = "".join(f"<li>{_e(w.short_label(a['question_id']))}</li>" for a in skipped)
            folded = (
                f"<details><summary>{_e(w(_SKIPPED, n=len(skipped)))}</summary>"
                f"<ul>{items}</ul></details>"
            )
        title = titles.get(section_id, section_id)
        parts.append(f"<section><h2>{_e(title)}</h2><table>{rows}</table>{folded}</section>")
    return "\n".join(parts)


def _attachments(
    entries: Sequence[Mapping[str, Any]], images: frozenset[str], w: Words, prefix: str
) -> str:
    if not entries:
        return ""
    shown, saved = [], []
    for entry in entries:
        path = prefix + str(entry.get("path", ""))
        facts = (
            f"{_e(str(entry.get('name') or path.rsplit('/', 1)[-1]))} · "
            f"{_e(str(entry.get('type', '')))} · {_e(_size(entry.get('size'), w))}<br>"
            f"<code>{_e(path)}</code><br><code>SHA-256 {_e(str(entry.get('sha256', '')))}</code>"
        )
        if entry.get("path") in images:
            shown.append(
                f'<figure><img src="{_e(path)}" alt="{_e(path)}"><figcaption>{facts}</figcaption>'
                "</figure>"
            )
        else:
            saved.append(f"<li>{facts}</li>")
    files = ""
    if saved:
        files = (
            f"<h3>{_e(w(_SAVED))}</h3>"
            f'<p class="hint">{_e(w(_OFFLINE))}</p>'
            f'<ul class="files">{"".join(saved)}</ul>'
        )
    return (
        f'<section class="attachments"><h2>{_e(w("Attachments"))}</h2>'
        f"{''.join(shown)}{files}</section>"
    )


# Messages used inside f-strings are marked here, where `make desk-messages` can find them.
_SKIPPED = desk_word("Skipped: {n}")
_SAVED = desk_word("Saved, open offline")
_CHECKED = desk_word("Every attachment was checked against its SHA-256 when the case was opened.")
_OFFLINE = desk_word(
    "These files were saved in the case folder. Open them with the network off, or in a "
    "sandbox: documents and media can carry active content."
)


def _later_files(later: Sequence[LaterFile], w: Words) -> str:
    if not later:
        return ""
    kinds = {
        "complainant_message": w("Answer from the complainant"),
        "internal_note": w("Internal note"),
        "consent_withdrawn": w("Consent withdrawn"),
    }
    items = []
    for item in sorted(later, key=lambda f: f.number):
        manifest = item.manifest
        kind = kinds.get(str(manifest.get("kind", "")), str(manifest.get("kind", "")))
        when = manifest.get("received_on") or str(manifest.get("written_at", ""))[:10]
        heading = f"#{item.number} · {kind} · {w.date(str(when))}"
        items.append(
            f'<article class="later"><h3>{_e(heading)}</h3>'
            f'<p class="text">{_e(str(manifest.get("text", "")))}</p>'
            f"{_attachments(manifest.get('attachments', []), item.images, w, item.folder + '/')}"
            "</article>"
        )
    heading = w("Messages and notes")
    return f"<section><h2>{_e(heading)}</h2>{''.join(items)}</section>"


def _value(answer: Mapping[str, Any], w: Words) -> str:
    value = answer.get("value")
    if isinstance(value, dict) and "voice" in value:
        seconds = value.get("duration_seconds")
        return _e(
            w("Voice message, {seconds} s: saved as {path}", seconds=seconds, path=value["voice"])
        )
    if answer.get("type") == "files" and isinstance(value, list):
        return "<br>".join(_e(str(path)) for path in value)
    return _e(_plain(answer, w))


def _plain(answer: Mapping[str, Any], w: Words) -> str:
    question_id = str(answer.get("question_id", ""))
    value = answer.get("value")
    match answer.get("type"):
        case "single" if isinstance(value, str):
            return w.choice(question_id, value)
        case "multi" if isinstance(value, list):
            return ", ".join(w.choice(question_id, str(code)) for code in value)
        case "date" if isinstance(value, str):
            return w.date(value)
        case _ if isinstance(value, dict) and "voice" in value:
            return w("voice message")
        case _ if isinstance(value, list):
            return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _urgency_word(w: Words, level: str) -> str:
    return {"high": w("urgent"), "medium": w("medium urgency"), "low": w("not urgent")}.get(
        level, level
    )


def _size(size: object, w: Words) -> str:
    if not isinstance(size, int):
        return ""
    if size >= 1024 * 1024:
        return w("{n} MiB", n=f"{size / 1024 / 1024:.1f}")
    return w("{n} KiB", n=max(1, round(size / 1024)))


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


_STYLE = """
body { font: 16px/1.45 system-ui, "Segoe UI", "DejaVu Sans", sans-serif; max-width: 60rem;
  margin: 1.5rem auto; padding: 0 1rem; color: #111; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; } h2 { font-size: 1.15rem; margin: 1.6rem 0 .4rem;
  border-bottom: 1px solid #ccc; } h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
.meta, .receipt, .hint { color: #444; margin: .2rem 0; } .receipt { font-size: .9rem; }
.urgency { font-size: .9rem; padding: .15rem .5rem; border-radius: .3rem; vertical-align: middle;
  background: #eee; } .urgency-high { background: #b00020; color: #fff; }
.urgency-medium { background: #f5a623; }
.summary { background: #f3f6fb; border: 2px solid #3b5b92; border-radius: .4rem;
  padding: .2rem 1rem .8rem; margin-top: 1rem; }
.summary h2 { border: 0; } dl { display: grid; grid-template-columns: 10rem 1fr; gap: .3rem 1rem;
  margin: 0; } dt { font-weight: 600; } dd { margin: 0; }
table { border-collapse: collapse; width: 100%; } th { text-align: left; vertical-align: top;
  width: 14rem; padding: .3rem .5rem; font-weight: 600; } td { padding: .3rem .5rem;
  white-space: pre-wrap; } tr:nth-child(odd) { background: #f6f6f6; }
details { margin: .4rem 0; color: #555; } summary { cursor: pointer; }
figure { margin: .8rem 0; } img { max-width: 100%; max-height: 28rem; border: 1px solid #ccc; }
code { font-size: .8rem; word-break: break-all; } .files li { margin: .4rem 0; }
.demo { background: #fdd; padding: .5rem; font-weight: bold; }
.later { border-left: 4px solid #3b5b92; padding-left: .8rem; margin: .8rem 0; }
.text { white-space: pre-wrap; } footer { margin: 2rem 0; color: #666; font-size: .85rem; }
@media print {
  body { max-width: none; margin: 0; font-size: 11pt; } details { display: none; }
  .summary { border-width: 1pt; background: none; } img { max-height: 12cm; }
  h2 { break-after: avoid; } tr, figure, .later { break-inside: avoid; }
  .urgency-high { border: 1pt solid #000; color: #000; background: none; }
}
"""
