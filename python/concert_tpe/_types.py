"""Plain Python types the native module hands out."""

import enum


class Status(str, enum.Enum):
    """Whether the thing happened. ``IN_DOUBT`` is never "declined": ask the
    terminal (``Terminal.status()``) before trying again."""

    APPROVED = "approved"
    DECLINED = "declined"
    ABORTED = "aborted"
    NOT_PERFORMED = "not_performed"
    PENDING = "pending"
    IN_DOUBT = "in_doubt"

    def __str__(self) -> str:
        return self.value
