"""Persistence and encryption at rest. Knows nothing of Telegram or of the bot.

Exceptions raised here derive from StorageError:
- Unreadable: a ciphertext cannot be opened (wrong key, wrong row, tampered, truncated). One
  opaque error for every cause, as Fernet does.
- KeyFileError: the server key file is missing, unreadable or malformed.
"""

from storage.errors import KeyFileError, StorageError, Unreadable

__all__ = ["KeyFileError", "StorageError", "Unreadable"]
