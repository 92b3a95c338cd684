"""SMS through a pluggable backend, chosen by ``SMS_BACKEND``:

- ``console`` (default): writes the message to the log with the number masked. Nothing is sent, and the
  notification records "logged only" (``SmsStatus.LOGGED``), never "sent".
- ``aliyun``: Alibaba Cloud SMS (短信服务, dysmsapi 2017-05-25) through its official SDK.
- ``tencent``: Tencent Cloud SMS (短信, API 2021-01-11) through its official SDK.
- ``locmem``: keeps messages in ``outbox`` (tests); nothing is sent either.
- or the dotted path of a class with ``send(message) -> SmsStatus``.

Chinese providers send approved *templates* only, with a registered signature: each message names its
template (``notification`` or ``verification``) and the variables; the template codes, the signature and
the credentials come from the environment (``SMS_TEMPLATE_*``, ``SMS_SIGN_NAME``, ``SMS_ACCESS_KEY_*``).
A backend raises ``SmsError`` when the provider refuses; the task retries and records the final failure.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

from nqihub.core.crypto import mask_phone

from .models import SmsStatus

logger = logging.getLogger("nqihub.sms")

MAX_LENGTH = 500
#: Providers cap each template variable (Alibaba Cloud: 35 characters for most kinds).
MAX_VARIABLE_LENGTH = 30
TEMPLATES = ("notification", "verification")
#: Variable order of each template, for providers that take a list (Tencent Cloud: {1}, {2} …).
TEMPLATE_VARIABLES = {"notification": ("title",), "verification": ("code",)}
ALIASES = {
    "console": "nqihub.notifications.sms.ConsoleSmsBackend",
    "locmem": "nqihub.notifications.sms.LocmemSmsBackend",
    "aliyun": "nqihub.notifications.sms.AliyunSmsBackend",
    "tencent": "nqihub.notifications.sms.TencentSmsBackend",
}
DEFAULT_BACKEND = ALIASES["console"]


class SmsError(RuntimeError):
    """The provider did not accept the message (its code and message say why)."""


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    template: str
    params: dict[str, str] = field(default_factory=dict)
    #: The whole message as the template renders it (what the console logs).
    text: str = ""


class BaseSmsBackend:
    #: Settings this backend needs (checked before production starts).
    required_settings: tuple[str, ...] = ()

    def send(self, message: SmsMessage) -> str:  # pragma: no cover - interface
        raise NotImplementedError

    def template_code(self, template: str) -> str:
        code = getattr(settings, f"SMS_TEMPLATE_{template.upper()}", "")
        if not code:
            raise SmsError(f"SMS_TEMPLATE_{template.upper()} is not set")
        return code


class ConsoleSmsBackend(BaseSmsBackend):
    """Development and intranet default: writes the message to the log instead of sending it."""

    def send(self, message: SmsMessage) -> str:
        logger.warning("SMS (not sent, console backend) to %s: %s", mask_phone(message.phone), message.text)
        return SmsStatus.LOGGED


#: Messages given to ``LocmemSmsBackend``: list of (phone, text).
outbox: list[tuple[str, str]] = []
#: The same, as ``SmsMessage`` (template and variables).
messages: list[SmsMessage] = []


class LocmemSmsBackend(BaseSmsBackend):
    def send(self, message: SmsMessage) -> str:
        outbox.append((message.phone, message.text))
        messages.append(message)
        return SmsStatus.LOGGED


class AliyunSmsBackend(BaseSmsBackend):
    """阿里云短信服务 through ``alibabacloud_dysmsapi20170525`` (the official SDK)."""

    required_settings = (
        "SMS_ACCESS_KEY_ID",
        "SMS_ACCESS_KEY_SECRET",
        "SMS_SIGN_NAME",
        "SMS_TEMPLATE_NOTIFICATION",
        "SMS_TEMPLATE_VERIFICATION",
    )
    DEFAULT_ENDPOINT = "dysmsapi.aliyuncs.com"

    def client(self):
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.utils_models import Config

        return Client(
            Config(
                access_key_id=settings.SMS_ACCESS_KEY_ID,
                access_key_secret=settings.SMS_ACCESS_KEY_SECRET,
                endpoint=settings.SMS_ENDPOINT or self.DEFAULT_ENDPOINT,
                connect_timeout=5000,
                read_timeout=10000,
            )
        )

    def send(self, message: SmsMessage) -> str:
        from alibabacloud_dysmsapi20170525.models import SendSmsRequest

        request = SendSmsRequest(
            phone_numbers=message.phone,
            sign_name=settings.SMS_SIGN_NAME,
            template_code=self.template_code(message.template),
            template_param=json.dumps(message.params, ensure_ascii=False),
        )
        response = self.client().send_sms(request)
        body = getattr(response, "body", None)
        if body is None or body.code != "OK":
            code = getattr(body, "code", None)
            raise SmsError(f"Alibaba Cloud SMS refused: {code}: {getattr(body, 'message', '')}")
        return SmsStatus.SENT


class TencentSmsBackend(BaseSmsBackend):
    """腾讯云短信 through ``tencentcloud-sdk-python-sms`` (the official SDK)."""

    required_settings = (
        "SMS_ACCESS_KEY_ID",
        "SMS_ACCESS_KEY_SECRET",
        "SMS_SDK_APP_ID",
        "SMS_SIGN_NAME",
        "SMS_TEMPLATE_NOTIFICATION",
        "SMS_TEMPLATE_VERIFICATION",
    )
    DEFAULT_REGION = "ap-guangzhou"

    def client(self):
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        http = HttpProfile(reqTimeout=10)
        if settings.SMS_ENDPOINT:
            http.endpoint = settings.SMS_ENDPOINT
        return sms_client.SmsClient(
            credential.Credential(settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET),
            settings.SMS_REGION or self.DEFAULT_REGION,
            ClientProfile(httpProfile=http),
        )

    def send(self, message: SmsMessage) -> str:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111 import models

        request = models.SendSmsRequest()
        request.SmsSdkAppId = settings.SMS_SDK_APP_ID
        request.SignName = settings.SMS_SIGN_NAME
        request.TemplateId = self.template_code(message.template)
        request.TemplateParamSet = [message.params.get(n, "") for n in TEMPLATE_VARIABLES[message.template]]
        request.PhoneNumberSet = [_e164(message.phone)]
        try:
            response = self.client().SendSms(request)
        except TencentCloudSDKException as exc:
            raise SmsError(f"Tencent Cloud SMS refused: {exc.get_code()}: {exc.get_message()}") from exc
        statuses = getattr(response, "SendStatusSet", None) or []
        if not statuses or statuses[0].Code != "Ok":
            code = statuses[0].Code if statuses else "no status"
            raise SmsError(f"Tencent Cloud SMS refused: {code}: {statuses[0].Message if statuses else ''}")
        return SmsStatus.SENT


def _e164(phone: str) -> str:
    return phone if phone.startswith("+") else f"+86{phone}"


def backend_path() -> str:
    name = (getattr(settings, "SMS_BACKEND", "") or "console").strip()
    return ALIASES.get(name.lower(), name)


def get_backend() -> BaseSmsBackend:
    return import_string(backend_path())()


def configuration_problems() -> list[str]:
    """Settings the chosen backend lacks, or an unknown backend (core.preflight)."""
    try:
        cls = import_string(backend_path())
    except ImportError as exc:
        return [f"SMS_BACKEND={settings.SMS_BACKEND!r} cannot be loaded: {exc}"]
    missing = [name for name in getattr(cls, "required_settings", ()) if not getattr(settings, name, "")]
    return [f"{name} is not set (SMS_BACKEND={settings.SMS_BACKEND})." for name in missing]


def send_sms(phone: str, *, template: str, params: dict[str, str], text: str) -> str:
    """Send one templated message; returns ``SmsStatus.SENT`` or ``SmsStatus.LOGGED`` (nothing sent).
    Raises ``ValueError`` on an empty number or an unknown template, ``SmsError`` when the provider
    refuses."""
    phone = (phone or "").strip()
    if not phone:
        raise ValueError("phone is empty")
    if template not in TEMPLATES:
        raise ValueError(f"unknown SMS template {template!r}")
    params = {k: str(v)[:MAX_VARIABLE_LENGTH] for k, v in params.items()}
    message = SmsMessage(
        phone=phone, template=template, params=params, text=(text or "").strip()[:MAX_LENGTH]
    )
    return get_backend().send(message)
