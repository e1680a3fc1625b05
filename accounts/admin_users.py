"""The bureau's user screens in the Wagtail admin, fitted to the platform's accounts.

Wagtail's user forms require an e-mail address, a first and a last name. The platform never
collects an e-mail (the login is the mobile number, proven by SMS) and keeps a person's name
as ``real_name``/``display_name``, so an administrator could not save a user without
inventing an address (issue 23, point 10). Wagtail's documented way to change the forms is a
custom ``UserViewSet`` named by the users app's config (``accounts.users_app.UsersConfig``)."""

from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

OPTIONAL_FIELDS = ("email", "first_name", "last_name")


class OptionalContactFieldsMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in OPTIONAL_FIELDS:
            if name in self.fields:
                self.fields[name].required = False


class PlatformUserCreationForm(OptionalContactFieldsMixin, UserCreationForm):
    pass


class PlatformUserEditForm(OptionalContactFieldsMixin, UserEditForm):
    pass


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return PlatformUserEditForm if for_update else PlatformUserCreationForm
