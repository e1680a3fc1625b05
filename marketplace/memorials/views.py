"""Public and keeper pages of online memorials (M1). Views parse input, call ``services``
and render; every rule is in the services."""

from io import BytesIO

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.services import client_ip
from core.verification import DocumentIntegrityError, read_verified, record_integrity_failure

from . import services
from .forms import (
    AccessCodeForm,
    InviteForm,
    MemorialForm,
    NewMemorialForm,
    ReminderForm,
    ReportForm,
    SettingsForm,
    TributeForm,
    add_refusal,
)
from .models import MemberRole, Memorial, MemorialMember, TributeStatus, Visibility
from .photo_forms import PhotoForm, add_photo_refusal
from .services import MemorialRefused
from .services import photos as photo_services
from .services.memorials import biography_to_text
from .services.reminders import set_reminder
from .services.tributes import held_tributes


def _crumbs(*tail):
    return [(_("网上祭扫"), reverse("memorials:index")), *tail]


def index(request):
    query = (request.GET.get("q") or "").strip()[:60]
    memorials = Memorial.objects.public().select_related("resting_provider").order_by("-created_at", "-id")
    if query:
        memorials = memorials.filter(name__icontains=query)
    page = Paginator(memorials, settings.M1_MEMORIALS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "memorials/index.html",
        {"page_obj": page, "query": query, "breadcrumbs": [(_("网上祭扫"), None)]},
    )


def _content_data(form):
    data = dict(form.cleaned_data)
    for key in ("order", "declaration", "confirm", "visibility", "access_code", "approve_messages"):
        data.pop(key, None)
    return data


@require_http_methods(["GET", "POST"])
def new(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_real_name_verified:
        return render(
            request,
            "memorials/needs_real_name.html",
            {"breadcrumbs": _crumbs((_("创建纪念馆"), None))},
            status=403,
        )
    form = NewMemorialForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            memorial = services.create_memorial(
                request.user,
                order=data["order"],
                declaration=data["declaration"],
                visibility=data["visibility"],
                access_code=data["access_code"],
                approve_messages=data["approve_messages"],
                **_content_data(form),
            )
        except MemorialRefused as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("纪念馆已建立。"))
            return redirect(memorial.get_absolute_url())
    return render(
        request,
        "memorials/form.html",
        {
            "form": form,
            "title": _("创建纪念馆"),
            "submit": _("建立纪念馆"),
            "breadcrumbs": _crumbs((_("创建纪念馆"), None)),
        },
        status=400 if form.errors else 200,
    )


def _detail_context(request, memorial, role, tribute_form=None):
    keeper = role in services.memorials.KEEPER_ROLES
    return {
        "memorial": memorial,
        "role": role,
        "is_keeper": keeper,
        "tributes": list(services.visible_tributes(memorial)[: settings.M1_TRIBUTES_ON_PAGE]),
        "photos": photo_services.photos_of(memorial),
        "tribute_form": tribute_form or TributeForm(),
        "noindex": not memorial.is_public,
        "breadcrumbs": _crumbs((memorial.name, None)),
    }


def detail(request, token):
    memorial, role, locked = services.viewable_or_404(token, request.user, request.session)
    if locked:
        return redirect("memorials:access", token=token)
    return render(request, "memorials/detail.html", _detail_context(request, memorial, role))


@require_POST
def tribute(request, token):
    memorial, role, locked = services.viewable_or_404(token, request.user, request.session)
    if locked:
        return redirect("memorials:access", token=token)
    if not request.user.is_authenticated:
        return redirect_to_login(memorial.get_absolute_url())
    form = TributeForm(request.POST)
    if form.is_valid():
        try:
            left = services.leave_tribute(
                memorial, request.user, session=request.session, **form.cleaned_data
            )
        except MemorialRefused as error:
            add_refusal(form, error)
        else:
            if left.status == TributeStatus.PUBLISHED:
                messages.success(request, _("祭奠已送达。"))
            elif left.status == TributeStatus.PENDING:
                messages.success(request, _("留言已提交，馆主审核后显示。"))
            else:
                messages.success(request, _("留言已提交，审核后显示。"))
            return redirect(f"{memorial.get_absolute_url()}#tributes")
    return render(
        request,
        "memorials/detail.html",
        _detail_context(request, memorial, role, tribute_form=form),
        status=400,
    )


