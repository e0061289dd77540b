"""The browser desk: its data files (columns, form, catalogs), the built page and its servers.

The page itself lives in `desk/` (TypeScript); `desk.html` here is its build, shipped in the
package so `complaint-bot desk serve` and the webhook front (`mini_app.py`) can hand it out.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

PAGE = "desk.html"
COLUMNS = "columns.json"


def page_bytes() -> bytes:
    """The built, self-contained desk page."""
    return resources.files(__package__).joinpath(PAGE).read_bytes()


def columns() -> list[dict[str, Any]]:
    """The columns of `desk export`'s cases.csv, as the browser desk fills them (generated)."""
    data = json.loads(resources.files(__package__).joinpath(COLUMNS).read_text("utf-8"))
    return list(data["columns"])
