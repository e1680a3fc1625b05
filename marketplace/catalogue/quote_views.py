"""The family's quote (F7, F9): ticking posted items, the itemised statement kept in the
session for a visitor or saved as a ``Quote`` for a signed-in user, and a saved quote's page.

A visitor's quote lives in the session under ``QUOTE_SESSION_KEY``. Signing in or up keeps it:
Django's ``login()`` gives the session a new key but keeps its data (it flushes only when a
*different* user was signed in). The statement offers "登录并保存报价单" (sign-in with ``next``
back to it), and once signed in a "保存报价单" button that saves it as a ``Quote``; the quote
builder opened without ``?provider`` starts from the session's quote (issue 18, point 5)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import get_managed_or_404
from core.money import ZERO

from .hooks import quote_actions
from .models import BurialChoice, Provider, Quote
from .services.current import with_current_price
from .services.packages import package_breakdowns, standard_package
from .services.statements import compute_statement, save_quote, statement_from_quote
from .views import provider_choices

QUOTE_SESSION_KEY = "catalogue_quote"


def _selections_from_post(post, defaults):
    """The chosen items and their quantities. An item is chosen when it is ticked, or when a
    quantity was typed for it without ticking (that quantity used to be dropped silently); a
    ticked item with no quantity takes its default (1, or the plot term for the yearly
    maintenance fee). Bad quantities become errors, never lost input. ``defaults`` maps each
    posted item of the provider to its default quantity; a ticked id outside it is kept, so the
    statement refuses it by name (F4) instead of it vanishing."""
    selections, kept, errors = {}, {}, []
    ticked = set()
    for raw in post.getlist("item"):
        try:
            ticked.add(int(raw))
        except ValueError:
            continue
    for item_id in [*defaults, *sorted(ticked - set(defaults))]:
        typed = post.get(f"qty_{item_id}", "").strip()
        if item_id not in ticked and typed in ("", "0"):
            continue
        quantity = typed or str(defaults.get(item_id, 1))
        kept[item_id] = quantity
        try:
            selections[item_id] = int(quantity)
        except ValueError:
            errors.append(_("“%(value)s”不是有效的数量，请填写 1 至 999 的整数。") % {"value": quantity})
    return selections, kept, errors


def _default_quantity(provider, item):
    return provider.term_years if item.category.cemetery_component == "maintenance" else 1


def _package_selections(provider, items):
    """The provider's F6 standard package as a starting selection: each component's mapped item
    at the component's quantity; empty when the provider doesn't price the whole package."""
    package = standard_package()
    breakdown = package_breakdowns(package, [provider], priced_items=items).get(provider.pk)
    if breakdown is None or not breakdown.complete:
        return {}
    return {line.item.pk: line.component.quantity for line in breakdown.lines}


def _session_quote_provider(request):
    """The provider of the visitor's quote in the session, if it is still public."""
    saved = request.session.get(QUOTE_SESSION_KEY) or {}
    return Provider.objects.public().filter(pk=saved.get("provider")).first() if saved else None


