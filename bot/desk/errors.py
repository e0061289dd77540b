"""The one error the desk raises: its message is one line a staff member can act on."""


class DeskError(Exception):
    """Opening, exporting or counting failed; the message says what to do."""
