from django import forms
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class VerifyCodeForm(forms.Form):
    code = forms.CharField(
        label=_("核验码"), max_length=40, help_text=_("文书上印有的 16 位核验码，例如 ABCD-EFGH-JKMN-PQRS。")
    )


class VerifyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("选择 PDF 文件"),
        help_text=_("上传您持有的文件，平台将比对其与存档原件是否完全一致，并校验电子印章。"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件过大（上限 20 MB）。"))
        return upload
