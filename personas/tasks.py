"""The personas' tasks: each takes ids and calls one function of personas/fits.py."""

from celery import shared_task

from personas.fits import fits_refresh_in_turn, fits_sweep


@shared_task
def fits_refresh_task(organization_id: int) -> None:
    fits_refresh_in_turn(organization_id=organization_id)


@shared_task
def fits_sweep_task() -> None:
    """Whatever a lost message or a Redis outage left marked (the beat runs it each minute)."""
    fits_sweep()
