"""The coalitions file, routing and references."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.cases.coalitions import CoalitionDirectory, route
from bot.cases.directory_file import CoalitionsError, load_coalitions, write_demo_coalitions
from bot.cases.reference import PATTERN, new_reference, normalise_reference
from storage.sealing import AgeKeys, new_identity

KEY = new_identity()[1]


def directory_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "coalitions": [
            {
                "id": "kz",
                "name": "KZ coalition",
                "countries": ["KZ"],
                "staff_chat_id": -1,
                "recipients": [KEY],
            },
            {
                "id": "tj",
                "name": "TJ coalition",
                "countries": ["TJ"],
                "staff_chat_id": -2,
                "recipients": [KEY],
            },
            {
                "id": "intl",
                "name": "Partner",
                "staff_chat_id": -3,
                "recipients": [KEY],
                "reference_code": "XX",
            },
        ],
        "fallback": "intl",
    }
    data.update(changes)
    return data


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "coalitions.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_valid_file_loads(tmp_path: Path) -> None:
    directory = load_coalitions(write(tmp_path, directory_data()), AgeKeys())
    assert [c.id for c in directory.coalitions] == ["kz", "tj", "intl"]


def single(country: str = "KZ", key: str = KEY, coalition_id: str = "kz") -> dict[str, object]:
    entry = {"id": coalition_id, "name": "Coalition", "countries": [country]}
    return entry | {"staff_chat_id": -1, "recipients": [key]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fallback": "nowhere"}, "fallback 'nowhere' is not one of the coalitions"),
        ({"fallback": None}, "fallback"),
        ({"coalitions": [single(), single()], "fallback": "kz"}, "duplicate coalition id: kz"),
        ({"coalitions": [single("QQ")], "fallback": "kz"}, "unknown country code QQ"),
        ({"coalitions": [single(key="age1notakey")], "fallback": "kz"}, "malformed key"),
        ({"coalitions": [single(key=KEY[:-1] + "q")], "fallback": "kz"}, "malformed key"),
        ({"coalitions": [single("kz")], "fallback": "kz"}, "countries.0"),
        ({"coalitions": [single(), single(coalition_id="k2")], "fallback": "kz"}, "routed to both"),
    ],
)
def test_mistakes_in_the_file_are_named(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    with pytest.raises(CoalitionsError) as caught:
        load_coalitions(write(tmp_path, directory_data(**change)), AgeKeys())
    assert message in str(caught.value)
    assert str(tmp_path) in str(caught.value)


def test_check_reports_a_broken_coalitions_file(tmp_path: Path) -> None:
    path = write(tmp_path, directory_data(fallback="nowhere"))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check"],
        env={"PATH": "/usr/bin:/bin", "COALITIONS_FILE": str(path), "HOME": str(tmp_path)},
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "fallback 'nowhere' is not one of the coalitions" in result.stdout


@pytest.fixture
def directory() -> CoalitionDirectory:
    return CoalitionDirectory.model_validate(directory_data())


def test_the_country_of_the_events_decides(directory: CoalitionDirectory) -> None:
    routing = route(directory, {"e_country": "TJ", "v_citizenship": "TJ"})
    assert (routing.coalition.id, routing.reference_prefix, routing.cross_border) == (
        "tj",
        "TJ",
        False,
    )


def test_anything_else_goes_to_the_fallback(directory: CoalitionDirectory) -> None:
    for answers in ({"e_country": "RU"}, {"e_country": "other"}, {}):
        routing = route(directory, answers)
        assert (routing.coalition.id, routing.reference_prefix) == ("intl", "XX")


def test_a_citizen_of_another_coalitions_country_is_flagged_cross_border(
    directory: CoalitionDirectory,
) -> None:
    assert route(directory, {"e_country": "RU", "v_citizenship": "TJ"}).cross_border
    assert route(directory, {"e_country": "KZ", "v_citizenship": "TJ"}).cross_border
    assert not route(directory, {"e_country": "KZ", "v_citizenship": "RU"}).cross_border


def test_references_are_random_crockford_and_read_leniently() -> None:
    references = {new_reference("KZ") for _ in range(2000)}
    assert len(references) == 2000
    assert all(PATTERN.match(r) for r in references)
    sample = sorted(references)[0]
    assert normalise_reference(sample.lower()) == sample
    assert normalise_reference("KZ-0O1I-L000") == "KZ-0011-1000"
    assert normalise_reference("hello") is None


def test_the_demo_file_is_valid_and_marked_demo(tmp_path: Path) -> None:
    written = write_demo_coalitions(tmp_path / "demo.yaml", tmp_path / "keys", AgeKeys())
    directory = load_coalitions(tmp_path / "demo.yaml", AgeKeys())
    assert directory.is_demo
    assert all(c.name.startswith("[DEMO]") for c in directory.coalitions)
    assert {c.id for c in directory.coalitions} == {w[0] for w in written}
    assert (tmp_path / "keys" / "kz.demo-key.txt").stat().st_mode & 0o777 == 0o600


def test_check_warns_of_a_coalition_nobody_can_act_for(tmp_path: Path) -> None:
    data = directory_data()
    coalitions = data["coalitions"]
    assert isinstance(coalitions, list)
    for coalition in coalitions[1:]:
        coalition["staff_user_ids"] = [9001]
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check"],
        env={"PATH": "/usr/bin:/bin", "COALITIONS_FILE": str(write(tmp_path, data)),
             "HOME": str(tmp_path)},
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert "kz has no staff_user_ids" in result.stdout
    assert "tj has no staff_user_ids" not in result.stdout
