from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import VerifyCodeForm, VerifyUploadForm
from .models import VerifiableDocument
from .verification import check_upload, normalise_code


@require_http_methods(["GET"])
def index(request):
    form = VerifyCodeForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("verify:detail", code=normalise_code(form.cleaned_data["code"]))
    return render(request, "core/verify_index.html", {"form": form, "breadcrumbs": [(_("文书核验"), None)]})


@require_http_methods(["GET", "POST"])
def detail(request, code):
    normalised = normalise_code(code)
    if normalised != code:
        return redirect("verify:detail", code=normalised)
    document = get_object_or_404(VerifiableDocument, code=normalised)
    form = VerifyUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = check_upload(document, form.cleaned_data["file"].read())
    return render(
        request,
        "core/verify_detail.html",
        {
            "document": document,
            "form": form,
            "result": result,
            "breadcrumbs": [(_("文书核验"), None)],
        },
    )
