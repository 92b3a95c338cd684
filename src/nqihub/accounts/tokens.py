"""The API token page: a user's tokens (created when and from where, last used when and from where, the
client, status) and revoking one or all of them. Only the user's own tokens, ever."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .models import ApiToken

#: Ended tokens stay listed this long (then only the audit log has them).
LISTED = 50


@login_required
def token_list(request):
    tokens = list(ApiToken.objects.filter(user=request.user).select_related("user")[:LISTED])
    return render(request, "accounts/tokens.html", {"tokens": tokens})


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = ApiToken.objects.filter(user=request.user, pk=pk).select_related("user").first()
    if token is None:
        raise Http404
    if services.token_end(token=token, by=request.user, reason=ApiToken.Ended.REVOKED):
        messages.success(request, _("令牌已撤销，使用它的程序将无法再调用接口。"))
    else:
        messages.info(request, _("该令牌此前已终止。"))
    return redirect("accounts:tokens")


@login_required
@require_POST
def token_revoke_all(request):
    count = services.tokens_end_all(user=request.user, by=request.user, reason=ApiToken.Ended.REVOKED)
    messages.success(request, _("已撤销 %(n)d 个有效令牌。") % {"n": count})
    return redirect("accounts:tokens")
