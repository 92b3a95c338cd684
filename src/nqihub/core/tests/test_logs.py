"""Request ids: on the response, on every log line of the request, in the tasks it queues; JSON lines."""

import json
import logging

from django.test import Client

from nqihub.celery import app
from nqihub.core import logs


def test_every_response_carries_a_request_id_and_a_sane_incoming_one_is_kept(db):
    first, second = Client().get("/accounts/login/"), Client().get("/accounts/login/")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]
    kept = Client().get("/accounts/login/", HTTP_X_REQUEST_ID="proxy-7f3a9c21-0001")
    assert kept["X-Request-ID"] == "proxy-7f3a9c21-0001"
    for bad in ("x", "a" * 65, "<script>", "id with spaces 123"):
        response = Client().get("/accounts/login/", HTTP_X_REQUEST_ID=bad)
        assert response["X-Request-ID"] != bad and len(response["X-Request-ID"]) == 32


def test_the_access_line_and_the_views_own_lines_carry_the_request_id(db, caplog):
    with caplog.at_level(logging.INFO, logger="nqihub"):
        response = Client().get("/accounts/login/", HTTP_X_REQUEST_ID="req-0123456789")
    access = [r for r in caplog.records if r.name == "nqihub.request"]
    assert len(access) == 1
    line = access[0]
    assert (line.method, line.path, line.status) == ("GET", "/accounts/login/", response.status_code)
    assert line.duration_ms >= 0 and line.user_id is None
    assert logs.RequestIdFilter().filter(line) and line.request_id == "req-0123456789"


def test_json_lines_hold_the_message_level_and_ids():
    config = logs.logging_config(level="INFO", json=True)
    formatter_spec = dict(config["formatters"]["default"])
    factory = formatter_spec.pop("()")
    from django.utils.module_loading import import_string

    formatter = import_string(factory)(**formatter_spec)
    record = logging.LogRecord("nqihub.test", logging.WARNING, __file__, 1, "送检 %s 失败", ("FW-1",), None)
    record.status = 500
    token = logs.bind_request_id("req-abcdef012345")
    try:
        logs.RequestIdFilter().filter(record)
    finally:
        logs._request_id.reset(token)
    line = json.loads(formatter.format(record))
    assert (
        line["message"] == "送检 FW-1 失败" and line["level"] == "WARNING" and line["logger"] == "nqihub.test"
    )
    assert line["request_id"] == "req-abcdef012345" and line["task_id"] == "-" and line["status"] == 500
    assert "time" in line


def test_a_task_queued_by_a_request_carries_its_id(caplog):
    @app.task(name="nqihub.tests.log_something")
    def log_something():
        logging.getLogger("nqihub.tests").warning("inside the task")

    # Through a broker: the id rides in the message headers …
    headers: dict = {}
    token = logs.bind_request_id("req-from-the-web-1")
    try:
        logs._before_publish(headers=headers)
    finally:
        logs._request_id.reset(token)
    assert headers == {"request_id": "req-from-the-web-1"}

    # … and the worker binds it while the task runs (Celery puts message headers on the task request).
    class Request:
        request_id = "req-from-the-web-1"
        is_eager = False

    class Task:
        request = Request()

    logs._prerun(task_id="task-1", task=Task())
    try:
        record = logging.LogRecord("nqihub.tests", logging.INFO, __file__, 1, "x", (), None)
        logs.RequestIdFilter().filter(record)
        assert (record.request_id, record.task_id) == ("req-from-the-web-1", "task-1")
    finally:
        logs._postrun(task_id="task-1")
    assert logs.current_request_id() is None

    # Eagerly (no broker), the task runs in the request's own context.
    token = logs.bind_request_id("req-eager-000001")
    try:
        with caplog.at_level(logging.WARNING, logger="nqihub.tests"):
            log_something.delay()
    finally:
        logs._request_id.reset(token)
    record = next(r for r in caplog.records if r.getMessage() == "inside the task")
    logs.RequestIdFilter().filter(record)
    assert record.request_id == "req-eager-000001"
