import re

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import VerifyCodeForm, VerifyUploadForm
from .models import VerifiableDocument
from .verification import (
    CODE_ALPHABET,
    DocumentIntegrityError,
    check_upload,
    current_state,
    current_version,
    normalise_code,
    open_verified,
    record_integrity_failure,
)

CODE_PATTERN = re.compile(rf"^[{CODE_ALPHABET}]{{4}}(-[{CODE_ALPHABET}]{{4}}){{3}}$")


def _index_page(request, form, status=200):
    return render(
        request,
        "core/verify_index.html",
        {"form": form, "breadcrumbs": [(_("文书核验"), None)]},
        status=status,
    )


def _format_detail(normalised):
    """What exactly is wrong with a code that is not of the right shape: the first character
    that no code uses (counted without spaces and hyphens), or how many characters were typed."""
    characters = normalised.replace("-", "")
    for position, char in enumerate(characters, start=1):
        if char not in CODE_ALPHABET:
            return _(
                "第%(position)s个字符“%(char)s”不会出现在核验码中（不计空格和连字符），核验码只由数字和字母组成，不含字母 U。请核对后重新输入。"
            ) % {"position": position, "char": char}
    if not characters:
        return _("您没有输入任何字母或数字，请输入文书上印的核验码。")
    return _("您输入了 %(count)s 位，请对照文书补全或删去多余的字符后重新输入。") % {"count": len(characters)}


def _code_error(form, code):
    """Stay on the form, the code kept in the input, with what is wrong about it."""
    normalised = normalise_code(code)
    if not CODE_PATTERN.match(normalised):
        form.add_error(
            "code",
            " ".join(
                (
                    _("核验码格式不正确：应为 16 位字母和数字（分 4 组），例如 ABCD-EFGH-JKMN-PQRS。"),
                    _format_detail(normalised),
                )
            ),
        )
        return 400
    if not VerifiableDocument.objects.filter(code=normalised).exists():
        form.add_error(
            "code", _("未找到核验码为 %(code)s 的文书，请核对文书上印的核验码。") % {"code": normalised}
        )
        return 404
    return None


@require_http_methods(["GET"])
def index(request):
    form = VerifyCodeForm(request.GET or None)
    if request.GET and form.is_valid():
        status = _code_error(form, form.cleaned_data["code"])
        if status is None:
            return redirect("verify:detail", code=normalise_code(form.cleaned_data["code"]))
        return _index_page(request, form, status)
    return _index_page(request, form, 400 if request.GET else 200)


@require_http_methods(["GET", "POST"])
def detail(request, code):
    normalised = normalise_code(code)
    form = VerifyCodeForm({"code": code})
    status = _code_error(form, code) if form.is_valid() else 400
    if status is not None:
        return _index_page(request, form, status)
    if normalised != code:
        return redirect("verify:detail", code=normalised)
    document = VerifiableDocument.objects.get(code=normalised)
    upload_form = VerifyUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and upload_form.is_valid():
        result = check_upload(document, upload_form.cleaned_data["file"].read())
    # The archived file itself is checked on every view: a page that says 有效 must mean that
    # the stored bytes are still the ones the platform issued.
    integrity_error = None
    try:
        open_verified(document)
    except DocumentIntegrityError as error:
        integrity_error = error
        record_integrity_failure(error, request)
    return render(
        request,
        "core/verify_detail.html",
        {
            "document": document,
            "form": upload_form,
            "result": result,
            "integrity_error": integrity_error,
            "state": current_state(document),
            "replacement": current_version(document) if document.superseded_by_id else None,
            "breadcrumbs": [(_("文书核验"), None)],
        },
        status=409 if integrity_error else 200,
    )
