"""The browser desk in headless Chromium (Debian's, driven by Playwright): cases sealed by the
real Python code open in the page, offline, with a protected or a plain key.

Every request the page makes is recorded: beyond the page itself (when served) there must be
none. Screenshots of the summary go to tests/artifacts/ (git-ignored) for a person to look at.
Outside CI a missing chromium or minisign skips these tests and says so; in CI it fails them.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import datetime as dt
import io
import json
import shutil
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.async_api import Page, Route, async_playwright, expect

from bot.cli import main as cli_main
from bot.config import Settings
from bot.desk_web import columns
from bot.desk_web.mini_app import served_page
from bot.desk_web.serve import DeskServer
from storage.receipts import load_or_create_receipt_key
from storage.sealing import protect_identity
from tests.desk_fixtures import (
    PASSPHRASE,
    Signer,
    message_file,
    note_file,
    notice_file,
    rich_case,
    small_case,
    staff_keys,
)
from tests.e2e import Complainant, StaffTeam, named, person_id, running_bot, sealed_files
from tests.standin import BotApiStandIn
from tests.test_e2e_cases import report, submit
from tests.test_mini_app import init_data
from tests.test_replicas import replica_env
from tests.tools import require_tool
from tests.webhook_kit import Replica

ARTIFACTS = Path(__file__).parent / "artifacts"
PAGE = Path(__file__).resolve().parents[1] / "desk" / "dist" / "desk.html"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REF = "KZ-7G4M-Q2XD"


@pytest.fixture(autouse=True)
def _tools() -> None:
    require_tool("chromium")
    require_tool("minisign")


@dataclass
class Desk:
    page: Page
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@contextlib.asynccontextmanager
async def browser(tmp_path: Path, width: int = 1366, height: int = 768) -> AsyncIterator[Desk]:
    profile = tmp_path / "profile"
    profile.mkdir(parents=True)
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=shutil.which("chromium"),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": width, "height": height},
            accept_downloads=True,
        )
        try:
            page = await context.new_page()
            desk = Desk(page)
            page.on("request", lambda request: desk.requests.append(request.url))
            page.on("pageerror", lambda error: desk.errors.append(str(error)))
            yield desk
        finally:
            await context.close()


def network(desk: Desk, page_url: str) -> list[str]:
    """Requests that are neither the page itself nor in-memory blob: URLs."""
    return [url for url in desk.requests if url != page_url and not url.startswith("blob:")]


async def open_page(desk: Desk, language: str = "en", extra: str = "") -> str:
    url = f"{PAGE.as_uri()}?lang={language}{extra}"
    await desk.page.goto(url)
    return url


async def open_key(desk: Desk, key: Path, passphrase: str | None = None) -> None:
    page = desk.page
    await page.set_input_files("#identity", str(key))
    if passphrase is not None:
        await page.fill("#passphrase", passphrase)
        await page.click("#unlock")


async def drop(desk: Desk, files: list[Path]) -> None:
    await desk.page.set_input_files("#files", [str(f) for f in files])


async def shows(desk: Desk, selector: str, text: str) -> None:
    """Wait until the element shows this text (the page works asynchronously)."""
    await expect(desk.page.locator(selector)).to_contain_text(text, timeout=30_000)


async def text_of(desk: Desk, selector: str) -> str:
    locator = desk.page.locator(selector)
    return str(await locator.inner_text(timeout=30_000))


@dataclass(frozen=True)
class Folder:
    path: Path
    plain_key: Path
    protected_key: Path
    signer: Signer
    case_files: list[Path]
    public: str


def sealed_folder(path: Path) -> Folder:
    """The rich case with three later files, two small cases, each with its receipt."""
    keys = staff_keys(path)
    signer = Signer(path)
    made = {
        f"{REF}.age": rich_case(REF, keys.public),
        f"{REF}-1.age": message_file(REF, keys.public),
        f"{REF}-2.age": note_file(REF, keys.public),
        f"{REF}-3.age": notice_file(REF, keys.public),
        "KZ-AB12-CD34.age": small_case("KZ-AB12-CD34", keys.public, "KZ", "released", 3),
        "KG-ZZ12-CD34.age": small_case("KG-ZZ12-CD34", keys.public, "KG", "detained_known", 9),
    }
    files = []
    for name, data in made.items():
        sealed = path / name
        sealed.write_bytes(data)
        files += [sealed, signer.sign(sealed, name[:12])]
    return Folder(path, keys.plain, keys.protected, signer, files, keys.public)


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    (tmp_path / "files").mkdir()
    return sealed_folder(tmp_path / "files")


async def test_many_cases_open_with_a_plain_key_and_read_in_russian(
    folder: Folder, tmp_path: Path
) -> None:
    async with browser(tmp_path) as desk:
        page = desk.page
        url = await open_page(desk, "ru")
        await drop(desk, [*folder.case_files, folder.signer.public])
        await shows(desk, "#drop", "ждут вашего ключа")
        await open_key(desk, folder.plain_key)
        await page.wait_for_selector("#cases tbody tr >> nth=2")
        rows = page.locator("#cases tbody tr")
        assert await rows.count() == 3
        assert await rows.nth(0).get_attribute("data-reference") == REF  # most urgent first
        first = await rows.nth(0).inner_text()
        assert "срочно" in first
        assert "согласие отозвано" in first
        assert "Квитанция проверена" in first
        await page.click("#cases th[data-key=received] button")
        assert await rows.nth(0).get_attribute("data-reference") == REF
        await page.click("#cases th[data-key=received] button")
        assert await rows.nth(0).get_attribute("data-reference") == "KZ-AB12-CD34"

        await page.click(f"tr[data-reference='{REF}']")
        summary = await text_of(desk, "#summary")
        for expected in (
            "Серікбаев Ержан Маратұлы",
            "возраст: 24",
            "Шымкент, Аль-Фарабийский РОВД",
            "12 марта 2026 г.",
            "Под стражей, место неизвестно",
            "Местонахождение неизвестно",
            "срочно",
            "Signal",
            "кодовое слово: абрикос",
        ):
            assert expected in summary, expected
        answers = await text_of(desk, "#answers")
        assert "Ночью 12 марта к нам домой пришли люди в штатском" in answers
        assert "Пропущенные вопросы: 1" in answers  # r_name and e_officer_ids, folded away
        skipped = page.locator("#answers details")
        assert await skipped.count() == 2
        assert not await skipped.nth(0).evaluate("d => d.open")
        attachments = await text_of(desk, "#attachments")
        assert attachments.count("SHA-256 проверен") == 2
        images = page.locator("#attachments img")
        assert await images.count() == 2
        for index in range(2):
            assert (await images.nth(index).get_attribute("src") or "").startswith("blob:")
            assert await images.nth(index).evaluate("i => i.naturalWidth") > 0
        later = await text_of(desk, "#later")
        assert "Его перевели в СИЗО" in later
        assert "Позвонили адвокату" in later
        assert "Согласие отозвано" in later
        assert "Квитанции проверены: 4 из 4" in await text_of(desk, "#case")

        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "desk-summary-1366x768.png"))
        await page.set_viewport_size({"width": 390, "height": 844})
        await page.locator("#summary").scroll_into_view_if_needed()
        await page.screenshot(path=str(ARTIFACTS / "desk-summary-390x844.png"))
        await page.set_viewport_size({"width": 1366, "height": 768})
        await page.evaluate("window.scrollTo(0, 0)")
        await page.screenshot(path=str(ARTIFACTS / "desk-case-full-1366.png"), full_page=True)
        assert network(desk, url) == []
        assert desk.errors == []
        storage = await page.evaluate(
            "async () => [localStorage.length, sessionStorage.length, document.cookie,"
            " (await indexedDB.databases()).length]"
        )
        assert storage == [0, 0, "", 0]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_case_sent_through_the_bot_opens_with_a_passphrase_protected_key(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam], tmp_path: Path
) -> None:
    user = standin.user(811, "Гульнара", language_code="ru")
    person = Complainant(standin, user, "ru")
    async with running_bot(settings) as runtime:
        reference = await submit(person, report("KZ", "Сына избили в ИВС, ребро сломано"))
        await standin.wait_for(lambda: len(sealed_files(teams["kz"])) == 1, 20)
        signer = tmp_path / "signer.pub"
        signer.write_bytes(runtime.receipt_key.public_key_file())
    downloads = []
    for message in teams["kz"].chat.messages:  # the receipt, then the case
        if message.document_name and message.document is not None:
            downloads.append(tmp_path / message.document_name)
            downloads[-1].write_bytes(message.document)
    assert [d.name for d in downloads] == [f"{reference}.age.minisig", f"{reference}.age"]
    key = tmp_path / "staff-key.age"
    key.write_bytes(protect_identity(teams["kz"].identity, PASSPHRASE))

    async with browser(tmp_path) as desk:
        url = await open_page(desk, "ru")
        await drop(desk, downloads)
        await open_key(desk, key, "not the passphrase")
        await shows(desk, "#notice", "Неверный пароль")
        await open_key(desk, key, PASSPHRASE)
        badge = f"#cases tr[data-reference='{reference}'] td:last-child"
        await shows(desk, badge, "Квитанция не проверена")  # no signer key pinned yet
        await drop(desk, [signer])
        await shows(desk, badge, "Квитанция проверена")  # the bot's own receipt
        await desk.page.click(f"tr[data-reference='{reference}']")
        assert "Сына избили в ИВС, ребро сломано" in await text_of(desk, "#answers")
        assert "a police station in KZ" in await text_of(desk, "#summary")
        assert "SHA-256 проверен" in await text_of(desk, "#attachments")
        assert network(desk, url) == []


async def test_a_wrong_key_and_a_damaged_file_give_one_clear_message(
    folder: Folder, tmp_path: Path
) -> None:
    other = staff_keys(tmp_path, "other")
    damaged = tmp_path / "KZ-DAMA-GED0.age"
    data = bytearray((folder.path / f"{REF}.age").read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    clear = "This file cannot be opened with this key, or it is damaged."
    not_a_key = tmp_path / "notes.txt"
    not_a_key.write_text("not a key\n")
    async with browser(tmp_path) as desk:
        url = await open_page(desk)
        await open_key(desk, not_a_key)
        await shows(desk, "#notice", "This file holds no staff key (AGE-SECRET-KEY-1...).")
        await open_key(desk, other.plain)
        await drop(desk, [folder.path / f"{REF}.age"])
        await shows(desk, "#failures", clear)
        assert await text_of(desk, "#failures") == f"{REF}.age: {clear}"
        await desk.page.click("#lock")
        await open_key(desk, folder.plain_key)
        await drop(desk, [damaged])
        await shows(desk, "#failures", "KZ-DAMA-GED0.age")
        failures = await text_of(desk, "#failures")
        assert failures == f"KZ-DAMA-GED0.age: {clear}"
        assert await desk.page.locator("#cases tbody tr").count() == 1
        assert network(desk, url) == []


async def test_a_tampered_or_missing_receipt_is_flagged(folder: Folder, tmp_path: Path) -> None:
    receipt = folder.path / f"{REF}.age.minisig"
    lines = receipt.read_text().splitlines()
    lines[2] = lines[2].replace("received:2026-03-14", "received:2026-03-15")  # trusted comment
    receipt.write_text("\n".join(lines) + "\n")
    other = folder.path / "KZ-AB12-CD34.age.minisig"
    (folder.path / "KG-ZZ12-CD34.age.minisig").write_text(other.read_text())  # another file's
    other.unlink()
    async with browser(tmp_path) as desk:
        await open_page(desk)
        await drop(desk, [p for p in folder.case_files if p.exists()])
        await open_key(desk, folder.plain_key)
        rows = desk.page.locator("#cases tbody tr")
        await rows.nth(2).wait_for()
        assert "Receipt not checked: no signer key" in await rows.nth(0).inner_text()
        await drop(desk, [folder.signer.public])
        await shows(desk, "#cases", "Receipt does NOT match")

        def badge(reference: str) -> str:
            return f"#cases tr[data-reference='{reference}'] td:last-child"

        assert await text_of(desk, badge(REF)) == "Receipt does NOT match"
        assert await text_of(desk, badge("KZ-AB12-CD34")) == "No receipt"
        assert await text_of(desk, badge("KG-ZZ12-CD34")) == "Receipt does NOT match"
        await desk.page.click(f"tr[data-reference='{REF}']")
        flagged = desk.page.locator(f"[data-receipt='{REF}.age']")
        assert "does NOT match this file" in await flagged.inner_text()


async def test_receipts_signed_by_the_server_key_verify_in_the_page(tmp_path: Path) -> None:
    """The bot's own signing (storage/receipts.py, py-minisign) and the page agree."""
    keys = staff_keys(tmp_path)
    server = load_or_create_receipt_key(tmp_path / "receipts" / "receipt.key")
    sealed = tmp_path / "KZ-AB12-CD34.age"
    sealed.write_bytes(small_case("KZ-AB12-CD34", keys.public, "KZ", "released", 3))
    receipt = server.sign(sealed.read_bytes(), "KZ-AB12-CD34", sealed.name, dt.date(2026, 2, 3))
    (tmp_path / "KZ-AB12-CD34.age.minisig").write_bytes(receipt)
    (tmp_path / "signer.pub").write_bytes(server.public_key_file())
    async with browser(tmp_path) as desk:
        await open_page(desk)
        await open_key(desk, keys.plain)
        await drop(desk, [sealed, tmp_path / "KZ-AB12-CD34.age.minisig", tmp_path / "signer.pub"])
        badge = "#cases tr[data-reference='KZ-AB12-CD34'] td:last-child"
        await shows(desk, badge, "Receipt verified")
        await desk.page.click("tr[data-reference='KZ-AB12-CD34']")
        await shows(desk, "#case", "received 2026-02-03 (UTC)")


