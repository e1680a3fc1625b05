from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SpecificErrorsMixin

from . import registry


class SearchForm(SpecificErrorsMixin, forms.Form):
    q = forms.CharField(
        label=_("搜索内容"),
        max_length=100,
        required=False,
        help_text=_(
            "可输入机构名称、统一社会信用代码、慈善项目、捐赠人或办事事项，多个词用空格分开；"
            "也可以输入拼音或拼音首字母，例如“yanglao”或“yl”。"
        ),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "enterkeyhint": "search"}),
    )
    type = forms.ChoiceField(label=_("类型"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("全部类型"))] + [
            (t.key, t.label) for t in registry.document_types()
        ]
        self.fields["q"].widget.attrs["aria-describedby"] = "id_q_helptext"
