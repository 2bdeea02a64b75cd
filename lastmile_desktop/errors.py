"""Errors a user can act on. Anything else is a bug and is reported as one."""


class UserFacingError(Exception):
    """A problem the user can fix; the message says what happened and what to do."""


class DatabaseLocationError(UserFacingError):
    pass


class DatabaseFileError(UserFacingError):
    """The database file cannot be used as it is: not a database, damaged, read-only, newer."""


class DatabaseBusyError(UserFacingError):
    """Another window or program held the database's write lock for longer than we wait."""


class DiskFullError(UserFacingError):
    """The disk (or the database's size limit) is full; the unfinished change was undone."""


class Cancelled(Exception):
    """Raised inside long work when the user pressed Cancel."""