async def test_the_spreadsheet_has_the_shared_columns(folder: Folder, tmp_path: Path) -> None:
    async with browser(tmp_path) as desk:
        await open_page(desk)
        await open_key(desk, folder.plain_key)
        await drop(desk, folder.case_files)
        await desk.page.locator("#cases tbody tr").nth(2).wait_for()
        async with desk.page.expect_download() as waiting:
            await desk.page.click("#csv")
        download = await waiting.value
        path = tmp_path / "cases.csv"
        await download.save_as(str(path))
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    names = [c["name"] for c in columns()]
    assert list(rows[0]) == names
    row = next(r for r in rows if r["reference"] == REF)
    assert row["urgency"] == "high"
    assert row["received_on"] == "2026-03-14"
    assert row["receipt"] == "not checked"
    assert row["v_status_now"] == "detained_unknown"
    assert row["v_status_now__label"] == "Detained, whereabouts unknown"
    assert row["e_authority"] == "police plain_clothes"
    assert row["e_authority.police"] == "1"
    assert row["e_authority.military"] == "0"
    assert row["u_risks.whereabouts_unknown"] == "1"
    assert row["e_date__precision"] == "day"
    assert row["v_age"] == "24"
    assert row["attachments"] == "attachments/01-injuries.jpg; attachments/02-certificate.png"
    assert len(row["attachments_sha256"].split("; ")[0]) == 64
    assert row["classification"] == row["outcome"] == row["notes"] == ""
    assert row["r_name"] == ""  # skipped
    small = next(r for r in rows if r["reference"] == "KZ-AB12-CD34")
    assert small["g_acts.beat_hands"] == ""  # never asked: empty, not 0


