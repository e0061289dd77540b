"""Pseudo-localisation: every message of the template is replaced by an accented, longer look-alike
(«Śéñđ ŧĥé ŕéþóŕŧ ···»), then the bot is run through the stand-in in that locale and every
screen, error, staff card and command answer is checked: no English left (every text goes
through the catalogs), no text over Telegram's limits, no callback data over 64 bytes, and
button labels that a narrow phone shows whole (bot/chat/button_width.py: 32 letters for a
button alone in its row, 15 for each of two).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import json
import re
import zipfile
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

from bot.cases.coalitions import Routing
from bot.cases.package import CaseFacts, build_package
from bot.chat import callbacks as cb
from bot.chat.button_width import too_wide
from bot.chat.screens import Screens
from bot.config import Settings
from bot.desk import labels
from bot.desk.report import LaterFile, render_report
from bot.i18n import LANGUAGE_NAMES, Catalogs, Translator
from bot.i18n.catalogs import default_locales_dir
from bot.intake.draft import Draft
from bot.intake.urgency import urgency_of
from bot.intake.vocabulary import EndReason, Refusal
from tests.desk_fixtures import JPEG, PNG, RICH_ANSWERS, coalition
from tests.e2e import COALITIONS, FORM, Answer, Complainant, StaffTeam, named, person_id
from tests.e2e import running_bot as real_running_bot
from tests.standin import BotApiStandIn
from tests.test_screens import every_prompt

PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
ACCENTED = "áƀçđéƒĝĥíĵķĺɱñóþʠŕšŧúṽŵẋýžÁƁÇĐÉƑĜĤÍĴĶĹṀÑÓÞɊŔŠŦÚṼŴẊÝŽ"
_LOOK_ALIKE = str.maketrans(PLAIN, ACCENTED)
_KEPT = re.compile(r"(\{[^}]*\}|/[a-z_]+|https?://\S+)")
TEXT_LIMIT = 4096
EXPANSION = 0.3  # translations run up to a third longer than English


def pseudo(text: str) -> str:
    """Accented look-alikes outside placeholders and commands; texts (not button labels, which
    are checked in their real languages) a third longer."""
    parts = _KEPT.split(text)
    out = "".join(p if i % 2 else p.translate(_LOOK_ALIKE) for i, p in enumerate(parts))
    if len(text) > 60:
        out += " " + "·" * int(len(text) * EXPANSION)
    return out


def pseudo_catalogs() -> Catalogs:
    """Russian replaced by the pseudo locale (Russian plural rules: three forms)."""
    with (default_locales_dir() / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    catalog = Catalog(locale="ru")
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            singular, plural = (str(part) for part in message.id)
            catalog.add(message.id, (pseudo(singular), pseudo(plural), pseudo(plural)))
        else:
            catalog.add(message.id, pseudo(str(message.id)))
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    buffer.seek(0)
    return Catalogs(template, {"ru": read_po(buffer, locale="ru")})


PSEUDO = pseudo_catalogs()
T = PSEUDO.translator("ru")
TAG = re.compile(r"<[^>]+>")
CODE = re.compile(r"<code>.*?</code>", re.S)
ENGLISH = re.compile(r"[A-Za-z]{3,}")
# Not translations: data the people and the operator typed, and names that stay as they are.
DATA = [name for _id, name, _countries in COALITIONS] + ["Telegram", "Signal"]
DATA += [f"Staff {coalition_id}" for coalition_id, _name, _countries in COALITIONS]
DATA += list(LANGUAGE_NAMES.values())  # the picker names each language in itself
DATA_PATTERNS = [
    re.compile(r"\b[A-Z]{2}-[0-9A-Z]{4}-[0-9A-Z]{4}(-\d+)?(\.age)?\b"),  # references, files
    re.compile(r"/[a-z_]+"),  # commands
    re.compile(r"\b[0-9A-Z]{4}(-[0-9A-Z]{4})+\b"),  # key fingerprints, case codes
]


def english_left(text: str, typed: list[str]) -> list[str]:
    plain = CODE.sub(" ", text)  # shell commands and codes to copy stay as they are
    plain = html.unescape(TAG.sub(" ", plain))
    for value in [*typed, *DATA]:
        plain = plain.replace(value, " ")
    for pattern in DATA_PATTERNS:
        plain = pattern.sub(" ", plain)
    return ENGLISH.findall(plain)


def check_screen(text: str, rows: list[list[tuple[str, str]]], typed: list[str]) -> None:
    assert len(text) <= TEXT_LIMIT, text[:200]
    assert english_left(text, typed) == [], (english_left(text, typed), text[:300])
    for row in rows:
        assert too_wide([label for label, _ in row]) == [], row  # cut on a narrow phone
        for label, data in row:
            assert english_left(label, typed) == [], label
            assert len(data.encode()) <= cb.MAX_BYTES, data


def test_the_pseudo_locale_covers_every_message() -> None:
    assert PSEUDO.coverage("ru").complete
    assert T.gettext("Send the report") == pseudo("Send the report")


def test_every_complainant_screen_and_error_in_the_pseudo_locale() -> None:
    screens = Screens(FORM, T, helplines=[("Coalition", (("en", "Hotline 8 800"),))])
    typed = ["Около вокзала, в 10 утра", "Hotline 8 800", "Coalition"]
    for prompt in every_prompt():
        for screen in [*screens.step(prompt, intro=True), screens.prompt(prompt, error="x")]:
            check_screen(screen.text.replace("⚠️ x", ""), screen.buttons, typed)
    for refusal in Refusal:
        params: dict[str, int | str] = {"min": 0, "max": 9, "max_mb": 20, "length": 5000}
        text = screens.refusal_alert(refusal, params)
        assert english_left(text, typed) == [], (refusal, text)
    for said in (
        screens.ended(EndReason.DECLINED),
        screens.ended(EndReason.EXIT),
        screens.help(),
        screens.too_fast(),
        screens.stale_button(),
        screens.case_code("AB12-CD34-EF56-GH78").text,
        screens.code_awaited(mismatch=True).text,
        screens.code_awaited(mismatch=False).text,
        screens.code_confirmed().text,
        screens.discarded().text,
        screens.no_draft().text,
        screens.withdrawn(with_reference=True).text,
        screens.withdrawn(with_reference=False).text,
        screens.sent(None).text,
    ):
        check_screen(said, [], typed)


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn(token="123456789:AAEtesttesttesttesttesttesttest12") as server:
        yield server
        server.assert_no_violations()


class PseudoComplainant(Complainant):
    @property
    def t(self) -> Translator:
        return T


TYPED = ["Тимур Сейткалиев", "Алматы, ИВС", "Ночью забрали сына", "урюк"]


@pytest.fixture
def pseudo_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Catalogs, "load", classmethod(lambda cls, directory=None: PSEUDO))


async def test_the_bot_speaks_only_the_pseudo_locale_to_complainants_and_staff(
    standin: BotApiStandIn,
    settings: Settings,
    teams: dict[str, StaffTeam],
    pseudo_runtime: None,
    tmp_path: Path,
) -> None:
    user = standin.user(person_id(5501), named("Zarina"), language_code="ru")
    person = PseudoComplainant(standin, user, "ru")
    team = teams["kz"]
    script: dict[str, Answer] = {
        "a_safe_now": "yes",
        "a_urgent": "yes",
        "b_consent_store": "yes",
        "r_role": "relative",
        "v_name": TYPED[0],
        "e_date": "31.02.2025",
        "e_place": TYPED[1],
        "e_country": "KZ",
        "u_risks": ["whereabouts_unknown"],
        "k_contact_way": "bot_chat",
        "k_code_word": TYPED[3],
    }
    async with real_running_bot(settings):
        await person.command("help")
        await person.command("start")
        await person.say("maybe")  # an error on a choice question
        await person.walk(script, stop_at="e_date")
        await person.say("31.02.2025")  # an impossible date
        await person.say("вчера")
        await person.walk(script)
        await person.press("➕ " + T.gettext("Add more details first"))
        await person.press("📋 " + T.gettext("Back to the summary"))
        await person.press("✅ " + T.gettext("Send the report"))
        await standin.wait_for(lambda: any(m.document_name for m in team.chat.messages), 20)
        await person.command("status")
        await person.command("language")
        await team.member.press("👁 " + T.gettext("Acknowledge"), chat=team.chat)
        await team.member.send_command("cases", chat=team.chat)
        await team.member.send_command("help", chat=team.chat)
        await team.member.send_command("status", chat=team.chat)
        await standin.wait_idle(quiet=0.3, timeout=20)
    said = 0
    for call in standin.calls:
        if call.method.startswith(("setMy", "get")):
            continue  # the menus: checked for every language in tests/test_i18n.py
        text = str(call.params.get("text") or call.params.get("caption") or "")
        markup = call.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        keyboard = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        rows = [[(b["text"], b.get("callback_data", "")) for b in row] for row in keyboard]
        if text or rows:
            said += 1
            check_screen(text, rows, TYPED)
    assert said > 20
    impossible = pseudo(
        "There is no such day in that month (for example, 31 February). Please check the "
        "day and the month."
    )
    assert any(impossible in str(c.params.get("text", "")) for c in standin.calls)


class WellFormed(HTMLParser):
    """Every element that is opened is closed, in order (void elements need no end)."""

    VOID = frozenset({"meta", "br", "img", "hr", "input", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()


def well_formed(page: str) -> list[str]:
    parser = WellFormed()
    parser.feed(page)
    parser.close()
    return parser.problems + [f"<{tag}> never closed" for tag in parser.open]


def visible_text(page: str) -> str:
    """What a reader sees: the body without styles, and the title."""
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return re.sub(r"<code>sha256 [0-9a-f]{64}</code>", " ", page)


def pseudo_desk_words() -> Translations:
    with (default_locales_dir() / "desk.pot").open("rb") as handle:
        template = read_po(handle)
    catalog = Catalog(locale="ru")
    for message in template:
        if message.id:
            catalog.add(message.id, pseudo(str(message.id)))
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


REPORT_DATA = [
    "ccat-complaint",  # the form's id
    "injuries.jpg", "certificate.png", "image/jpeg", "image/png", "attachments/",
    "+7 701 000 00 00", "KZ-7G4M-Q2XD",
]  # fmt: skip


def rich_package() -> tuple[dict[str, Any], bytes]:
    files = {"f1": JPEG, "f2": PNG}
    answers = dict(RICH_ANSWERS)
    answers["h_files"] = [
        {"ref": ref, "name": name, "mime": mime, "sha256": hashlib.sha256(data).hexdigest()}
        for ref, name, mime, data in (
            ("f1", "injuries.jpg", "image/jpeg", JPEG),
            ("f2", "certificate.png", "image/png", PNG),
        )
    ]
    answers["e_narrative"] = {"text": answers["e_narrative"]}
    for key in ("v_name", "v_residence", "e_place", "k_contact_value", "k_code_word"):
        answers[key] = {"text": answers[key]}
    answers = {k: v for k, v in answers.items() if v is not None} | {"r_name": None}
    answers["e_officer_ids"] = None
    draft = Draft(FORM.id, FORM.version, "ru", answers=answers, expanded=True)
    demo = coalition("age1" + "q" * 58).model_copy(update={"demo": True})
    routing = Routing(demo, "KZ", cross_border=True)
    facts = CaseFacts("KZ-7G4M-Q2XD", routing, urgency_of(FORM, answers), dt.date(2026, 3, 14))
    package = build_package(FORM, draft, facts, files, T, staff=T)
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return json.loads(archive.read("case.json")), archive.read("report.html")


def test_report_html_in_the_sealed_package_speaks_only_the_pseudo_locale() -> None:
    case, page = rich_package()
    text = page.decode()
    assert well_formed(text) == []
    typed = [*REPORT_DATA, case["coalition"]["name"], case["received_on"], " ru."]
    typed += [str(a["value"]) for a in case["answers"] if a["type"] == "text" and a["value"]]
    assert english_left(visible_text(text), typed) == []
    assert pseudo("DEMO: not a real case") in text  # the demo banner, translated too
    assert pseudo("Attachments") in text


def test_report_html_of_the_desk_speaks_only_the_pseudo_locale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The desk's page, in the coalition's language: form texts from the bot's catalogs, its
    own words from desk.po, both replaced by the pseudo locale."""
    monkeypatch.setattr(labels, "_catalogs", lambda: PSEUDO)
    desk_words = pseudo_desk_words()
    monkeypatch.setattr(labels, "_desk_catalog", lambda language: desk_words)
    case, _page = rich_package()
    later = [
        LaterFile(1, "KZ-7G4M-Q2XD-1", {"kind": "complainant_message",
                  "received_on": "2026-03-15", "text": "Его перевели в СИЗО."}, frozenset()),
        LaterFile(2, "KZ-7G4M-Q2XD-2", {"kind": "internal_note",
                  "written_at": "2026-03-15T09:30:00+00:00", "text": "Позвонили адвокату."},
                  frozenset()),
        LaterFile(3, "KZ-7G4M-Q2XD-3", {"kind": "consent_withdrawn",
                  "received_on": "2026-03-16", "text": ""}, frozenset()),
    ]  # fmt: skip
    images = frozenset(a["path"] for a in case["attachments"])
    page = render_report(case, FORM, labels.Words("ru", FORM), images, later, "✔ minisign")
    assert well_formed(page) == []
    typed = [*REPORT_DATA, case["coalition"]["name"], "minisign", " ru;", " ru."]
    typed += [str(a["value"]) for a in case["answers"] if a["type"] == "text" and a["value"]]
    assert english_left(visible_text(page), typed) == []
    assert pseudo("Messages and notes") in page
