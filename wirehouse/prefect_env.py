"""Prefect defaults for wirehouse: nothing leaves the machine, and the temporary server may start slowly.

Must run before prefect is imported; explicit environment variables still win.
"""

import os

DEFAULTS = {
    "DO_NOT_TRACK": "1",  # client telemetry
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",  # server heartbeat
    "PREFECT_SERVER_UI_ENABLED": "false",
    # a fresh PREFECT_HOME needs 15-18 s of migrations on 2 cores; the default 20 s is too tight
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}


def quiet_prefect() -> None:
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