async def test_the_spreadsheet_is_the_one_desk_export_writes(
    folder: Folder, tmp_path: Path
) -> None:
    hostile = '=HYPERLINK("https://example.invalid")'
    odd = folder.path / "KZ-ODD0-CASE.age"
    odd.write_bytes(small_case("KZ-ODD0-CASE", folder.public, "KZ", "released", 5, hostile))
    cases = [p for p in folder.case_files if p.suffix == ".age" and p.stem.count("-") == 2]
    cases.append(odd)
    signer = folder.signer.public
    out = tmp_path / "export"
    assert (
        cli_main(
            ["desk", "export", "--identity", str(folder.plain_key), "--signer", str(signer),
             "--language", "ru", "--out", str(out), *map(str, cases)]
        )
        == 0
    )  # fmt: skip
    async with browser(tmp_path) as desk:
        await open_page(desk, "ru")
        await open_key(desk, folder.plain_key)
        await drop(desk, [*folder.case_files, odd, signer])
        await desk.page.locator("#cases tbody tr").nth(3).wait_for()
        async with desk.page.expect_download() as waiting:
            await desk.page.click("#csv")
        download = await waiting.value
        path = tmp_path / "cases.csv"
        await download.save_as(str(path))
    python = (out / "cases.csv").read_bytes().decode("utf-8").split("\r\n")
    page = path.read_bytes().decode("utf-8").split("\r\n")
    assert page[0] == python[0]  # the same columns, in the same order
    assert sorted(page[1:]) == sorted(python[1:])  # the same rows, byte for byte
    assert f"'{hostile}".replace('"', '""') in page[0] + "".join(page)  # defused, not a formula


