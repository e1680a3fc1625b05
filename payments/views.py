"""Payment pages and the provider notification endpoint. Thin: parse, call a service, render.

The pages sit inside the language prefix like every page (``/en/payments/…`` in English),
so they follow the language the visitor chose on the site, not Accept-Language; the
return URL handed to the gateway carries the same prefix."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.services import client_ip
from core.qr import qr_svg

from .checks import note_served_origin
from .forms import CheckoutForm
from .models import PaymentIntent
from .providers import NotificationRejected, ProviderError
from .services import PaymentError
from .services.checkout import start_checkout
from .services.notifications import handle_notification
from .services.syncing import sync_intent


def _intent_for(request, public_id):
    """The intent, if this visitor may see it; someone else's answers 404."""
    intent = get_object_or_404(PaymentIntent.objects.with_balances(), public_id=public_id)
    if intent.user_id is not None and intent.user_id != request.user.pk:
        raise Http404
    return intent


def _breadcrumbs(intent):
    return [(_("在线支付"), None), (intent.public_id, None)]


@require_http_methods(["GET", "POST"])
def checkout(request, public_id):
    intent = _intent_for(request, public_id)
    note_served_origin(request)
    form = CheckoutForm(request.POST or None)
    qr_content = ""
    if request.method == "POST" and form.is_valid():
        try:
            result = start_checkout(intent, form.cleaned_data["channel"], user=request.user)
        except PaymentError as exc:
            messages.error(request, str(exc))
        else:
            if result.redirect_url:
                return redirect(_same_site_relative(result.redirect_url))
            qr_content = result.qr_content
            intent.refresh_from_db()
    return render(
        request,
        "payments/checkout.html",
        {
            "intent": intent,
            "form": form,
            "qr_content": qr_content,
            "qr_image": qr_svg(qr_content, title=_("支付宝付款二维码")) if qr_content else "",
            "breadcrumbs": _breadcrumbs(intent),
        },
    )


@require_http_methods(["GET"])
def return_view(request, public_id):
    """Where the gateway sends the buyer back. The query string proves nothing and is ignored."""
    intent = _intent_for(request, public_id)
    return render(request, "payments/return.html", {"intent": intent, "breadcrumbs": _breadcrumbs(intent)})


@require_POST
def refresh(request, public_id):
    """The buyer asks the platform to query the gateway now."""
    intent = _intent_for(request, public_id)
    if intent.status == PaymentIntent.Status.PROCESSING:
        try:
            sync_intent(intent)
        except (ProviderError, NotificationRejected):
            messages.error(request, _("暂时无法查询支付结果，请稍后再试。"))
    return redirect("payments:return", public_id=intent.public_id)


def _same_site_relative(url):
    """A gateway on this site (the simulator) is redirected to by path, so the redirect
    stays on whatever origin the buyer used (CSP form-action 'self' covers it)."""
    site = settings.PAYMENTS_SITE_URL.rstrip("/")
    return url[len(site) :] if url.startswith(site + "/") else url


# Gateways post notifications server-to-server with no CSRF token; they are
# authenticated by their signature instead. This is the only CSRF-exempt platform view.
@csrf_exempt
@require_POST
def notify(request, variant):
    if variant not in settings.PAYMENT_VARIANTS:
        raise Http404
    headers = {
        key: value for key, value in request.headers.items() if key.lower() not in {"cookie", "authorization"}
    }
    outcome = handle_notification(
        variant, request.body, headers=headers, remote_ip=client_ip(request) or None
    )
    return HttpResponse(outcome.body, status=outcome.status, content_type="text/plain; charset=utf-8")
