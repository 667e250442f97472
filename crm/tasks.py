from celery import shared_task

from crm.services.import_jobs import import_job_run


@shared_task(soft_time_limit=3600, time_limit=3700)
def import_job_run_task(job_id: int) -> None:
    import_job_run(job_id=job_id)
