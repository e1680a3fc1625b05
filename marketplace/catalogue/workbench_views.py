"""The provider staff workbench. Every record is fetched through the permission policies:
another provider's record answers 404."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import get_managed_or_404, scope

from .forms import PackageMappingForm, PriceForm, ProviderProfileForm, ServiceItemForm
from .models import PriceFlag, Provider, ServiceItem
from .permissions import is_provider_admin
from .services.current import bump_stats_generation, today, upcoming_versions, with_current_price
from .services.packages import package_breakdowns, standard_package
from .services.posting import StalePriceError, ceiling_for, latest_version, publish_price


def _crumbs(provider=None, *extra):
    crumbs = [(_("机构工作台"), reverse("workbench:index"))]
    if provider is not None:
        crumbs.append(
            (provider.name, reverse("catalogue_workbench:provider", kwargs={"slug": provider.slug}))
        )
    crumbs.extend(extra)
    return crumbs


@login_required
@require_GET
def index(request):
    providers = list(scope(request.user, Provider).order_by("name"))
    if len(providers) == 1:
        return redirect("catalogue_workbench:provider", slug=providers[0].slug)
    return render(
        request,
        "catalogue/workbench/index.html",
        {"providers": providers, "breadcrumbs": _crumbs(None, (_("殡葬服务机构"), None))},
    )


@login_required
@require_GET
def provider(request, slug):
    provider = get_managed_or_404(request.user, Provider.objects, slug=slug)
    items = list(
        with_current_price(provider.items.all())
        .select_related("category")
        .order_by("-is_active", "category__sort_order", "sort_order", "name")
    )
    upcoming = {}
    for version in upcoming_versions({"provider": provider}):
        upcoming.setdefault(version.item_id, []).append(version)
    for item in items:
        item.upcoming = upcoming.get(item.pk, [])
    package = standard_package()
    breakdown = package_breakdowns(package, [provider]).get(provider.pk)
    open_flags = PriceFlag.objects.filter(provider=provider, status=PriceFlag.Status.OPEN).count()
    return render(
        request,
        "catalogue/workbench/provider.html",
        {
            "provider": provider,
            "items": items,
            "package": package,
            "breakdown": breakdown,
            "open_flags": open_flags,
            "is_admin": is_provider_admin(request.user, provider),
            "breadcrumbs": _crumbs(None, (provider.name, None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request, slug):
    provider = get_managed_or_404(request.user, Provider.objects, slug=slug)
    if not is_provider_admin(request.user, provider):
        raise PermissionDenied
    form = ProviderProfileForm(request.POST or None, instance=provider)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("机构信息已保存。"))
        return redirect("catalogue_workbench:provider", slug=provider.slug)
    return render(
        request,
        "catalogue/workbench/form.html",
        {
            "provider": provider,
            "forms": [form],
            "title": _("编辑机构信息"),
            "submit": _("保存"),
            "breadcrumbs": _crumbs(provider, (_("编辑机构信息"), None)),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request, slug):
    provider = get_managed_or_404(request.user, Provider.objects, slug=slug)
    item_form = ServiceItemForm(request.POST or None, provider=provider, prefix="item")
    price_form = PriceForm(request.POST or None, prefix="price")
    if request.method == "POST" and item_form.is_valid() and price_form.is_valid():
        try:
            with transaction.atomic():
                item = item_form.save()
                version = publish_price(item, **price_form.price_fields(), user=request.user)
        except ValidationError as exc:
            price_form.apply_errors(exc)
            item_form.instance.pk = None
            item_form.instance._state.adding = True
        else:
            _announce(request, version)
            return redirect("catalogue_workbench:provider", slug=provider.slug)
    return render(
        request,
        "catalogue/workbench/form.html",
        {
            "provider": provider,
            "forms": [item_form, price_form],
            "title": _("新增服务项目"),
            "submit": _("保存并公示价格"),
            "breadcrumbs": _crumbs(provider, (_("新增服务项目"), None)),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk):
    item = get_managed_or_404(request.user, ServiceItem.objects.select_related("provider"), pk=pk)
    form = ServiceItemForm(request.POST or None, instance=item, provider=item.provider)
    if request.method == "POST" and form.is_valid():
        form.save()
        bump_stats_generation()
        messages.success(request, _("项目已保存。价格请通过“发布新价格”调整。"))
        return redirect("catalogue_workbench:provider", slug=item.provider.slug)
    return render(
        request,
        "catalogue/workbench/form.html",
        {
            "provider": item.provider,
            "forms": [form],
            "title": _("编辑项目：%(name)s") % {"name": item.name},
            "submit": _("保存"),
            "breadcrumbs": _crumbs(item.provider, (item.name, None)),
        },
        status=400 if request.method == "POST" else 200,
    )


def _announce(request, version):
    if version.is_upcoming:
        messages.success(
            request,
            _("新价格 ¥%(price)s 将于 %(date)s 生效，已作为即将调整公示。")
            % {"price": version.price, "date": version.effective_from.isoformat()},
        )
    else:
        messages.success(request, _("新价格 ¥%(price)s 已生效并公示。") % {"price": version.price})
    if hasattr(version, "flag"):
        messages.warning(
            request,
            _("该价格为全市同类中位数 ¥%(median)s 的 %(ratio)s 倍，已提交民政局复核，价格照常公示（F2）。")
            % {"median": version.flag.median, "ratio": version.flag.ratio},
        )


@login_required
@require_http_methods(["GET", "POST"])
def item_price(request, pk):
    item = get_managed_or_404(request.user, ServiceItem.objects.select_related("provider", "category"), pk=pk)
    latest = latest_version(item)
    form = PriceForm(request.POST or None, seen_version=latest.pk if latest else None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            version = publish_price(
                item,
                user=request.user,
                expected_version=form.cleaned_data["seen_version"],
                **form.price_fields(),
            )
        except StalePriceError as exc:
            form.rebase(exc.current)
            form.apply_errors(exc)
            status = 409
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            _announce(request, version)
            return redirect("catalogue_workbench:provider", slug=item.provider.slug)
    history = list(item.versions.order_by("-effective_from", "-id")[:10])
    guide = ceiling_for(item.category, item.basis, today())
    return render(
        request,
        "catalogue/workbench/price.html",
        {
            "provider": item.provider,
            "item": item,
            "form": form,
            "history": history,
            "guide": guide,
            "breadcrumbs": _crumbs(item.provider, (_("发布新价格：%(name)s") % {"name": item.name}, None)),
        },
        status=status,
    )


@login_required
@require_GET
def flags(request, slug):
    provider = get_managed_or_404(request.user, Provider.objects, slug=slug)
    flag_list = scope(request.user, PriceFlag).filter(provider=provider).select_related("version__item")
    return render(
        request,
        "catalogue/workbench/flags.html",
        {
            "provider": provider,
            "flags": flag_list,
            "high": settings.F2_ANOMALY_HIGH_RATIO,
            "low": settings.F2_ANOMALY_LOW_RATIO,
            "breadcrumbs": _crumbs(provider, (_("价格异常标记"), None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def package(request, slug):
    provider = get_managed_or_404(request.user, Provider.objects, slug=slug)
    package = standard_package()
    if package is None:
        messages.error(request, _("民政局尚未发布标准服务包。"))
        return redirect("catalogue_workbench:provider", slug=provider.slug)
    form = PackageMappingForm(request.POST or None, provider=provider, package=package)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("标准服务包对应关系已保存。"))
        return redirect("catalogue_workbench:provider", slug=provider.slug)
    return render(
        request,
        "catalogue/workbench/form.html",
        {
            "provider": provider,
            "forms": [form],
            "title": _("标准服务包：%(name)s") % {"name": package.name},
            "intro": _(
                "为服务包的每个组成选择一项本机构的服务，服务包价格由所选项目的现行价格自动计算（F6），不能手工填写。"
            ),
            "submit": _("保存"),
            "breadcrumbs": _crumbs(provider, (package.name, None)),
        },
        status=400 if request.method == "POST" else 200,
    )