async def test_a_protected_key_dropped_with_the_cases_asks_for_its_passphrase(
    folder: Folder, tmp_path: Path
) -> None:
    async with browser(tmp_path) as desk:
        await open_page(desk)
        await drop(desk, [folder.protected_key, *folder.case_files[:2]])
        await shows(desk, "#passphrase-form", "Passphrase of staff-key.age")
        await desk.page.fill("#passphrase", PASSPHRASE)
        await desk.page.click("#unlock")
        await shows(desk, "#cases", REF)


async def test_the_key_is_forgotten_after_the_idle_time(folder: Folder, tmp_path: Path) -> None:
    async with browser(tmp_path) as desk:
        await open_page(desk, "en", "&idle-seconds=4")
        await open_key(desk, folder.protected_key, PASSPHRASE)
        await shows(desk, "#key-state", "Key open")
        await drop(desk, folder.case_files[:2])
        await desk.page.click(f"tr[data-reference='{REF}']")
        await desk.page.wait_for_selector("#key-state:text('No key open')", timeout=15_000)
        assert "Locked after 15 minutes" in await text_of(desk, "#notice")
        assert await desk.page.locator("#case, #cases").count() == 0
        assert "1 file(s) wait for your key." in await text_of(desk, "#drop")


async def test_typed_html_stays_text(tmp_path: Path) -> None:
    keys = staff_keys(tmp_path)
    hostile = '<img src="https://example.invalid/x.png"><script>alert(1)</script>'
    sealed = tmp_path / "KZ-AB12-CD34.age"
    sealed.write_bytes(small_case("KZ-AB12-CD34", keys.public, "KZ", "released", 3, hostile))
    async with browser(tmp_path) as desk:
        url = await open_page(desk)
        await open_key(desk, keys.plain)
        await drop(desk, [sealed])
        await shows(desk, "#cases", hostile)
        await desk.page.click("tr[data-reference='KZ-AB12-CD34']")
        assert hostile in await text_of(desk, "#summary")
        assert await desk.page.locator("img").count() == 0
        assert network(desk, url) == []