@require_http_methods(["GET", "POST"])
def access(request, token):
    memorial, role, locked = services.viewable_or_404(token, request.user, request.session)
    if not locked:
        return redirect(memorial.get_absolute_url())
    form = AccessCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.check_access_code(
                memorial, form.cleaned_data["code"], ip=client_ip(request), session=request.session
            )
        except MemorialRefused as error:
            add_refusal(form, error)
        else:
            return redirect(memorial.get_absolute_url())
    return render(
        request,
        "memorials/access.html",
        {
            "memorial": memorial,
            "form": form,
            "has_code": memorial.has_access_code,
            "noindex": True,
            "breadcrumbs": _crumbs((_("私密纪念馆"), None)),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def report(request, token, tribute_id=None):
    memorial, role, locked = services.viewable_or_404(token, request.user, request.session)
    if locked or memorial.is_hidden:
        raise Http404
    reported = None
    if tribute_id is not None:
        reported = services.visible_tributes(memorial).filter(pk=tribute_id).first()
        if reported is None:
            raise Http404
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report(
                memorial,
                reason=form.cleaned_data["reason"],
                reporter=request.user,
                ip=client_ip(request),
                tribute=reported,
            )
        except MemorialRefused as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("举报已收到，民政局工作人员会处理。"))
            return redirect(memorial.get_absolute_url())
    return render(
        request,
        "memorials/report.html",
        {
            "memorial": memorial,
            "reported": reported,
            "form": form,
            "noindex": True,
            "breadcrumbs": _crumbs((memorial.name, memorial.get_absolute_url()), (_("举报"), None)),
        },
        status=400 if form.errors else 200,
    )


def _initial(memorial):
    return {
        "name": memorial.name,
        "birth_date": memorial.birth_date,
        "death_date": memorial.death_date,
        "epitaph": memorial.epitaph,
        "biography": biography_to_text(memorial.biography),
        "resting_kind": memorial.resting_kind,
        "resting_provider": memorial.resting_provider,
        "resting_plot": memorial.resting_plot,
        "sea_date": memorial.sea_date,
        "sea_area": memorial.sea_area,
        "resting_note": memorial.resting_note,
    }


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, token):
    memorial = services.kept_or_404(token, request.user)
    form = MemorialForm(request.POST or None, initial=_initial(memorial))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_memorial(memorial, request.user, **form.cleaned_data)
        except MemorialRefused as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("纪念馆内容已保存。"))
            return redirect(memorial.get_absolute_url())
    return render(
        request,
        "memorials/form.html",
        {
            "form": form,
            "memorial": memorial,
            "title": _("编辑纪念馆"),
            "submit": _("保存"),
            "noindex": True,
            "breadcrumbs": _crumbs((memorial.name, memorial.get_absolute_url()), (_("编辑"), None)),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage(request, token):
    memorial = services.kept_or_404(token, request.user)
    action = request.POST.get("action")
    settings_form = SettingsForm(
        request.POST if action == "settings" else None,
        initial={"visibility": memorial.visibility, "approve_messages": memorial.approve_messages},
    )
    invite_form = InviteForm(request.POST if action == "invite" else None)
    membership = MemorialMember.objects.get(memorial=memorial, user=request.user)
    reminder_form = ReminderForm(
        request.POST if action == "reminder" else None,
        initial={"anniversary_sms": membership.anniversary_sms},
    )
    if action == "settings" and settings_form.is_valid():
        try:
            services.update_settings(memorial, request.user, **settings_form.cleaned_data)
        except MemorialRefused as error:
            add_refusal(settings_form, error)
        else:
            messages.success(request, _("设置已保存。"))
            return redirect("memorials:manage", token=token)
    elif action == "invite" and invite_form.is_valid():
        try:
            services.invite(memorial, request.user, **invite_form.cleaned_data)
        except MemorialRefused as error:
            add_refusal(invite_form, error)
        else:
            messages.success(request, _("邀请已发出，对方登录后在“我的纪念馆”中接受。"))
            return redirect("memorials:manage", token=token)
    elif action == "reminder" and reminder_form.is_valid():
        on = set_reminder(memorial, request.user, reminder_form.cleaned_data["anniversary_sms"])
        messages.success(request, _("已开启忌日短信提醒。") if on else _("已关闭忌日短信提醒。"))
        return redirect("memorials:manage", token=token)
    elif action in ("approve", "reject"):
        try:
            tribute_id = int(request.POST.get("tribute", ""))
        except ValueError as error:
            raise Http404 from error
        services.decide_tribute(memorial, request.user, tribute_id, approve=action == "approve")
        messages.success(request, _("留言已发布。") if action == "approve" else _("留言未予发布。"))
        return redirect("memorials:manage", token=token)
    return render(
        request,
        "memorials/manage.html",
        {
            "memorial": memorial,
            "settings_form": settings_form,
            "invite_form": invite_form,
            "reminder_form": reminder_form,
            "reminder_days": settings.M1_ANNIVERSARY_SMS_DAYS_BEFORE,
            "held": list(held_tributes(memorial)),
            "members": list(MemorialMember.objects.filter(memorial=memorial).select_related("user")),
            "invitations": list(
                memorial.invitations.filter(accepted_at__isnull=True).order_by("-created_at")
            ),
            "private": memorial.visibility == Visibility.PRIVATE,
            "noindex": True,
            "breadcrumbs": _crumbs((memorial.name, memorial.get_absolute_url()), (_("管理"), None)),
        },
        status=400 if settings_form.errors or invite_form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def mine(request):
    if request.method == "POST":
        try:
            invitation_id = int(request.POST.get("invitation", ""))
        except ValueError as error:
            raise Http404 from error
        memorial = services.accept_invitation(request.user, invitation_id)
        messages.success(request, _("已接受邀请。"))
        return redirect(memorial.get_absolute_url())
    roles = MemorialMember.objects.filter(user=request.user).select_related("memorial").order_by("-added_at")
    return render(
        request,
        "memorials/mine.html",
        {
            "kept": [m for m in roles if m.role != MemberRole.VISITOR],
            "visiting": [m for m in roles if m.role == MemberRole.VISITOR],
            "invitations": list(services.pending_invitations(request.user)),
            "can_create": request.user.is_real_name_verified,
            "breadcrumbs": _crumbs((_("我的纪念馆"), None)),
        },
    )


# --- Photos (M1) -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def photos(request, token):
    """The keeper's photo page: upload (content checked, metadata stripped) and delete."""
    memorial = services.kept_or_404(token, request.user)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            photo_services.add_photo(memorial, request.user, **form.cleaned_data)
        except MemorialRefused as error:
            add_photo_refusal(form, error)
        else:
            messages.success(request, _("照片已上传。"))
            return redirect("memorials:photos", token=token)
    photo_list = photo_services.photos_of(memorial)
    return render(
        request,
        "memorials/photos.html",
        {
            "memorial": memorial,
            "form": form,
            "photos": photo_list,
            "room": max(settings.M1_PHOTOS_PER_MEMORIAL - len(photo_list), 0),
            "limit": settings.M1_PHOTOS_PER_MEMORIAL,
            "noindex": True,
            "breadcrumbs": _crumbs((memorial.name, memorial.get_absolute_url()), (_("照片"), None)),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def photo_delete(request, token, photo_id):
    memorial = services.kept_or_404(token, request.user)
    photo_services.delete_photo(memorial, request.user, photo_id)
    messages.success(request, _("照片已删除。"))
    return redirect("memorials:photos", token=token)


@require_GET
def photo(request, token, photo_id):
    """A photo's bytes, exactly as the memorial's page may be seen, and only if they still have
    the SHA-256 recorded at upload (otherwise 409, recorded as a security event)."""
    memorial, shown = photo_services.photo_or_404(token, photo_id, request.user, request.session)
    try:
        data = read_verified(shown, file_field="file", sha_field="sha256")
    except DocumentIntegrityError as error:
        record_integrity_failure(error, request)
        response = render(
            request,
            "core/stored_file_integrity_failed.html",
            {"missing": error.missing, "subject": shown, "breadcrumbs": _crumbs((memorial.name, None))},
            status=409,
        )
        response["Cache-Control"] = "private, no-store"
        return response
    response = FileResponse(BytesIO(data), content_type=shown.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    # A public memorial's photo may be cached but is revalidated (so every fetch is checked);
    # any other memorial's only by this browser, never stored.
    response["Cache-Control"] = "public, no-cache" if memorial.is_public else "private, no-store"
    if not memorial.is_public:
        response["X-Robots-Tag"] = "noindex"
    return response
