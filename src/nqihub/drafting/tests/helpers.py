import json

from nqihub.accounts.models import User
from nqihub.directory.models import Expert

URL = "/api/v1/enterprise-standards"


def send(client, method: str, url: str, data=None):
    return getattr(client, method)(
        url, json.dumps(data if data is not None else {}), content_type="application/json"
    )


def textile_reviewer():
    """沈工（示例）, the Nantong textile expert, given a login for the test."""
    user, _created = User.objects.get_or_create(username="expert_nt_test", defaults={"display_name": "沈工"})
    expert = Expert.objects.get(name="沈工（示例）")
    expert.user = user
    expert.save(update_fields=["user"])
    return user, expert
