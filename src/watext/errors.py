"""Typed errors of watext.

::

    WatextError
    ├── ConfigError              bad settings, arguments or rule files
    │   └── ValidationError      a request names unknown labels, actions or an empty reviewer
    ├── NotFoundError            no such passage (or other stored thing)
    ├── ServiceError             watext serve cannot start, or a process of it stopped unexpectedly
    ├── StoreError               the database cannot be used
    ├── ModelMismatchError       a saved model does not fit this code (labels, library versions)
    ├── ConflictError            a review was saved on top of a state the reviewer had not seen
    └── InputError               one input file cannot be turned into a Document
        ├── EmptyFileError       zero bytes, or no text at all after extraction
        ├── TooLargeError        file size, page count, archive size or memory over a limit
        ├── TooSlowError         reading the file took longer than its time limit
        ├── TooDeepError         nesting deeper than the reader follows
        ├── OutsideInputError    a symbolic link leading outside the given paths
        ├── UnreadableError      no permission, a link loop, or a vanished entry
        ├── ArchiveBombError     compressed container that expands suspiciously
        ├── UnsupportedFormatError  content is no format watext reads
        ├── EncryptedError       password-protected file
        ├── CorruptFileError     truncated or damaged file (ExtractionError)
        └── NeedsOCRError        no text layer; OCR not available or failed

Every ``InputError`` carries ``code`` (a stable machine-readable reason id) and a
message written for the person who dropped the file in the folder. Adapters translate
their parser library's exceptions into these, chaining the original (``raise ... from``).
"""

from __future__ import annotations

__all__ = [
    "ArchiveBombError",
    "ConfigError",
    "ConflictError",
    "CorruptFileError",
    "EmptyFileError",
    "EncryptedError",
    "ExtractionError",
    "InputError",
    "ModelMismatchError",
    "NeedsOCRError",
    "NotFoundError",
    "StoreError",
    "OutsideInputError",
    "ServiceError",
    "TooDeepError",
    "TooLargeError",
    "TooSlowError",
    "UnreadableError",
    "UnsupportedFormatError",
    "ValidationError",
    "WatextError",
]


class WatextError(Exception):
    """Root of all watext errors."""


class ConfigError(WatextError):
    pass


class ValidationError(ConfigError):
    """A request that cannot be carried out as asked (HTTP 400 on the review page)."""


class NotFoundError(WatextError):
    """What was asked for is not stored (HTTP 404 on the review page)."""


class StoreError(WatextError):
    pass


class ServiceError(WatextError):
    """``watext serve`` cannot start, or one of its processes stopped unexpectedly."""


class ModelMismatchError(WatextError):
    """A saved model was made for other labels or library versions; retrain it."""


class ConflictError(WatextError):
    """A correction was based on an outdated revision of a passage's review state.

    ``current`` holds the state that is stored now (the other reviewer's change), so the
    caller can show it instead of silently overwriting it.
    """

    def __init__(self, message: str, current: dict | None = None) -> None:
        super().__init__(message)
        self.current = current or {}


class InputError(WatextError):
    """A single input file could not be ingested. Stored with its reason; the batch goes on."""

    code = "input_error"


class EmptyFileError(InputError):
    code = "empty"


class TooLargeError(InputError):
    code = "too_large"


class TooSlowError(InputError):
    code = "too_slow"


class TooDeepError(InputError):
    code = "too_deep"


class OutsideInputError(InputError):
    code = "outside_input"


class UnreadableError(InputError):
    code = "unreadable"


class ArchiveBombError(InputError):
    code = "archive_bomb"


class UnsupportedFormatError(InputError):
    code = "unsupported_format"


class EncryptedError(InputError):
    code = "encrypted"


class CorruptFileError(InputError):
    code = "corrupt"


#: Alias used by the adapters: a parser library failed on the file's content.
ExtractionError = CorruptFileError


class NeedsOCRError(InputError):
    code = "needs_ocr"
