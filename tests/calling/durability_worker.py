"""Run by the durability test in its own process: logs outcomes on the queue's first entry,
one after another, and prints each attempt's id once ``log_outcome`` has returned."""

from __future__ import annotations

import sys
from datetime import datetime

from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.calling.queue import build_queue
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import open_database

OUTCOMES = ("no_answer", "busy", "left_voicemail", "interested")


def main(path_or_url: str, at_text: str) -> None:
    db, _ = open_database(to_url(path_or_url))
    at = datetime.fromisoformat(at_text)
    lead = Profile.lead()
    count = 0
    while True:
        queue = build_queue(db, lead, at=at)
        if not queue.now:
            print("queue empty", flush=True)
            return
        entry = queue.now[0]
        outcome = OUTCOMES[count % len(OUTCOMES)]
        logged = log_outcome(db, lead, entry.member, outcome, at=at, expected_version=entry.version)
        print(f"saved {logged.attempt}", flush=True)
        count += 1


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
