from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _label_for_message(label):
    """The field's label as it reads inside a sentence: no trailing colon, and in English
    a lower-case first letter unless the label starts with an acronym ("USCC")."""
    text = str(label).strip().rstrip(":：")
    if (get_language() or "").startswith("en") and text[:1].isupper() and not text[1:2].isupper():
        text = text[:1].lower() + text[1:]
    return text


def _say(template, label):
    return gettext(template).format(label=_label_for_message(label))


_lazy_say = lazy(_say, str)


def required_message(field, label):
    """What to do when a required field is empty, built from its label: "请填写逝者姓名",
    "请选择服务类别", "请上传证据材料", "请勾选“我已阅读…”"."""
    if isinstance(field, forms.BooleanField):
        return _lazy_say(gettext_noop("请勾选“{label}”"), label)
    if isinstance(field, forms.FileField):
        return _lazy_say(gettext_noop("请上传{label}"), label)
    if isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)):
        return _lazy_say(gettext_noop("请选择{label}"), label)
    return _lazy_say(gettext_noop("请填写{label}"), label)


def _invalid_message(field, label):
    """A specific message for badly formed input, or None to keep the field's own."""
    if isinstance(field, forms.DateTimeField):
        return _lazy_say(gettext_noop("请按“2026-03-31 09:30”的格式填写{label}"), label)
    if isinstance(field, forms.DateField):
        return _lazy_say(gettext_noop("请按“2026-03-31”的格式填写{label}"), label)
    if isinstance(field, forms.TimeField):
        return _lazy_say(gettext_noop("请按“09:30”的格式填写{label}"), label)
    if isinstance(field, forms.IntegerField):
        return _lazy_say(gettext_noop("{label}请填写整数"), label)
    if isinstance(field, (forms.DecimalField, forms.FloatField)):
        return _lazy_say(gettext_noop("{label}请填写数字，例如 12345.67"), label)
    if isinstance(field, forms.EmailField):
        return _lazy_say(gettext_noop("{label}请填写有效的电子邮箱地址，例如 name@example.com"), label)
    return None


def _is_default(field, key):
    """True when the field still carries Django's generic message for ``key``, i.e. the
    form did not write its own."""
    current = field.error_messages.get(key)
    if current is None:
        return False
    for klass in type(field).__mro__:
        default = getattr(klass, "default_error_messages", {}).get(key)
        if default is not None:
            return current is default or str(current) == str(default)
    return False


class SpecificErrorsMixin:
    """Every field error says what to do (GOV.UK style) instead of Django's generic
    "这个字段是必填项。": the required message is built from the field's label ("请填写" +
    label, "请选择" + label for choices…), and malformed dates, numbers and e-mail
    addresses name the expected format. Messages a form writes itself are kept.

    Every project form inherits it (``tests/unit/test_error_messages.py`` walks them)."""

    def full_clean(self):
        # At clean time, so fields a form adds in its own __init__ are covered too.
        self.specify_error_messages()
        super().full_clean()

    def specify_error_messages(self):
        for name, field in self.fields.items():
            label = field.label if field.label is not None else pretty_name(name)
            if _is_default(field, "required"):
                field.error_messages["required"] = required_message(field, label)
            if _is_default(field, "invalid"):
                message = _invalid_message(field, label)
                if message is not None:
                    field.error_messages["invalid"] = message


class VerifyCodeForm(SpecificErrorsMixin, forms.Form):
    code = forms.CharField(
        label=_("核验码"), max_length=40, help_text=_("文书上印有的 16 位核验码，例如 ABCD-EFGH-JKMN-PQRS。")
    )


class VerifyUploadForm(SpecificErrorsMixin, forms.Form):
    file = forms.FileField(
        label=_("选择 PDF 文件"),
        help_text=_("上传您持有的文件，平台将比对其与存档原件是否完全一致，并校验电子印章。"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件过大（上限 20 MB）。"))
        return upload


def add_service_error(form, error):
    """Put a service's ``ValidationError`` on ``form``: each field's messages on that field when the
    form has it, the rest (and a plain error or message) on the form as a whole."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))
