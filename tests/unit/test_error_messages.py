"""Issue 18, point 7: every field error says what to do. Every form the project defines
inherits ``core.forms.SpecificErrorsMixin``, so a new form gets "请填写" + label instead of
Django's generic "这个字段是必填项" without anyone remembering to ask for it."""

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.utils import translation

from core.forms import SpecificErrorsMixin, required_message

# Apps whose owners apply the one-line change (inherit the mixin) in their own work: a form of
# theirs still without it is an expected failure; once it inherits, it is checked like any other.
# Empty this when they have.
PENDING = ()


def _form_modules():
    for app in settings.PROJECT_APPS:
        package = importlib.import_module(app)
        directory = Path(package.__file__).parent
        for info in pkgutil.iter_modules([str(directory)]):
            if info.name == "forms" or info.name.endswith("_forms"):
                yield importlib.import_module(f"{app}.{info.name}")


def _project_forms():
    found = {}
    for module in _form_modules():
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
                and not name.startswith("_")
            ):
                found[f"{module.__name__}.{name}"] = value
    return found


FORMS = _project_forms()


def test_the_walk_finds_the_project_forms():
    assert "accounts.forms.SignInForm" in FORMS and "orgs.reports.forms.ReportForm" in FORMS


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(path, marks=pytest.mark.xfail(strict=True, reason="owner applies the mixin"))
        if path.startswith(PENDING) and not issubclass(FORMS[path], SpecificErrorsMixin)
        else path
        for path in sorted(FORMS)
    ],
)
def test_every_project_form_says_what_to_do_when_a_field_is_wrong(path):
    assert issubclass(FORMS[path], SpecificErrorsMixin), (
        f"{path} should inherit core.forms.SpecificErrorsMixin"
    )


class _Example(SpecificErrorsMixin, forms.Form):
    name = forms.CharField(label="逝者姓名")
    kind = forms.ChoiceField(label="服务类别", choices=[("a", "A")])
    when = forms.DateField(label="服务日期")
    count = forms.IntegerField(label="人数")
    agreed = forms.BooleanField(label="我已阅读服务条款")
    own = forms.CharField(label="核验码", error_messages={"required": "请输入文书上的核验码。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["added"] = forms.FileField(label="证据材料")


def test_required_and_format_messages_name_the_field_and_keep_a_forms_own_message():
    with translation.override("zh-hans"):
        form = _Example({"when": "31/03/2026", "count": "三"})
        assert not form.is_valid()
        assert form.errors == {
            "name": ["请填写逝者姓名"],
            "kind": ["请选择服务类别"],
            "when": ["请按“2026-03-31”的格式填写服务日期"],
            "count": ["人数请填写整数"],
            "agreed": ["请勾选“我已阅读服务条款”"],
            "own": ["请输入文书上的核验码。"],
            "added": ["请上传证据材料"],
        }


def test_the_messages_follow_the_language_of_the_request():
    with translation.override("en"):
        assert str(required_message(forms.CharField(), "Mobile number")) in (
            "Enter mobile number",
            "请填写mobile number",
        )
        assert str(required_message(forms.CharField(), "USCC")) in ("Enter USCC", "请填写USCC")