@contextlib.contextmanager
def served() -> Iterator[DeskServer]:
    server = DeskServer(0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


async def test_the_served_page_asks_for_nothing_but_itself(folder: Folder, tmp_path: Path) -> None:
    with served() as server:
        async with browser(tmp_path, 390, 844) as desk:
            response = await desk.page.goto(server.url)
            assert response is not None
            assert response.headers["content-security-policy"].startswith("default-src 'none'")
            assert response.headers["cache-control"] == "no-store"
            await open_key(desk, folder.plain_key)
            await drop(desk, [*folder.case_files, folder.signer.public])
            await desk.page.click(f"tr[data-reference='{REF}']")
            await desk.page.locator("#attachments img").nth(1).wait_for()
            assert network(desk, server.url) == []
            assert desk.requests[0] == server.url


async def test_inside_telegram_the_page_uses_the_web_app_without_loading_its_script(
    folder: Folder, tmp_path: Path
) -> None:
    stub = """window.Telegram = { WebApp: { calls: [], initDataUnsafe: { user: { id: 9001,
        language_code: 'ru' } }, ready() { this.calls.push('ready') },
        expand() { this.calls.push('expand') } } };"""
    async with browser(tmp_path, 390, 844) as desk:
        await desk.page.add_init_script(stub)
        url = PAGE.as_uri()
        await desk.page.goto(url)
        assert await desk.page.evaluate("window.Telegram.WebApp.calls") == ["ready", "expand"]
        assert await desk.page.evaluate("document.documentElement.lang") == "ru"
        await open_key(desk, folder.plain_key)
        await drop(desk, folder.case_files[:2])
        await shows(desk, "#cases-panel", "Дела (1)")
        assert network(desk, url) == []


async def test_inside_telegram_without_its_script_the_page_reads_the_launch_fragment(
    folder: Folder, tmp_path: Path
) -> None:
    user = quote(json.dumps({"id": 9001, "language_code": "ru"}))
    fragment = "tgWebAppData=" + quote(f"user={user}&auth_date=1&hash=00&start_param={REF}")
    proxy = """window.TelegramWebviewProxy = { events: [],
        postEvent(name, data) { this.events.push(name) } };"""
    async with browser(tmp_path, 390, 844) as desk:
        await desk.page.add_init_script(proxy)
        url = PAGE.as_uri()
        await desk.page.goto(f"{url}#{fragment}")
        events = await desk.page.evaluate("window.TelegramWebviewProxy.events")
        assert events == ["web_app_ready", "web_app_expand"]
        assert await desk.page.evaluate("document.documentElement.lang") == "ru"
        assert await desk.page.evaluate("typeof window.Telegram") == "undefined"
        await open_key(desk, folder.plain_key)
        await drop(desk, folder.case_files[:2])
        await shows(desk, "#cases-panel", "Дела (1)")
        assert network(desk, url) == []


# ---- inside Telegram: the page served by the webhook front, a stand-in Telegram client -------


def telegram_client(store: dict[str, str] | None) -> str:
    """A script standing for the Telegram app around the page: it records the page's method
    calls (TelegramWebviewProxy.postEvent) and answers SecureStorage calls the way the apps do,
    by calling window.Telegram.WebView.receiveEvent; `store` None is a client without it."""
    return """
    window.TelegramWebviewProxy = { events: [], store: STORE,
      postEvent(name, data) {
        const d = data ? JSON.parse(data) : null;
        this.events.push([name, d]);
        if (!name.startsWith('web_app_secure_storage_')) return;
        const answer = (type, payload) =>
          setTimeout(() => window.Telegram.WebView.receiveEvent(type, payload), 5);
        if (this.store === null)
          return answer('secure_storage_failed', {req_id: d.req_id, error: 'UNSUPPORTED'});
        if (name === 'web_app_secure_storage_get_key')
          answer('secure_storage_key_received',
                 {req_id: d.req_id, value: this.store[d.key] ?? null, can_restore: false});
        if (name === 'web_app_secure_storage_save_key') {
          if (d.value === null) delete this.store[d.key]; else this.store[d.key] = d.value;
          answer('secure_storage_key_saved', {req_id: d.req_id});
        }
      } };""".replace("STORE", json.dumps(store))


def launch_fragment(signed: str, version: str = "9.1") -> str:
    """What Telegram appends to a Mini App's URL: the signed initData, the client's version."""
    return (
        f"tgWebAppData={quote(signed, safe='')}&tgWebAppVersion={version}&tgWebAppPlatform=android"
    )


async def events(desk: Desk) -> list[list[object]]:
    result: list[list[object]] = await desk.page.evaluate("window.TelegramWebviewProxy.events")
    return result


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_inside_telegram_the_served_page_fetches_its_case_and_opens_it_there(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam], tmp_path: Path
) -> None:
    team = teams["kz"]
    person = Complainant(standin, standin.user(812, "Гульнара", language_code="ru"), "ru")
    async with running_bot(settings) as runtime:
        reference = await submit(person, report("KZ", "Сына избили в ИВС, ребро сломано"))
        await standin.wait_for(lambda: len(sealed_files(team)) == 1, 20)
        signer = tmp_path / "signer.pub"
        signer.write_bytes(runtime.receipt_key.public_key_file())
    key = tmp_path / "staff-key.age"
    key.write_bytes(protect_identity(team.identity, PASSPHRASE))
    outsider = standin.user(person_id(813), named("Бекзат")).user_id
    env = replica_env(settings, settings.resolved_database_url)
    front = Replica({**env, "MINI_APP_NAME": "desk"}, "mini-app")
    await front.start()
    try:
        page_url = f"{front.url}/desk/"
        async with browser(tmp_path, 390, 844) as desk:
            await desk.page.add_init_script(telegram_client(None))
            signed = init_data(team.member.user_id, start=reference)
            await desk.page.goto(f"{page_url}#{launch_fragment(signed)}")
            await shows(desk, "#remote", f"Дело {reference} пришло с сервера бота")
            await open_key(desk, key, PASSPHRASE)
            await shows(desk, "#answers", "Сына избили в ИВС, ребро сломано")  # shown at once
            assert "a police station in KZ" in await text_of(desk, "#summary")
            assert "SHA-256 проверен" in await text_of(desk, "#attachments")
            assert "Квитанция не проверена" in await text_of(desk, "#case")
            # Saving is not offered inside Telegram; the browser is, by the client's own link.
            assert await desk.page.locator("a[download]").count() == 0
            assert "Внутри Telegram файлы сохранить нельзя" in await text_of(desk, "#save-outside")
            await desk.page.click("#open-outside")
            assert ["web_app_open_link", {"url": page_url}] in await events(desk)
            ARTIFACTS.mkdir(exist_ok=True)
            await desk.page.locator("#save-outside").scroll_into_view_if_needed()
            await desk.page.screenshot(path=str(ARTIFACTS / "desk-mini-app-case-390x844.png"))
            await desk.page.click("#back")
            await drop(desk, [signer])
            badge = f"#cases tr[data-reference='{reference}'] td:last-child"
            await shows(desk, badge, "Квитанция проверена")  # the receipt served with the case
            await desk.page.screenshot(path=str(ARTIFACTS / "desk-mini-app-390x844.png"))
            asked = [u for u in desk.requests if not u.startswith("blob:")]
            assert sorted(set(asked)) == [page_url, f"{page_url}case/{reference}"]
            assert desk.errors == []

        for who, signed in {
            "forged": init_data(outsider, start=reference).replace(
                quote(f'"id": {outsider}'), quote(f'"id": {team.member.user_id}')
            ),
            "not staff": init_data(outsider, start=reference),
            "another coalition's staff": init_data(teams["kg"].member.user_id, start=reference),
        }.items():
            async with browser(tmp_path / who.replace(" ", "-"), 390, 844) as desk:
                await desk.page.add_init_script(telegram_client(None))
                await desk.page.goto(f"{page_url}#{launch_fragment(signed)}")
                await shows(desk, "#remote", f"Дело {reference} здесь вам недоступно")
                assert await desk.page.locator("#cases").count() == 0
                asked = [u for u in desk.requests if not u.startswith("blob:")]
                assert sorted(set(asked)) == [page_url, f"{page_url}case/{reference}"], who
    finally:
        await front.stop()


