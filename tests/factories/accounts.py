import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

PASSWORD = "Correct-Horse-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("mobile",)

    mobile = factory.Sequence(lambda n: f"137{n:08d}")
    display_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.django.Password(PASSWORD)
    # Accounts are made by signing up, which proves the number by SMS code.
    mobile_verified_at = factory.LazyFunction(timezone.now)
