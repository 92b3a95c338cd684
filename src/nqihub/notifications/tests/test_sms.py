"""SMS backends: the console only logs (and says so), the real providers are called through their official SDK
clients — mocked here at the SDK client class, never the network."""

import json
import logging

import pytest

from nqihub.notifications import sms
from nqihub.notifications.models import SmsStatus

NOTIFY = {"template": "notification", "params": {"title": "您有新的工单"}, "text": "【平台】您有新的工单"}


def test_console_backend_logs_with_the_number_masked_and_reports_logged_only(settings, caplog):
    settings.SMS_BACKEND = "console"
    with caplog.at_level(logging.WARNING, logger="nqihub.sms"):
        status = sms.send_sms("13800001234", **NOTIFY)
    assert status == SmsStatus.LOGGED != SmsStatus.SENT
    assert "138****1234" in caplog.text and "您有新的工单" in caplog.text and "not sent" in caplog.text
    assert "13800001234" not in caplog.text


def test_default_backend_is_the_console(settings):
    settings.SMS_BACKEND = ""
    assert isinstance(sms.get_backend(), sms.ConsoleSmsBackend)


def test_locmem_backend_and_bad_input(sms_outbox):
    assert sms.send_sms(" 13800001234 ", **NOTIFY) == SmsStatus.LOGGED
    assert sms_outbox == [("13800001234", "【平台】您有新的工单")]
    with pytest.raises(ValueError):
        sms.send_sms("", **NOTIFY)
    with pytest.raises(ValueError):
        sms.send_sms("13800001234", template="marketing", params={}, text="x")


# --- Alibaba Cloud -----------------------------------------------------------------------------------------


class FakeAliyunClient:
    """Stands in for ``alibabacloud_dysmsapi20170525.client.Client``: records the config and the request."""

    instances: list["FakeAliyunClient"] = []
    answer = ("OK", "OK")

    def __init__(self, config):
        self.config, self.requests = config, []
        FakeAliyunClient.instances.append(self)

    def send_sms(self, request):
        from alibabacloud_dysmsapi20170525.models import SendSmsResponse, SendSmsResponseBody

        self.requests.append(request)
        code, message = FakeAliyunClient.answer
        return SendSmsResponse(
            body=SendSmsResponseBody(code=code, message=message, biz_id="1", request_id="r")
        )


@pytest.fixture
def aliyun(settings, monkeypatch):
    import alibabacloud_dysmsapi20170525.client

    settings.SMS_BACKEND = "aliyun"
    settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET = "LTAI-test-id", "test-secret"
    settings.SMS_SIGN_NAME = "质量基础设施平台"
    settings.SMS_TEMPLATE_NOTIFICATION, settings.SMS_TEMPLATE_VERIFICATION = "SMS_100001", "SMS_100002"
    settings.SMS_ENDPOINT = ""
    FakeAliyunClient.instances, FakeAliyunClient.answer = [], ("OK", "OK")
    monkeypatch.setattr(alibabacloud_dysmsapi20170525.client, "Client", FakeAliyunClient)
    return FakeAliyunClient


def test_aliyun_sends_the_template_with_its_variables(aliyun):
    assert sms.send_sms("13800001234", **NOTIFY) == SmsStatus.SENT
    client = aliyun.instances[0]
    assert (client.config.access_key_id, client.config.access_key_secret) == ("LTAI-test-id", "test-secret")
    assert client.config.endpoint == "dysmsapi.aliyuncs.com"
    request = client.requests[0]
    assert (request.phone_numbers, request.sign_name, request.template_code) == (
        "13800001234",
        "质量基础设施平台",
        "SMS_100001",
    )
    assert json.loads(request.template_param) == {"title": "您有新的工单"}


def test_aliyun_verification_codes_use_their_own_template(aliyun):
    sms.send_sms("13800001234", template="verification", params={"code": "123456"}, text="x")
    request = aliyun.instances[0].requests[0]
    assert request.template_code == "SMS_100002" and json.loads(request.template_param) == {"code": "123456"}


