"""An outcome reported as saved survives the process being killed at any moment."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import uuid
from pathlib import Path

from sqlalchemy import select

from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.models import CallAttempt, CampaignMember
from tests.calling.desk_data import Person, build_region, uk_mobile, utc

ROOT = Path(__file__).resolve().parents[2]
AT = utc(2025, 1, 15, 12, 0)
KILLS = 6


def run_until_killed(db_url: str, rng: random.Random) -> list[str]:
    """Start the worker, SIGKILL it after a random number of saves plus a random pause
    (often in the middle of the next save), and return every line it printed."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.calling.durability_worker", db_url, AT.isoformat()],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert worker.stdout is not None
    lines: list[str] = []
    saves_before_kill = rng.randint(1, 12)
    enough = threading.Event()

    def read() -> None:
        assert worker.stdout is not None
        for line in worker.stdout:
            lines.append(line.strip())
            if len(lines) >= saves_before_kill:
                enough.set()
        enough.set()

    reader = threading.Thread(target=read)
    reader.start()
    enough.wait(timeout=120)
    # A moment between zero and about one save: the kill lands anywhere in the next one.
    threading.Event().wait(rng.uniform(0, 0.05))
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    reader.join(timeout=30)
    return lines


def saved_attempts(db: Database) -> set[str]:
    with db.read_session() as session:
        return {str(value) for value in session.scalars(select(CallAttempt.uuid))}


def test_every_outcome_reported_saved_is_there_after_a_kill(db: Database, db_url: str) -> None:
    build_region(db, [Person(f"P{n:03d}", uk_mobile(n)) for n in range(200)])
    db.dispose()
    rng = random.Random(20250115)
    reported: set[str] = set()

    for _ in range(KILLS):
        lines = run_until_killed(db_url, rng)
        assert "queue empty" not in lines
        reported |= {line.removeprefix("saved ") for line in lines if line.startswith("saved ")}

        if db.path is not None:
            with sqlite3.connect(db.path) as raw:
                assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            raw.close()
        reopened, _ = open_database(db_url)
        try:
            on_disk = saved_attempts(reopened)
            with reopened.read_session() as session:
                counted = sum(session.scalars(select(CampaignMember.attempts)))
        finally:
            reopened.dispose()
        assert reported <= on_disk
        # A save is whole or absent: the members' counts match the attempts on disk.
        assert counted == len(on_disk)

    assert len(reported) >= KILLS
    assert all(uuid.UUID(value) for value in reported)
