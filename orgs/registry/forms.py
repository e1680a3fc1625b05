from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import MobileField
from core.forms import SpecificErrorsMixin

from .models import MemberRole, Organization


class ProfileForm(SpecificErrorsMixin, forms.ModelForm):
    """What an organisation's own staff may change: never the registry fields."""

    class Meta:
        model = Organization
        fields = list(Organization.MEMBER_EDITABLE_FIELDS)
        widgets = {"introduction": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "introduction": _(
                "向公众介绍机构的宗旨和主要工作。名称、法定代表人等登记事项需向登记管理机关申请变更登记。"
            )
        }


class InviteForm(SpecificErrorsMixin, forms.Form):
    mobile = MobileField(
        help_text=_("被邀请人用该手机号码注册或以短信验证码登录、证明号码属于本人后，即可加入本机构。")
    )

    def __init__(self, *args, roles=(MemberRole.FILER,), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"] = forms.ChoiceField(
            label=_("角色"), choices=[(role, MemberRole(role).label) for role in roles], initial=roles[0]
        )
