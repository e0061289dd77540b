"""The storage exception tree."""


class StorageError(Exception):
    """Base of every error raised by the storage package."""


class Unreadable(StorageError):
    """A sealed value cannot be opened. Deliberately says nothing about why."""

    def __init__(self) -> None:
        super().__init__("sealed data cannot be opened")


class KeyFileError(StorageError):
    """The server key file cannot be used."""
