"""``manage.py sweep_deadlines [--date YYYY-MM-DD]``: flag overdue service requests, escalate them to the
regulator above, warn of tomorrow's deadlines and of overdue rectifications (the Celery beat job
``desk.sweep_deadlines`` runs the same, every 30 minutes). Safe to run twice."""

from nqihub.core.periodic import JobCommand


class Command(JobCommand):
    help = "服务需求超期标记、升级督办与到期预警（可重复运行）。"
    job_name = "desk.sweep_deadlines"
    takes_date = True
