"""Errors a user can act on. Anything else is a bug and is reported as one."""


class UserFacingError(Exception):
    """A problem the user can fix; the message says what happened and what to do."""


class DatabaseLocationError(UserFacingError):
    pass


class Cancelled(Exception):
    """Raised inside long work when the user pressed Cancel."""