def test_aliyun_refusal_raises_with_the_provider_code(aliyun):
    aliyun.answer = ("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")
    with pytest.raises(sms.SmsError, match="isv.BUSINESS_LIMIT_CONTROL"):
        sms.send_sms("13800001234", **NOTIFY)


def test_long_titles_are_cut_to_what_a_template_variable_takes(aliyun):
    sms.send_sms("13800001234", template="notification", params={"title": "很" * 80}, text="x")
    assert len(json.loads(aliyun.instances[0].requests[0].template_param)["title"]) == sms.MAX_VARIABLE_LENGTH


# --- Tencent Cloud -----------------------------------------------------------------------------------------


class FakeTencentClient:
    """Stands in for ``tencentcloud.sms.v20210111.sms_client.SmsClient``."""

    instances: list["FakeTencentClient"] = []
    code = "Ok"

    def __init__(self, credential, region, profile=None):
        self.credential, self.region, self.profile, self.requests = credential, region, profile, []
        FakeTencentClient.instances.append(self)

    def SendSms(self, request):  # noqa: N802 (the SDK's name)
        from tencentcloud.sms.v20210111 import models

        self.requests.append(request)
        response = models.SendSmsResponse()
        response._deserialize(
            {
                "SendStatusSet": [
                    {
                        "Code": FakeTencentClient.code,
                        "Message": "send success",
                        "PhoneNumber": "+8613800001234",
                    }
                ]
            }
        )
        return response


@pytest.fixture
def tencent(settings, monkeypatch):
    from tencentcloud.sms.v20210111 import sms_client

    settings.SMS_BACKEND = "tencent"
    settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET = "AKID-test", "test-key"
    settings.SMS_SDK_APP_ID, settings.SMS_SIGN_NAME = "1400000000", "质量基础设施平台"
    settings.SMS_TEMPLATE_NOTIFICATION, settings.SMS_TEMPLATE_VERIFICATION = "1000001", "1000002"
    settings.SMS_REGION = settings.SMS_ENDPOINT = ""
    FakeTencentClient.instances, FakeTencentClient.code = [], "Ok"
    monkeypatch.setattr(sms_client, "SmsClient", FakeTencentClient)
    return FakeTencentClient


def test_tencent_sends_the_template_with_its_variables_in_order(tencent):
    assert sms.send_sms("13800001234", **NOTIFY) == SmsStatus.SENT
    client = tencent.instances[0]
    assert (client.credential.secretId, client.credential.secretKey, client.region) == (
        "AKID-test",
        "test-key",
        "ap-guangzhou",
    )
    request = client.requests[0]
    assert request.PhoneNumberSet == ["+8613800001234"]
    assert (request.SmsSdkAppId, request.SignName, request.TemplateId) == (
        "1400000000",
        "质量基础设施平台",
        "1000001",
    )
    assert request.TemplateParamSet == ["您有新的工单"]


def test_tencent_refusal_raises_with_the_provider_code(tencent):
    tencent.code = "LimitExceeded.PhoneNumberDailyLimit"
    with pytest.raises(sms.SmsError, match="PhoneNumberDailyLimit"):
        sms.send_sms("13800001234", **NOTIFY)


def test_a_provider_without_its_settings_is_named_before_production_starts(settings):
    settings.SMS_BACKEND = "tencent"
    settings.SMS_ACCESS_KEY_ID = settings.SMS_SDK_APP_ID = ""
    problems = sms.configuration_problems()
    assert any("SMS_ACCESS_KEY_ID" in p for p in problems) and any("SMS_SDK_APP_ID" in p for p in problems)
    settings.SMS_BACKEND = "nqihub.notifications.sms.NoSuchBackend"
    assert "cannot be loaded" in sms.configuration_problems()[0]
    settings.SMS_BACKEND = "console"
    assert sms.configuration_problems() == []
