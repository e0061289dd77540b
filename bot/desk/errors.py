"""The one error the desk raises: its message is one line a staff member can act on."""


class DeskError(Exception):
    """Opening, exporting or counting failed; the message says what to do."""


class IdentityError(DeskError):
    """The staff identity cannot be read or unlocked: no other file will open either."""
