"""HTTP face of the simulator: the gateway endpoint and the cashier page."""

import logging
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import gateway
from .models import SandboxTrade
from .tasks import deliver_once, schedule_retry

logger = logging.getLogger("payments.sandbox")


def _params(request):
    """Common parameters may come in the query string, business ones in the body."""
    params, duplicated = {}, []
    for source in (request.GET, request.POST):
        for key in source:
            values = source.getlist(key)
            if key in params or len(values) > 1:
                duplicated.append(key)
            params[key] = values[-1]
    return params, duplicated


# The gateway stands for Alipay's: callers authenticate with RSA2 signatures, not cookies,
# so there is no CSRF token to check (the platform's own views keep CSRF protection).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def gateway_view(request):
    params, duplicated = _params(request)
    method = params.get("method", "")
    page = method in gateway.PAGE_METHODS
    try:
        if duplicated:
            raise gateway.invalid("isv.invalid-parameter", "参数重复：" + ",".join(sorted(set(duplicated))))
        method, app_id, biz = gateway.authenticate(params)
        if page:
            trade = gateway.open_trade(method, app_id, biz, params)
            return HttpResponseRedirect(_cashier_url(trade))
        payload = gateway.api(method, app_id, biz, params)
    except gateway.GatewayError as error:
        logger.warning("sandbox gateway refused %s: %s", method or "(no method)", error)
        if page:
            with translation.override(_buyer_language(params.get("return_url", ""))):
                return render(request, "payments/sandbox/error.html", {"error": error}, status=200)
        payload = error.as_dict()
    return HttpResponse(gateway.signed_body(method, payload), content_type="application/json;charset=utf-8")


def _buyer_language(return_url):
    """The buyer's language, read from the merchant's return URL (``/en/…`` is English), so
    the cashier speaks the language the buyer chose on the merchant's site."""
    return translation.get_language_from_path(urlsplit(return_url).path) or settings.LANGUAGE_CODE


def _cashier_url(trade):
    with translation.override(_buyer_language(trade.return_url)):
        return reverse("payments:sandbox:cashier", args=[trade.token])


@require_http_methods(["GET", "POST"])
def cashier(request, token):
    trade = get_object_or_404(SandboxTrade, token=token).expire_if_due()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "pay":
            trade, notification = gateway.pay(trade)
            if notification is not None and not deliver_once(notification):
                schedule_retry(notification)
            if trade.status == SandboxTrade.Status.TRADE_SUCCESS and trade.return_url:
                return HttpResponseRedirect(_with_query(trade.return_url, gateway.return_params(trade)))
        elif action == "cancel" and trade.return_url:
            return HttpResponseRedirect(trade.return_url)
        trade.refresh_from_db()
    return render(request, "payments/sandbox/cashier.html", {"trade": trade})


def _with_query(url, params):
    return url + ("&" if "?" in url else "?") + urlencode(params)
