"""The staff desk: sealed cases turned into work on a staff member's own device, never the server.

One idea per module: `limits` (what a package may hold), `folders` (private writes), `sealed`
(opening in memory), `receipts` (the bot's signature), `report` (report.html), `opening`
(`desk open`), `export` (spreadsheets), `stats` / `charts` / `pdf` (published figures), `refer`
(re-sealing to another body).
"""

from bot.desk.errors import DeskError
from bot.desk.opening import OpenedCase, open_sealed_file

__all__ = ["DeskError", "OpenedCase", "open_sealed_file"]
