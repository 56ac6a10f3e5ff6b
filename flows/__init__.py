"""Prefect flows composed from the stages in wirehouse.tasks."""

from wirehouse.prefect_env import quiet_prefect

quiet_prefect()
