"""The periodic jobs: one table read by Celery beat (``settings.CELERY_BEAT_SCHEDULE``), by
``manage.py run_periodic`` (cron-only sites) and by each job's own command. No Django imports: the settings
module reads it.

Each job is a function taking no required argument, safe to run twice (the apps' sweeps are idempotent by
design), returning a small JSON-able summary (counts). ``core.periodic.execute`` runs one and records it.
"""

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Job:
    name: str
    #: Dotted path of the function.
    function: str
    every: timedelta
    #: The management command that runs it alone (``manage.py <command>``).
    command: str
    description: str
    #: Longest a run may take: its lease in the database and its Celery time limit.
    timeout: timedelta = timedelta(hours=1)


JOBS: tuple[Job, ...] = (
    Job(
        "desk.sweep_deadlines",
        "nqihub.desk.services.sweep_deadlines",
        timedelta(minutes=30),
        "sweep_deadlines",
        "服务需求超期标记、升级督办与到期预警",
        timeout=timedelta(minutes=25),
    ),
    Job(
        "metrology.send_reminders",
        "nqihub.metrology.reminders.sweep",
        timedelta(hours=6),
        "send_reminders --only metrology",
        "计量器具检定/校准到期提醒",
    ),
    Job(
        "certification.send_reminders",
        "nqihub.certification.reminders.sweep",
        timedelta(hours=6),
        "send_reminders --only certification",
        "认证证书到期与监督审核提醒",
    ),
    Job(
        "core.sweep_imports",
        "nqihub.core.imports.sweep",
        timedelta(hours=6),
        "sweep_imports",
        "导入任务维护：重新排队、标记中断、删除过期任务与无任务读取的上传文件",
        timeout=timedelta(minutes=30),
    ),
    Job(
        "labels.sweep_photos",
        "nqihub.labels.photo_jobs.sweep",
        timedelta(hours=1),
        "sweep_label_photos",
        "删除工作进程未读取的标签照片（label-photos/ 目录，超过 1 小时）",
        timeout=timedelta(minutes=10),
    ),
    Job(
        "core.archive_audit",
        "nqihub.core.audit_archive.archive_all",
        timedelta(hours=24),
        "archive_audit",
        "超过保存期限的审计日志签名归档后删除",
    ),
    Job(
        "stats.upkeep",
        "nqihub.stats.upkeep.reconcile",
        timedelta(hours=24),
        "stats_upkeep",
        "统计汇总与服务需求核对、修复",
    ),
    Job(
        "notifications.send_digests",
        "nqihub.notifications.digest.send_daily_digests",
        timedelta(hours=1),
        "send_digests",
        "每日通知摘要邮件（每位选择摘要的用户每天一封，8 时后发送）",
        timeout=timedelta(minutes=30),
    ),
)

BY_NAME = {job.name: job for job in JOBS}

#: The one Celery task beat sends (``nqihub.celery.periodic_job``); its argument is the job's name.
TASK_NAME = "nqihub.periodic"


def beat_schedule() -> dict:
    return {
        job.name: {
            "task": TASK_NAME,
            "schedule": job.every.total_seconds(),
            "args": (job.name,),
            # A beat tick that no worker picks up before the next one is dropped, not piled up.
            "options": {"expires": job.every.total_seconds()},
        }
        for job in JOBS
    }
