import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nqihub.core import model_kit as kit
from nqihub.core.crypto import EncryptedCharField, hmac_sm3, mask_phone, sm3

from . import token_cache


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if set(kwargs.get("update_fields") or ()) != {"last_login"}:
            token_cache.user_forget(self.pk)
            ApiToken.forget_cached(self)
        if not self.is_active:
            # A deactivated account keeps no API token, even if it is activated again later (whatever
            # saved it: the admin, a script). Password changes end tokens through password_fingerprint.
            ApiToken.end_all(self, ApiToken.Ended.DEACTIVATED)

    def delete(self, *args, **kwargs):
        token_cache.user_forget(self.pk)
        return super().delete(*args, **kwargs)


def _hash(key: str) -> str:
    """SM3 of the token (only this is stored)."""
    return sm3(key.encode())


def password_fingerprint(user) -> str:
    """HMAC-SM3 of the user's password hash: changes with every password change, whatever the path (form,
    admin, ``changepassword``, ``set_password`` + ``save`` in a script, ``set_unusable_password``), like the
    session hash with which Django ends sessions."""
    key = hmac_sm3(settings.SECRET_KEY.encode(), b"nqihub-api-token-password")
    return hmac_sm3(key, (user.password or "").encode()).hex()


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SM3 digest is stored. It ends when it expires, when it is
    revoked (``DELETE /api/v1/auth/token``, the token page, a lock-out, a deactivation) and when the
    user's password changes (``password_fingerprint`` no longer matches)."""

    class Ended(models.TextChoices):
        SIGNED_OUT = "signed_out", _("调用方注销")
        REVOKED = "revoked", _("用户撤销")
        PASSWORD = "password", _("密码已更改")
        DEACTIVATED = "deactivated", _("账户已停用")
        LOCKED_OUT = "locked_out", _("账户被锁定")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    password_fingerprint = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_ip = models.GenericIPAddressField(_("创建来源地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=200, blank=True, default="")
    expires_at = models.DateTimeField(_("过期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("最近使用地址"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    revoked_reason = models.CharField(
        _("终止原因"), max_length=16, choices=Ended.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"

    @property
    def is_live(self) -> bool:
        return (
            self.revoked_at is None
            and self.expires_at > timezone.now()
            and self.password_fingerprint == password_fingerprint(self.user)
            and self.user.is_active
        )

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return self.get_revoked_reason_display() or str(_("已终止"))
        if self.password_fingerprint != password_fingerprint(self.user):
            return str(self.Ended.PASSWORD.label)
        if self.expires_at <= timezone.now():
            return str(_("已过期"))
        return str(_("有效"))

    @classmethod
    def issue(cls, user: User, *, ip: str | None = None, user_agent: str = "") -> tuple["ApiToken", str]:
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            key_hash=_hash(key),
            password_fingerprint=password_fingerprint(user),
            created_ip=ip,
            user_agent=(user_agent or "")[:200],
            expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS),
        )
        return token, key

    @classmethod
    def live(cls, key: str, *, ip: str | None = None) -> "ApiToken | None":
        """The live token with this key (its user loaded), or None. Notes its use (at most one write a
        minute, or when the address changes); a token whose user's password changed is ended here.
        Verified tokens are cached for a minute (``token_cache``: revocation, deactivation, lock-out and
        password changes write over the entry, so they still take effect on the next request)."""
        key_hash = _hash(key)
        entry, used_ip = token_cache.lookup(key_hash)
        now = timezone.now()
        token = _from_entry(cls, entry) if entry else None
        if token is not None and token.expires_at > now and token.user.is_active:
            if used_ip != (ip or ""):
                cls.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
                token_cache.note_use(key_hash, ip)
            return token
        token = (
            cls.objects.select_related("user")
            .filter(key_hash=key_hash, expires_at__gt=now, revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            return None
        if not hmac.compare_digest(token.password_fingerprint, password_fingerprint(token.user)):
            cls.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
                revoked_at=now, revoked_reason=cls.Ended.PASSWORD
            )
            token_cache.forget([key_hash])
            return None
        if (
            token.last_used_at is None
            or now - token.last_used_at > timedelta(minutes=1)
            or ip != token.last_used_ip
        ):
            cls.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
        token_cache.note_use(key_hash, ip)
        token_cache.remember(key_hash, _entry(token))
        return token

    @classmethod
    def user_for(cls, key: str) -> User | None:
        token = cls.live(key)
        return token.user if token else None

    @classmethod
    def end_all(cls, user, reason: str) -> int:
        """Ends every live token of ``user``; returns how many."""
        live = cls.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now())
        token_cache.forget(live.values_list("key_hash", flat=True))
        return live.update(revoked_at=timezone.now(), revoked_reason=reason)

    @classmethod
    def forget_cached(cls, user) -> None:
        """The cached copies of ``user``'s live tokens (and of the user) are dropped: the next request
        with any of them reads the database (a password change, a deactivation, a new name …)."""
        token_cache.forget(
            cls.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()).values_list(
                "key_hash", flat=True
            )
        )


def _values(obj: models.Model) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _entry(token: ApiToken) -> dict:
    return {"token": _values(token), "user": _values(token.user)}


def _restore(model, values: dict):
    fields = [f.attname for f in model._meta.concrete_fields]
    return model.from_db("default", fields, [values.get(name) for name in fields])


def user_values(user: User) -> dict:
    """The user's field values, to cache (``token_cache.user_remember``)."""
    return _values(user)


def user_from_values(values: dict) -> User | None:
    try:
        return _restore(User, values)
    except (KeyError, TypeError, ValueError):
        return None


def _from_entry(cls, entry: dict) -> "ApiToken | None":
    try:
        token = _restore(cls, entry["token"])
        token.user = _restore(User, entry["user"])
    except (KeyError, TypeError, ValueError):
        return None
    return token


class Registration(models.Model):
    """An enterprise user's self-registration (企业自助注册): USCC, a mobile number or e-mail address proven
    by a code, then confirmed (or refused) by the station or regulator of the enterprise's region. The
    user account exists from the start but stays inactive — it cannot sign in — until confirmed."""

    class Status(models.TextChoices):
        UNVERIFIED = "unverified", _("待验证手机号/邮箱")
        PENDING = "pending", _("待服务站或监管部门确认")
        CONFIRMED = "confirmed", _("已确认")
        REFUSED = "refused", _("未通过")

    class Channel(models.TextChoices):
        MOBILE = "mobile", _("手机短信")
        EMAIL = "email", _("电子邮箱")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="registration")
    #: Random, in the address of the applicant's status page (which needs no sign-in).
    token = models.CharField(max_length=43, unique=True, editable=False)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    enterprise_name = models.CharField(_("企业名称"), max_length=200)
    region = models.ForeignKey(
        "core.Region", verbose_name=_("所在县区"), on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        "directory.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("验证方式"), max_length=8, choices=Channel.choices)
    mobile = EncryptedCharField(_("手机号"), max_length=32, blank=True, default="")
    email = models.EmailField(_("电子邮箱"), blank=True, default="")
    code_hash = models.CharField(max_length=64, blank=True, default="")
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.UNVERIFIED, db_index=True
    )
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    decided_by = kit.user_ref(_("确认人"))
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    reason = models.CharField(_("未通过原因"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("企业用户注册")
        verbose_name_plural = _("企业用户注册")

    def __str__(self) -> str:
        return f"{self.enterprise_name} {self.uscc}"

    @property
    def masked_contact(self) -> str:
        if self.channel == self.Channel.MOBILE:
            return mask_phone(self.mobile)
        local, _sep, domain = self.email.partition("@")
        return f"{local[:1]}***@{domain}" if domain else ""
