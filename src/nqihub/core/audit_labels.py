"""Audit actions in words: ``desk.request.dispatch`` → 服务需求 · 派单. The log keeps the stable code (it is
hashed into the chain and searched by prefix); people read the words, with the code as a hint."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

#: Objects (``app.object``) and apps on their own.
OBJECTS = {
    "accounts": _("账户"),
    "accounts.password": _("密码"),
    "accounts.second_factor": _("第二因素"),
    "accounts.token": _("API 令牌"),
    "admin.accounts.user": _("用户（管理后台）"),
    "cases.article": _("知识文章"),
    "cases.case": _("典型案例"),
    "certification.catalogue": _("CCC目录"),
    "certification.certificate": _("认证证书"),
    "certification.surveillance": _("监督审核"),
    "cooperatives.check_item": _("检查项目"),
    "cooperatives.checkpoint": _("检查点"),
    "cooperatives.cooperative": _("合作社"),
    "cooperatives.inspection": _("质量检查"),
    "cooperatives.label_template": _("标签模板"),
    "cooperatives.member": _("社员"),
    "cooperatives.nonconformity": _("不合格项"),
    "cooperatives.plan": _("质量计划"),
    "cooperatives.standard": _("团体标准"),
    "cooperatives.testing_plan": _("检测计划"),
    "core.audit": _("审计日志"),
    "core.keys": _("加密密钥"),
    "core.membership": _("成员身份"),
    "core.organisation": _("机构"),
    "core.workday_override": _("工作日调整"),
    "core.import": _("数据导入"),
    "desk.request": _("服务需求"),
    "directory.enterprise": _("企业"),
    "directory.expert": _("专家"),
    "directory.institution": _("技术机构"),
    "directory.station": _("质量服务站"),
    "drafting.draft": _("企业标准草案"),
    "metrology.booking": _("检定/校准预约"),
    "metrology.instrument": _("计量器具"),
    "notifications.mobile": _("手机号"),
    "standards.catalog": _("标准目录"),
    "standards.declaration": _("自我声明"),
    "standards.proposal": _("标准收录提议"),
    "standards.standard": _("标准"),
    "security": _("安全"),
    "stats.report": _("统计报表"),
    "testing.lab": _("检测机构"),
    "testing.order": _("检验委托"),
}

VERBS = {
    "accept": _("受理"),
    "activated": _("启用"),
    "added": _("添加"),
    "approve": _("批准"),
    "assignee_rated": _("评价承办方"),
    "assignment_accepted": _("接单"),
    "assignment_completed": _("完成工单"),
    "attached": _("添加附件"),
    "bound": _("绑定"),
    "changed": _("修改"),
    "chosen": _("选定"),
    "closed": _("关闭"),
    "commented": _("评论"),
    "commitment": _("签署承诺"),
    "complete": _("提交结果"),
    "completed": _("完成"),
    "confirmed": _("确认"),
    "consented": _("同意公开"),
    "contact_viewed": _("查看联系方式"),
    "created": _("新建"),
    "declare": _("自我声明"),
    "deleted": _("删除"),
    "denied": _("拒绝访问"),
    "dispatch": _("派单"),
    "drafted": _("起草"),
    "edited": _("编辑"),
    "export": _("导出"),
    "exported": _("导出"),
    "followed": _("关注"),
    "issue": _("出具报告"),
    "lab_chosen": _("选定检测机构"),
    "line_added": _("添加检测项目"),
    "line_removed": _("移除检测项目"),
    "link_added": _("添加关联"),
    "loaded": _("导入"),
    "locked_out": _("锁定"),
    "login": _("登录"),
    "login_failed": _("登录失败"),
    "logout": _("退出登录"),
    "note_added": _("添加备注"),
    "officer": _("设为质量负责人"),
    "password_reset": _("重置密码"),
    "permission_denied": _("拒绝越权访问"),
    "planned": _("制定计划"),
    "prefix_set": _("设置编号前缀"),
    "published": _("发布"),
    "rate": _("评价"),
    "receive": _("收样"),
    "recorded": _("记录"),
    "rejected": _("驳回"),
    "removed": _("移除"),
    "request_changes": _("退回修改"),
    "request_review": _("提请审查"),
    "results_entered": _("录入结果"),
    "review": _("审核"),
    "revoked": _("撤销"),
    "rotated": _("轮换"),
    "routed": _("分派"),
    "set": _("设置"),
    "set_current": _("设为现行"),
    "start": _("开始办理"),
    "submit": _("提交"),
    "submitted": _("提交"),
    "unfollowed": _("取消关注"),
    "unpublished": _("撤下"),
    "updated": _("修改"),
    "verified": _("验证"),
    "withdrawn": _("撤回"),
}


def action_label(code: str) -> str:
    """``desk.request.dispatch`` → "服务需求 · 派单"; an unknown action stays its code."""
    if not code:
        return ""
    head, _sep, verb = code.rpartition(".")
    noun = OBJECTS.get(head) or OBJECTS.get(head.split(".", 1)[0]) if head else None
    word = VERBS.get(verb)
    if noun and word:
        return f"{noun} · {word}"
    if word and not head:
        return str(word)
    return code


def object_type_label(label: str) -> str:
    """``testing.testorder`` (an app label and model name) → the model's name in words (检验委托单); an
    unknown type stays as it is."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return label
    return str(model._meta.verbose_name)
