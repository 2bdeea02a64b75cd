"""Errors a user can act on. Anything else is a bug and is reported as one."""


class UserFacingError(Exception):
    """A problem the user can fix; the message says what happened and what to do."""


class DatabaseLocationError(UserFacingError):
    pass


class DatabaseFileError(UserFacingError):
    """The database file cannot be used as it is: not a database, damaged, read-only, newer."""


BUSY_MESSAGE = "The database is busy in another window or program; try again in a moment."


class DatabaseBusyError(UserFacingError):
    """Another window or program held the database's write lock for longer than we wait."""


class DatabaseUnreachableError(UserFacingError):
    """The database server could not be reached, or the connection to it was lost.

    Waiting may help (the network or the server comes back): nothing of the change that
    raised it was saved, unless the connection dropped during the commit itself.
    """

    def __init__(self, message: str, host: str | None = None, port: int | None = None) -> None:
        super().__init__(message)
        self.host = host
        self.port = port

    @property
    def server(self) -> str:
        """``host:port`` as the message names it."""
        return f"{self.host or 'localhost'}:{self.port or 5432}"


class DatabaseLoginError(UserFacingError):
    """The database server answered but refused the login or the database name."""


class DiskFullError(UserFacingError):
    """The disk (or the database's size limit) is full; the unfinished change was undone."""


class Cancelled(Exception):
    """Raised inside long work when the user pressed Cancel."""
