"""The events a notification can be about: code → label (for the preferences page and the inbox).

``notify`` accepts any well-formed code (``app.thing.what``); a code missing here still works, with the
default channels, and is logged so that it gets a label. Add new events here.
"""

import re

from django.utils.translation import gettext_lazy as _

#: The user's default row in ``NotificationPreference`` (applies to every event without its own row).
DEFAULT_EVENT = "*"

EVENTS = {
    "desk.assignment.created": _("收到新的工单（派单）"),
    "desk.assignment.accepted": _("工单已被接受"),
    "desk.assignment.declined": _("工单被拒绝"),
    "desk.request.status_changed": _("服务需求状态变化"),
    "desk.request.deadline_warning": _("服务需求即将到期"),
    "desk.request.overdue": _("服务需求已超期"),
    "desk.request.rating_requested": _("请对服务进行评价"),
    "standards.changed": _("关注的标准发生变化"),
    "metrology.reminder": _("计量器具检定/校准提醒"),
    "metrology.booking": _("送检/校准预约状态变化"),
    "certification.reminder": _("认证证书到期提醒"),
    "testing.report_issued": _("检验检测报告已出具"),
    "testing.order.status_changed": _("检验委托单状态变化"),
    "testing.signoff.needed": _("检验报告待审核/批准"),
    "cooperatives.member.changed": _("合作社成员加入或退出"),
    "cooperatives.nonconformity": _("质量控制不合格项待整改"),
    "cooperatives.testing_plan": _("合作社免费检测计划"),
    "stats.report.submitted": _("统计报表已报送，待审批"),
    "stats.report.decided": _("统计报表已审批或退回"),
    "accounts.login.attacked": _("账户多次登录失败或被锁定"),
    "accounts.registration.pending": _("企业用户注册待确认"),
    "drafting.draft.status_changed": _("企业标准草案审查进展"),
    "cases.consent_requested": _("典型案例待企业同意公开"),
}

#: What the recipient of an event is asked to do (``Notification.action``). The view or service that does
#: it calls ``services.notification_action_done(obj=…, action=…)`` and the notification is read.
ACTIONS = {
    "desk.request.rating_requested": "rate",
    "desk.assignment.created": "assignment",
    "testing.signoff.needed": "signoff",
    "cases.consent_requested": "consent",
    "stats.report.submitted": "decide",
    "accounts.registration.pending": "registration",
}

EVENT_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
EVENT_CODE_MAX_LENGTH = 64


def is_event_code(code) -> bool:
    return isinstance(code, str) and len(code) <= EVENT_CODE_MAX_LENGTH and bool(EVENT_CODE_RE.match(code))


def label_of(code: str) -> str:
    return str(EVENTS.get(code, code))
