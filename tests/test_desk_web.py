"""The browser desk's Python side: generated data, the built page, desk serve, and the Mini App
checks the webhook front will mount (initData verification, who may fetch a sealed file)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from babel.messages.pofile import read_po

from bot.cases.coalitions import Coalition, CoalitionDirectory
from bot.desk.export import build_table
from bot.desk.labels import Words
from bot.desk_web import columns, page_bytes
from bot.desk_web.data import ROOT, generated_files, page_msgids
from bot.desk_web.init_data import (
    InitDataRejected,
    MiniAppUser,
    may_fetch_sealed,
    mini_app_link,
    sign_init_data,
    verify_init_data,
)
from bot.desk_web.serve import DeskServer
from bot.i18n.catalogs import default_locales_dir
from bot.intake.loader import load_form

TOKEN = "123456789:AAEtesttesttesttesttesttesttest12"
NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
RECIPIENT = "age1" + "q" * 58
FORM = load_form()


def init_data(user_id: int = 9001, *, age: dt.timedelta = dt.timedelta(minutes=2)) -> str:
    fields = {
        "auth_date": str(int((NOW - age).timestamp())),
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps({"id": user_id, "first_name": "Айгерим", "language_code": "ru"}),
        "start_param": "KZ-7G4M-Q2XD",
    }
    return urlencode({**fields, "hash": sign_init_data(fields, TOKEN)}, quote_via=quote)


def test_genuine_init_data_names_the_user() -> None:
    user = verify_init_data(init_data(), TOKEN, NOW)
    assert user == MiniAppUser(9001, "ru", NOW - dt.timedelta(minutes=2), "KZ-7G4M-Q2XD")


def test_forged_init_data_is_refused() -> None:
    genuine = init_data(9001)
    forged = genuine.replace(quote('"id": 9001'), quote('"id": 9002'))
    assert forged != genuine
    with pytest.raises(InitDataRejected, match="forged"):
        verify_init_data(forged, TOKEN, NOW)
    with pytest.raises(InitDataRejected, match="forged"):
        verify_init_data(genuine, "987654321:AAEanotherbotsanotherbotsanother", NOW)
    without_hash = "&".join(p for p in genuine.split("&") if not p.startswith("hash="))
    with pytest.raises(InitDataRejected):
        verify_init_data(without_hash, TOKEN, NOW)
    with pytest.raises(InitDataRejected):
        verify_init_data(genuine + "&user=%7B%22id%22%3A1%7D", TOKEN, NOW)
    with pytest.raises(InitDataRejected):
        verify_init_data("%%%", TOKEN, NOW)


def test_expired_and_future_init_data_is_refused() -> None:
    with pytest.raises(InitDataRejected, match="expired"):
        verify_init_data(init_data(age=dt.timedelta(hours=2)), TOKEN, NOW)
    assert verify_init_data(init_data(age=dt.timedelta(hours=2)), TOKEN, NOW, dt.timedelta(days=1))
    with pytest.raises(InitDataRejected, match="future"):
        verify_init_data(init_data(age=-dt.timedelta(hours=1)), TOKEN, NOW)


def test_only_staff_of_the_case_coalition_may_fetch_its_sealed_file() -> None:
    directory = CoalitionDirectory(
        coalitions=[
            Coalition(id="kz", name="KZ coalition", countries=["KZ"], staff_chat_id=-1,
                      staff_user_ids=[9001], recipients=[RECIPIENT]),
            Coalition(id="kg", name="KG coalition", countries=["KG"], staff_chat_id=-2,
                      staff_user_ids=[9002], recipients=[RECIPIENT]),
        ],
        fallback="kz",
    )  # fmt: skip
    kz_staff = verify_init_data(init_data(9001), TOKEN, NOW)
    kg_staff = verify_init_data(init_data(9002), TOKEN, NOW)
    stranger = verify_init_data(init_data(4242), TOKEN, NOW)
    assert may_fetch_sealed(kz_staff, "kz", directory)
    assert not may_fetch_sealed(kg_staff, "kz", directory)
    assert not may_fetch_sealed(stranger, "kz", directory)
    assert not may_fetch_sealed(kz_staff, None, directory)  # no such case
    assert not may_fetch_sealed(kz_staff, "removed", directory)


def test_generated_desk_data_is_fresh() -> None:
    for path, content in generated_files().items():
        assert path.read_text("utf-8") == content, f"{path.name} is stale: make desk"


def test_the_columns_are_those_of_desk_export() -> None:
    export = build_table([], FORM, Words("en", FORM))
    assert [c["name"] for c in columns()] == [c.id for c in export.columns]
    assert [c["free_text"] for c in columns()] == [c.free_text for c in export.columns]
    kinds = {c["name"]: c["kind"] for c in columns()}
    assert kinds["e_authority.police"] == "choice"
    assert kinds["v_status_now__label"] == "label"
    assert kinds["e_date__precision"] == "precision"
    assert kinds["classification"] == "staff"


def test_the_desk_template_holds_every_word_of_the_page_and_russian_has_them_all() -> None:
    with (default_locales_dir() / "browser.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    assert template == page_msgids(ROOT / "desk" / "src"), "run `make browser-messages`"
    with (default_locales_dir() / "ru" / "LC_MESSAGES" / "browser.po").open("rb") as handle:
        russian = {m.id: m.string for m in read_po(handle) if m.id}
    assert {i for i in template if not russian.get(i)} == set()
    for msgid, text in russian.items():
        assert set(re.findall(r"\{\w+\}", str(msgid))) == set(re.findall(r"\{\w+\}", str(text)))


def test_the_page_allows_exactly_its_own_script() -> None:
    html = page_bytes().decode()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert policy is not None
    script = html.split("<script>", 1)[1].rsplit("</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy.group(1)
    assert "default-src 'none'" in policy.group(1)


@pytest.mark.skipif(
    not (ROOT / "desk" / "node_modules").exists() and not os.environ.get("CI"),
    reason="desk/node_modules is missing (make desk): the built page is not compared",
)
def test_the_checked_in_page_is_built_from_the_sources(tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node is not None, "node is needed to build the desk"
    out = tmp_path / "desk.html"
    subprocess.run(
        [node, "build.mjs"], cwd=ROOT / "desk", check=True, capture_output=True,
        env={**os.environ, "DESK_OUT": str(out)},
    )  # fmt: skip
    assert out.read_bytes() == page_bytes(), "desk/dist/desk.html is stale: make desk"


@pytest.fixture
def server() -> Iterator[DeskServer]:
    running = DeskServer(0)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()


def test_desk_serve_hands_out_the_page_on_loopback_only(server: DeskServer) -> None:
    assert server.server_address[0] == "127.0.0.1"
    with urllib.request.urlopen(server.url) as response:  # noqa: S310 (loopback)
        assert response.read() == page_bytes()
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(server.url + "case.age")  # noqa: S310
    assert missing.value.code == 404
    rebound = urllib.request.Request(server.url, headers={"Host": "desk.example:80"})  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(rebound)  # noqa: S310
    assert refused.value.code == 421


def test_the_staff_card_links_to_the_mini_app_with_the_reference() -> None:
    link = mini_app_link("complaint_bot", "desk", "KZ-7G4M-Q2XD")
    assert link == "https://t.me/complaint_bot/desk?startapp=KZ-7G4M-Q2XD"
    with pytest.raises(ValueError, match="start parameter"):
        mini_app_link("complaint_bot", "desk", "KZ 7G4M")


def test_the_page_carries_a_strict_policy_and_no_outside_reference() -> None:
    html = page_bytes().decode()
    assert (ROOT / "desk" / "dist" / "desk.html").read_text() == html
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'' in html
    policy = html.split('http-equiv="Content-Security-Policy" content="')[1].split('"')[0]
    assert "script-src 'sha256-" in policy
    assert "'unsafe-eval'" not in policy
    assert "connect-src" not in policy
    for outside in ("https://", "http://", "//telegram.org", "@import", "url("):
        # The one address in the page: Telegram Web's origin, which its messages to the client
        # are posted to and events are accepted from (window.postMessage, not a request).
        assert outside not in html.replace('"https://web.telegram.org"', ""), outside
    assert html.count("<script") == 1


def test_artifacts_are_not_committed() -> None:
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "tests/artifacts/" in ignored
