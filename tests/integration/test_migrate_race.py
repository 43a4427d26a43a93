"""Several hosts starting at once on a fresh database: one migrates, the others wait and find
the schema at head, and none fails half-way through someone else's DDL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from live_server import throwaway_database

from service import migrate

STARTERS = 4

_UPGRADE = "import sys; from service import migrate; migrate.upgrade(sys.argv[1])"


def test_hosts_starting_together_migrate_once(tmp_path: Path) -> None:
    with throwaway_database(tmp_path) as url:
        starters = [
            subprocess.Popen(
                [sys.executable, "-c", _UPGRADE, url],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(STARTERS)
        ]
        for starter in starters:
            _, err = starter.communicate(timeout=300)
            assert starter.returncode == 0, err[-2000:]
        assert migrate.current(url) == migrate.head()
