import logging

import pytest

from nqihub.notifications import sms


def test_console_backend_logs_with_the_number_masked(settings, caplog):
    settings.SMS_BACKEND = "nqihub.notifications.sms.ConsoleSmsBackend"
    with caplog.at_level(logging.WARNING, logger="nqihub.sms"):
        sms.send_sms("13800001234", "您有新的工单")
    assert "138****1234" in caplog.text and "您有新的工单" in caplog.text
    assert "13800001234" not in caplog.text


def test_default_backend_is_the_console(settings):
    if hasattr(settings, "SMS_BACKEND"):
        del settings.SMS_BACKEND
    assert isinstance(sms.get_backend(), sms.ConsoleSmsBackend)


def test_locmem_backend_and_bad_input(sms_outbox):
    sms.send_sms(" 13800001234 ", "测试")
    assert sms_outbox == [("13800001234", "测试")]
    with pytest.raises(ValueError):
        sms.send_sms("", "测试")
    with pytest.raises(ValueError):
        sms.send_sms("13800001234", "  ")
