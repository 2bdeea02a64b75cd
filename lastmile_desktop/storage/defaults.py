"""Campaign defaults and field length limits: written once, read by the model, the services,
the editors and the demo.

They live beside the model (the lowest layer) because the model's column sizes and column
defaults are these numbers; every layer above imports them from here.
"""

from __future__ import annotations

from datetime import time
from typing import Final

# --- how long a text field may be (the model's String sizes) ---------------------------------
NAME_MAX_LENGTH: Final = 200  # a person's first or last name, a manager, a store, a campaign
EMAIL_MAX_LENGTH: Final = 254  # the longest address the mail standards allow
PHONE_MAX_LENGTH: Final = 32  # E.164 is at most 16 characters; room for an extension
CUSTOMER_ID_MAX_LENGTH: Final = 64  # head office's customer id
OFFER_CODE_MAX_LENGTH: Final = 64
STORE_CODE_MAX_LENGTH: Final = 32
TIMEZONE_MAX_LENGTH: Final = 64  # an IANA zone name
# Several IANA names a number may be in, comma-separated (a call attempt records them).
TIMEZONES_MAX_LENGTH: Final = 400
OUTCOME_CODE_MAX_LENGTH: Final = 32
REASON_CODE_MAX_LENGTH: Final = 32
PINNED_NOTE_MAX_LENGTH: Final = 500  # a line or two on the customer card
CALL_NOTE_MAX_LENGTH: Final = 2000
DESK_ID_MAX_LENGTH: Final = 200  # who holds a customer on screen: login@computer/process/session

# --- a new campaign ----------------------------------------------------------------------------
DEFAULT_ATTRIBUTION_WINDOW_DAYS: Final = 30  # a purchase this long after a call counts for it
DEFAULT_MAX_ATTEMPTS: Final = 3  # counted attempts before a customer leaves the queue
DEFAULT_COOL_DOWN_HOURS: Final = 20  # between two attempts on one customer
DEFAULT_HOLDOUT_SHARE: Final = 0.10  # of each store's list, never called
# Calls are offered between these times in the customer's own local time.
DEFAULT_CALLING_HOURS_START: Final = time(8, 0)
DEFAULT_CALLING_HOURS_END: Final = time(21, 0)

# Bounds the campaign editor and the command line accept.
MAX_ATTRIBUTION_WINDOW_DAYS: Final = 365
MAX_ATTEMPTS_LIMIT: Final = 20
MAX_COOL_DOWN_HOURS: Final = 24 * 30
MAX_HOLDOUT_SHARE: Final = 0.9


def minutes_of_day(moment: time) -> int:
    """A time of day as minutes after midnight: how the database keeps calling hours."""
    return moment.hour * 60 + moment.minute


def time_of_day(minutes: int) -> time:
    """The inverse of ``minutes_of_day``; 1440 (the end of the day) reads as 23:59."""
    if minutes >= 24 * 60:
        return time(23, 59)
    return time(minutes // 60, minutes % 60)
