"""Forms of the memorial pages. They parse input; the rules are in ``services`` (M1)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SpecificErrorsMixin

from .models import MemberRole, RestingKind, TributeKind, Visibility
from .services.memorials import orders_matching, resting_providers

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Which form field a service refusal belongs to (its ``code``); others go to the top.
REFUSAL_FIELDS = {
    "name": "name",
    "not_deceased": "death_date",
    "birth": "birth_date",
    "birth_after_death": "birth_date",
    "resting_kind": "resting_kind",
    "resting_provider": "resting_provider",
    "sea": "sea_area",
    "sea_date": "sea_date",
    "resting_note": "resting_note",
    "order": "order",
    "order_name": "order",
    "provenance": "declaration",
    "visibility": "visibility",
    "access_code": "access_code",
    "message": "message",
    "kind": "kind",
    "reason": "reason",
    "wrong_code": "code",
    "mobile": "mobile",
    "role": "role",
    "member": "mobile",
}


def add_refusal(form, error):
    field = REFUSAL_FIELDS.get(error.code)
    form.add_error(field if field in form.fields else None, error.messages)


class MemorialForm(SpecificErrorsMixin, forms.Form):
    name = forms.CharField(label=_("逝者姓名"), max_length=60)
    birth_date = forms.DateField(label=_("出生日期"), widget=DATE)
    death_date = forms.DateField(label=_("逝世日期"), widget=DATE, help_text=_("纪念馆只为已故之人建立。"))
    epitaph = forms.CharField(
        label=_("纪念语"), max_length=120, required=False, help_text=_("一句话，不超过 120 字。")
    )
    biography = forms.CharField(
        label=_("生平"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("段落之间空一行；以“>”开头的段落显示为引文。"),
    )
    resting_kind = forms.ChoiceField(
        label=_("安息方式"), choices=RestingKind.choices, widget=forms.RadioSelect
    )
    resting_provider = forms.ModelChoiceField(
        label=_("公墓、骨灰堂或殡仪馆"),
        queryset=resting_providers(),
        required=False,
        help_text=_("安息方式选“公墓、骨灰堂或殡仪馆”时填写。"),
    )
    resting_plot = forms.CharField(label=_("墓区、墓号或格位"), max_length=120, required=False)
    sea_date = forms.DateField(label=_("海葬日期"), widget=DATE, required=False, help_text=_("海葬时填写。"))
    sea_area = forms.CharField(
        label=_("海葬海域"), max_length=120, required=False, help_text=_("海葬时填写，如：天津大沽口海域。")
    )
    resting_note = forms.CharField(
        label=_("安息之所说明"),
        max_length=200,
        required=False,
        help_text=_("树葬、花葬等节地生态安葬或其他方式时填写。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resting_provider"].queryset = resting_providers()


class NewMemorialForm(MemorialForm):
    order = forms.ModelChoiceField(
        label=_("引用平台订单（核验逝者信息）"),
        queryset=None,
        required=False,
        empty_label=_("不引用订单，改为填写亲属声明"),
        help_text=_("订单上的逝者姓名与所填姓名一致时，纪念馆显示“已核验逝者信息”。"),
    )
    declaration = forms.CharField(
        label=_("亲属声明"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("未引用订单时必填：写明您与逝者的关系，并声明逝者已经去世。"),
    )
    confirm = forms.BooleanField(
        label=_("我确认以上信息真实：我是逝者的亲属，逝者已经去世。"),
        required=True,
        error_messages={"required": _("请确认信息真实。")},
    )
    visibility = forms.ChoiceField(
        label=_("公开范围"), choices=Visibility.choices, initial=Visibility.PUBLIC, widget=forms.RadioSelect
    )
    access_code = forms.CharField(
        label=_("访问码（私密纪念馆可选）"),
        required=False,
        max_length=64,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("设置后，知道访问码的人可以进入私密纪念馆。只保存其摘要，忘记后可重新设置。"),
    )
    approve_messages = forms.BooleanField(label=_("留言经我审核后再发布"), required=False)

    field_order = [
        "name",
        "birth_date",
        "death_date",
        "epitaph",
        "biography",
        "resting_kind",
        "resting_provider",
        "resting_plot",
        "sea_date",
        "sea_area",
        "resting_note",
        "order",
        "declaration",
        "visibility",
        "access_code",
        "approve_messages",
        "confirm",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].queryset = orders_matching(user)
        self.fields["order"].label_from_instance = lambda order: (
            _("%(ref)s · 逝者 %(name)s · %(provider)s")
            % {
                "ref": order.reference,
                "name": order.deceased_name,
                "provider": order.provider.name,
            }
        )


class SettingsForm(SpecificErrorsMixin, forms.Form):
    visibility = forms.ChoiceField(label=_("公开范围"), choices=Visibility.choices, widget=forms.RadioSelect)
    access_code = forms.CharField(
        label=_("新的访问码"),
        required=False,
        max_length=64,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("仅私密纪念馆使用；留空则不修改。"),
    )
    clear_access_code = forms.BooleanField(label=_("停用访问码（只允许受邀账户进入）"), required=False)
    approve_messages = forms.BooleanField(label=_("留言经馆主审核后再发布"), required=False)


class ReminderForm(SpecificErrorsMixin, forms.Form):
    anniversary_sms = forms.BooleanField(label=_("每年忌日前短信提醒我"), required=False)


class InviteForm(SpecificErrorsMixin, forms.Form):
    mobile = forms.CharField(
        label=_("受邀人手机号码"),
        max_length=11,
        help_text=_("对方用该号码注册的账户登录后，在“我的纪念馆”中接受邀请。"),
    )
    role = forms.ChoiceField(
        label=_("邀请身份"),
        choices=[
            (MemberRole.VISITOR, MemberRole.VISITOR.label),
            (MemberRole.CO_KEEPER, MemberRole.CO_KEEPER.label),
        ],
        widget=forms.RadioSelect,
        initial=MemberRole.VISITOR,
    )


class TributeForm(SpecificErrorsMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("祭奠方式"), choices=TributeKind.choices, initial=TributeKind.FLOWER, widget=forms.RadioSelect
    )
    message = forms.CharField(
        label=_("留言"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("选择“留言”时填写，不超过 500 字。祭奠均免费。"),
    )
    signed_as = forms.CharField(
        label=_("署名"), required=False, max_length=30, help_text=_("留空则使用您的账户昵称。")
    )


class AccessCodeForm(SpecificErrorsMixin, forms.Form):
    code = forms.CharField(
        label=_("访问码"), max_length=64, widget=forms.PasswordInput(attrs={"autocomplete": "off"})
    )


class ReportForm(SpecificErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("举报理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("请写明问题所在，民政局工作人员会处理。"),
    )