@require_http_methods(["GET", "POST"])
def quote(request):
    providers = provider_choices()
    slug = request.POST.get("provider") or request.GET.get("provider")
    if slug is None and request.method == "GET":
        # Back without ?provider (after signing in, from the menu): the quote in the session.
        provider = _session_quote_provider(request)
    else:
        provider = Provider.objects.public().filter(slug=slug).first() if slug else None
    items, errors, posted = [], [], None
    if provider is not None:
        items = list(with_current_price(provider.items.filter(is_active=True)).select_related("category"))
        items = [i for i in items if i.current_price is not None]
    if request.method == "POST" and provider is not None:
        defaults = {item.pk: _default_quantity(provider, item) for item in items}
        selections, kept, errors = _selections_from_post(request.POST, defaults)
        burial_choice = request.POST.get("burial_choice", "")
        resident = request.POST.get("beijing_resident") == "1"
        posted = {"selections": kept, "burial_choice": burial_choice, "resident": resident}
        if not selections and not errors:
            errors.append(_("请至少勾选一个项目。"))
        if not errors:
            try:
                statement = compute_statement(
                    provider, selections, burial_choice=burial_choice, beijing_resident=resident
                )
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                if request.user.is_authenticated:
                    saved = save_quote(request.user, statement)
                    messages.success(request, _("报价单已保存，单号 %(ref)s。") % {"ref": saved.reference})
                    return redirect(saved.get_absolute_url())
                request.session[QUOTE_SESSION_KEY] = {
                    "provider": provider.pk,
                    "selections": {str(k): v for k, v in selections.items()},
                    "burial_choice": burial_choice,
                    "resident": resident,
                }
                return redirect("catalogue:quote_statement")
    elif request.method == "POST":
        errors.append(_("请先选择机构。"))
    if posted is None and provider is not None:
        saved = request.session.get(QUOTE_SESSION_KEY) or {}
        if saved.get("provider") == provider.pk:
            posted = {
                "selections": {int(k): v for k, v in saved.get("selections", {}).items()},
                "burial_choice": saved.get("burial_choice", ""),
                "resident": saved.get("resident", False),
            }
    package_selection = _package_selections(provider, items) if provider is not None else {}
    if posted is None and package_selection and request.GET.get("start") == "package":
        posted = {"selections": package_selection, "burial_choice": "", "resident": True}
    posted = posted or {"selections": {}, "burial_choice": "", "resident": True}
    running_total = ZERO
    for item in items:
        item.selected = item.pk in posted["selections"]
        item.default_quantity = _default_quantity(provider, item)
        item.quantity = posted["selections"].get(item.pk, "")
        if item.selected and str(item.quantity).isdigit():  # a bad quantity is kept to be corrected
            running_total += item.current_price * int(item.quantity)
    groups = {}
    for item in items:
        groups.setdefault(item.category, []).append(item)
    my_quotes = (
        Quote.objects.filter(user=request.user).select_related("provider")[:10]
        if request.user.is_authenticated
        else []
    )
    return render(
        request,
        "catalogue/quote.html",
        {
            "providers": providers,
            "provider": provider,
            "groups": list(groups.items()),
            "selected_count": sum(1 for item in items if item.selected),
            "running_total": running_total,
            "package_size": len(package_selection),
            "errors": errors,
            "posted": posted,
            "burial_choices": BurialChoice.choices,
            "policy_reference": settings.F7_POLICY_REFERENCE,
            "my_quotes": my_quotes,
            "catalogue_url": reverse("catalogue:index"),
            "breadcrumbs": [(_("殡葬服务"), reverse("catalogue:index")), (_("费用估算"), None)],
        },
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
def quote_statement(request):
    """A visitor's statement, kept in the session and recomputed at today's posted prices.
    POST saves it to the account of the user now signed in (a visitor is sent to sign in first,
    and comes back here with the session's quote intact)."""
    saved = request.session.get(QUOTE_SESSION_KEY)
    if not saved:
        return redirect("catalogue:quote")
    provider = Provider.objects.public().filter(pk=saved.get("provider")).first()
    if provider is None:
        request.session.pop(QUOTE_SESSION_KEY, None)
        return redirect("catalogue:quote")
    try:
        statement = compute_statement(
            provider,
            saved.get("selections", {}),
            burial_choice=saved.get("burial_choice", ""),
            beijing_resident=saved.get("resident", False),
        )
    except ValidationError:
        messages.error(request, _("部分项目已下架或调整，请重新选择。"))
        return redirect(f"{reverse('catalogue:quote')}?provider={provider.slug}")
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        quote = save_quote(request.user, statement)
        request.session.pop(QUOTE_SESSION_KEY, None)
        messages.success(request, _("报价单已保存，单号 %(ref)s。") % {"ref": quote.reference})
        return redirect(quote.get_absolute_url())
    return _render_statement(request, statement, None)


@require_GET
def quote_detail(request, reference):
    if not request.user.is_authenticated:
        raise Http404
    saved = get_managed_or_404(request.user, Quote.objects.select_related("provider"), reference=reference)
    return _render_statement(request, statement_from_quote(saved), saved)


def _render_statement(request, statement, saved):
    return render(
        request,
        "catalogue/statement.html",
        {
            "statement": statement,
            "saved": saved,
            "quote_actions": quote_actions(request, saved) if saved else [],
            "provider": statement.provider,
            "breadcrumbs": [
                (_("殡葬服务"), reverse("catalogue:index")),
                (_("费用估算"), reverse("catalogue:quote")),
                (_("费用明细"), None),
            ],
        },
    )