async def test_the_page_says_when_the_server_cannot_be_reached(tmp_path: Path) -> None:
    """The served page (with its policy) from a front that first cannot be reached, then
    refuses: Playwright answers for the front, so the page is what is tested here."""
    page, policy = served_page()
    front = "https://front.test/desk/"
    answers = ["unreachable", "refused"]

    async def case(route: Route) -> None:
        if answers.pop(0) == "unreachable":
            await route.abort("internetdisconnected")
        else:
            await route.fulfill(status=403, body="not available")

    async with browser(tmp_path, 390, 844) as desk:
        await desk.page.add_init_script(telegram_client(None))
        await desk.page.route(
            front,
            lambda route: route.fulfill(
                body=page, content_type="text/html", headers={"Content-Security-Policy": policy}
            ),
        )
        await desk.page.route(f"{front}case/*", case)
        signed = init_data(person_id(814), start=REF)
        await desk.page.goto(f"{front}#{launch_fragment(signed)}")
        await shows(desk, "#remote", f"чтобы загрузить дело {REF}. Проверьте соединение")
        await desk.page.click("#retry")
        await shows(desk, "#remote", f"Дело {REF} здесь вам недоступно")
        assert answers == []
        assert desk.errors == []


async def test_secure_storage_keeps_only_the_protected_key_and_the_passphrase_is_still_asked(
    folder: Folder, tmp_path: Path
) -> None:
    signed = init_data(person_id(815), start=REF).replace(quote('"ru"'), quote('"en"'))
    fragment = launch_fragment(signed)
    url = f"{PAGE.as_uri()}#{fragment}"
    async with browser(tmp_path / "first") as desk:
        await desk.page.add_init_script(telegram_client({}))
        await desk.page.goto(url)
        await desk.page.wait_for_function(
            "TelegramWebviewProxy.events.some(e => e[0] === 'web_app_secure_storage_get_key')"
        )
        await open_key(desk, folder.plain_key)  # a plain key: opened, never offered for keeping
        await shows(desk, "#key-state", "Key open")
        await desk.page.click("#lock")
        await desk.page.set_input_files("#identity", str(folder.protected_key))
        await desk.page.check("#remember")
        await desk.page.fill("#passphrase", PASSPHRASE)
        await desk.page.click("#unlock")
        await shows(desk, "#notice", "This key file is remembered on this phone")
        store = await desk.page.evaluate("window.TelegramWebviewProxy.store")
        saves = [e for e in await events(desk) if e[0] == "web_app_secure_storage_save_key"]
        assert len(saves) == 1  # the protected key only, once, when asked
    assert list(store) == ["complaint_desk_identity"]
    kept = base64.b64decode(store["complaint_desk_identity"])
    assert kept == folder.protected_key.read_bytes()
    assert b"AGE-SECRET-KEY" not in kept
    assert kept.startswith(b"age-encryption.org/v1\n-> scrypt ")

    async with browser(tmp_path / "later") as desk:
        await desk.page.add_init_script(telegram_client(store))
        await desk.page.goto(url)
        await desk.page.click("#use-remembered")
        await shows(desk, "#passphrase-form", "Passphrase of the key remembered on this phone")
        assert await desk.page.locator("#remember").count() == 0
        await desk.page.fill("#passphrase", "not the passphrase")
        await desk.page.click("#unlock")
        await shows(desk, "#notice", "Wrong passphrase")
        await desk.page.fill("#passphrase", PASSPHRASE)
        await desk.page.click("#unlock")
        await shows(desk, "#key-state", "Key open: the key remembered on this phone")
        await drop(desk, folder.case_files[:2])
        await shows(desk, "#cases", REF)
        await desk.page.click("#lock")
        await desk.page.click("#forget-remembered")
        await shows(desk, "#notice", "no longer remembered on this phone")
        assert await desk.page.evaluate("window.TelegramWebviewProxy.store") == {}
        assert await desk.page.locator("#use-remembered").count() == 0
        assert network(desk, PAGE.as_uri()) == []


@pytest.mark.parametrize("version", ["9.1", "8.0"])
async def test_without_secure_storage_keeping_the_key_is_not_offered(
    folder: Folder, tmp_path: Path, version: str
) -> None:
    signed = init_data(person_id(816), start=REF)
    async with browser(tmp_path) as desk:
        # 9.1 with a client that answers UNSUPPORTED; 8.0: too old to ask at all.
        await desk.page.add_init_script(telegram_client(None if version == "9.1" else {}))
        await desk.page.goto(f"{PAGE.as_uri()}#{launch_fragment(signed, version)}")
        await desk.page.set_input_files("#identity", str(folder.protected_key))
        await desk.page.wait_for_selector("#passphrase-form")
        await desk.page.wait_for_timeout(300)  # the client's answer has come by now
        asked = [e[0] for e in await events(desk)]
        assert ("web_app_secure_storage_get_key" in asked) == (version == "9.1")
        assert await desk.page.locator("#remember").count() == 0
        await desk.page.fill("#passphrase", PASSPHRASE)
        await desk.page.click("#unlock")
        await shows(desk, "#key-state", "staff-key.age")
        assert "web_app_secure_storage_save_key" not in [e[0] for e in await events(desk)]
