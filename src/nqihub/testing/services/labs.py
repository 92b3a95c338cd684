"""Lab settings: the lab roles of its staff and the prefix of its report numbers."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from nqihub.core import audit
from nqihub.core.errors import ValidationFailed
from nqihub.core.policy import require
from nqihub.directory.models import Institution

from ..models import LabProfile, LabRole
from .access import can_manage_lab, is_admin, is_lab_staff


@transaction.atomic
def lab_role_set(*, lab: Institution, user, role: str, granted: bool, by) -> None:
    require(can_manage_lab(by, lab), _("只有实验室管理员或平台管理员可以设置签署角色。"))
    if role not in LabRole.Role.values:
        raise ValidationFailed(
            {
                "role": _("角色应为：%(v)s。")
                % {"v": "、".join(f"{v}（{label}）" for v, label in LabRole.Role.choices)}
            }
        )
    if granted and not is_lab_staff(user, lab):
        raise ValidationFailed({"user": _("%(u)s 不是 %(lab)s 的人员。") % {"u": user, "lab": lab.name}})
    if granted:
        _obj, created = LabRole.objects.get_or_create(user=user, institution=lab, role=role)
        changed = created
    else:
        if role == LabRole.Role.MANAGER and user.pk == by.pk and not is_admin(by):
            raise ValidationFailed({"role": _("不能取消自己的实验室管理员角色。")})
        changed = bool(LabRole.objects.filter(user=user, institution=lab, role=role).delete()[0])
    if changed:
        audit.record(
            by,
            "testing.lab_role.granted" if granted else "testing.lab_role.revoked",
            lab,
            {"user": user.get_username(), "role": role},
        )


@transaction.atomic
def lab_prefix_set(*, lab: Institution, prefix: str, by) -> LabProfile:
    require(can_manage_lab(by, lab), _("只有实验室管理员或平台管理员可以修改报告编号前缀。"))
    prefix = "".join((prefix or "").split())
    if not prefix:
        raise ValidationFailed({"report_prefix": _("请填写报告编号前缀。")})
    if len(prefix) > 16 or "-" in prefix or "/" in prefix:
        raise ValidationFailed({"report_prefix": _("前缀最多16个字符，不能含“-”或“/”。")})
    clash = LabProfile.objects.filter(report_prefix=prefix).exclude(institution=lab)
    if clash.exists():
        raise ValidationFailed({"report_prefix": _("前缀“%(p)s”已被其他实验室使用。") % {"p": prefix}})
    profile, _created = LabProfile.objects.update_or_create(
        institution=lab, defaults={"report_prefix": prefix}
    )
    audit.record(by, "testing.lab.prefix_set", lab, {"report_prefix": prefix})
    return profile
