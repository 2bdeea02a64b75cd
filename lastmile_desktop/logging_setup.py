"""A rotating log file in the data folder, so a bug report has something to read.

The log holds no personal data: the database engine never puts SQL parameters into its
errors (``hide_parameters``), and every record is scrubbed of phone numbers, email
addresses and SQL parameter dumps before it is written (``scrub_personal_data``). Nor does
it hold a database password: URLs are shown masked (``storage.urls.masked_url``), and a
password left in a URL is rubbed out here too.
"""

from __future__ import annotations

import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

from lastmile_desktop.settings import log_dir

LOG_FILE_NAME = "lastmile.log"
PHONE_PLACEHOLDER = "[phone]"
EMAIL_PLACEHOLDER = "[email]"

# The password of a URL (scheme://login:PASSWORD@host), before the address rule reads
# "login:PASSWORD@host" as an email address.
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.\-]*://[^\s:/@]*:)[^\s/]+@", re.IGNORECASE)
URL_PASSWORD_PLACEHOLDER = "***"
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# SQLAlchemy's dump of the values bound to a statement, to the end of its line.
_SQL_PARAMETERS = re.compile(r"\[parameters: [^\n]*")
# 7 to 15 digits, written with spaces, dots, dashes, slashes or brackets between them, as
# people write phone numbers. Wide on purpose: a long count rubbed out costs less than a
# number left in. Not inside a word (an id such as "x1234567"), nor an ISO date.
_PHONE = re.compile(r"(?<!\w)\+?\(?\d(?:[ ().\-/]{0,2}\d){6,14}(?!\d)")
# Digits that are not a phone number: a date (2025-03-02 10...), a decimal (seconds.micro).
_NOT_A_PHONE = re.compile(r"\d{4}-\d{2}-\d{2}|\d+\.\d+$")


def _phone_or_date(match: re.Match[str]) -> str:
    text = match.group()
    return text if _NOT_A_PHONE.match(text) else PHONE_PLACEHOLDER


def scrub_personal_data(text: str) -> str:
    """``text`` without phone numbers, email addresses, SQL parameter dumps and passwords."""
    text = _SQL_PARAMETERS.sub("[parameters hidden]", text)
    text = _URL_PASSWORD.sub(rf"\g<1>{URL_PASSWORD_PLACEHOLDER}@", text)
    text = _EMAIL.sub(EMAIL_PLACEHOLDER, text)
    return _PHONE.sub(_phone_or_date, text)


class PersonalDataFilter(logging.Filter):
    """Rewrites each record, its traceback included, through ``scrub_personal_data``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        details = record.exc_text
        if details is None and record.exc_info:
            details = logging.Formatter().formatException(record.exc_info)
        for extra in (details, record.stack_info):
            if extra:
                message = f"{message}\n{extra}"
        record.msg = scrub_personal_data(message)
        record.args = None
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


class _LastMileLog(RotatingFileHandler):
    """The app's own handler, told apart from any other a host program installed."""


def configure_logging(directory: Path | None = None) -> Path:
    """Send the app's log to ``directory`` (the data folder's ``logs`` by default)."""
    path = (directory or log_dir()) / LOG_FILE_NAME
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _LastMileLog)]:
        if Path(handler.baseFilename) == path.resolve():
            return path
        root.removeHandler(handler)
        handler.close()
    handler = _LastMileLog(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PersonalDataFilter())
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path
