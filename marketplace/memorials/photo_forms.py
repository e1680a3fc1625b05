"""The keeper's photo upload form (M1). It parses input; ``services.photos`` checks the content,
the size and the count, and strips the metadata."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SpecificErrorsMixin

from .models import MemorialPhoto

# Which field a refusal of ``services.photos`` belongs to (its ``code``); others go to the top.
PHOTO_REFUSAL_FIELDS = {"image": "image", "alt_text": "alt_text"}


class PhotoForm(SpecificErrorsMixin, forms.Form):
    image = forms.FileField(
        label=_("照片"),
        help_text=_("JPG、PNG 或 WebP 格式。上传后会去除拍摄地点等全部附加信息，并缩小到适合网页的尺寸。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_text = forms.CharField(
        label=_("照片内容描述"),
        max_length=MemorialPhoto._meta.get_field("alt_text").max_length,
        help_text=_("为看不见图片的访客描述照片，如：父亲在家中书房的留影。"),
    )
    caption = forms.CharField(
        label=_("图片说明（可选）"),
        max_length=MemorialPhoto._meta.get_field("caption").max_length,
        required=False,
    )


def add_photo_refusal(form, error):
    field = PHOTO_REFUSAL_FIELDS.get(error.code)
    form.add_error(field, error.messages)
