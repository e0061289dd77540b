"""File names and types that enter a package: cleaned once, typed by content."""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath

import pytest

from bot.cases.filetypes import member_name
from tests.test_e2e_hostile import HOSTILE_NAMES, MEMBER, stays_inside

TEXT = b"plain words\n"


@pytest.mark.parametrize("name", [*HOSTILE_NAMES, "", ".", "..", "....", "x" * 500, "фото.jpg"])
def test_every_member_name_is_whitelisted_under_windows_and_posix_rules(name: str) -> None:
    member = member_name(3, name, TEXT)
    assert MEMBER.match(member), member
    assert stays_inside(member)
    for pure in (PureWindowsPath, PurePosixPath):
        assert pure("case") / member == pure("case", *member.split("/"))
    assert member.startswith("attachments/03-")
    assert len(member) < 90


def test_the_extension_comes_from_the_content_not_the_name() -> None:
    assert member_name(1, "scan.pdf", b"%PDF-1.7\n...").endswith("-scan.pdf")
    assert member_name(1, "invoice.pdf.exe", b"%PDF-1.4").endswith("-invoice_pdf.pdf")
    assert member_name(1, "photo.svg", b"\xff\xd8\xff\xe0rest").endswith("-photo.jpg")
    assert member_name(1, "page.jpg", b"<html><script>x</script>").endswith("-page.bin")
    assert member_name(1, "x.exe", b"MZ\x90\x00\x03\x00\x00\x00").endswith("-x.bin")


def test_office_documents_with_macros_or_remote_parts_are_refused() -> None:
    from bot.cases.filetypes import DOCX, ODT, detect
    from tests.test_e2e_hostile import docx, odt

    assert detect(docx()) == DOCX
    assert detect(odt()) == ODT
    assert detect(docx({"word/vbaProject.bin": "x"})) is None
    assert detect(docx(content_types=".macroEnabled")) is None
    template = (
        '<Relationships><Relationship Id="r1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/attachedTemplate" Target="https://evil.example/t.dotm" '
        'TargetMode="External"/></Relationships>'
    )
    assert detect(docx({"word/_rels/settings.xml.rels": template})) is None
    link = template.replace("attachedTemplate", "hyperlink")
    assert detect(docx({"word/_rels/document.xml.rels": link})) == DOCX
    assert detect(b"PK\x03\x04 not really a zip") is None
    assert detect(b"<?xml version='1.0'?><svg/>") is None
    assert detect(b"\xef\xbb\xbf  <html>") is None
    assert detect(b"text with a \x1b[31m terminal escape") is None
