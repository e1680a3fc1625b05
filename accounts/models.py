from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .validators import normalize_mobile, validate_mobile


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, mobile, password, **extra_fields):
        mobile = normalize_mobile(mobile)
        validate_mobile(mobile)
        email = extra_fields.pop("email", "") or ""
        user = self.model(mobile=mobile, email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, mobile, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(mobile, password, **extra_fields)

    def create_superuser(self, mobile, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(mobile, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(**{self.model.USERNAME_FIELD: normalize_mobile(username)})


class User(AbstractBaseUser, PermissionsMixin):
    """A person: a family member, provider or organisation staff, or bureau staff.

    The mobile number is the login. ``first_name``/``last_name`` exist because the
    Wagtail admin's user forms use them; the public site shows ``display_name``.
    """

    mobile = models.CharField(
        _("手机号码"),
        max_length=11,
        unique=True,
        validators=[validate_mobile],
        help_text=_("中国大陆手机号码，用于登录。"),
        error_messages={"unique": _("该手机号码已注册。")},
    )
    email = models.EmailField(_("电子邮箱"), blank=True)
    display_name = models.CharField(_("显示名称"), max_length=60, blank=True)
    first_name = models.CharField(_("名"), max_length=60, blank=True)
    last_name = models.CharField(_("姓"), max_length=60, blank=True)
    real_name = models.CharField(_("真实姓名"), max_length=60, blank=True)
    real_name_verified_at = models.DateTimeField(_("实名认证时间"), null=True, blank=True)
    mobile_verified_at = models.DateTimeField(
        _("手机号码验证时间"),
        null=True,
        blank=True,
        help_text=_("最近一次凭短信验证码证明持有该号码的时间。"),
    )
    is_staff = models.BooleanField(_("管理后台权限"), default=False)
    is_active = models.BooleanField(_("有效"), default=True)
    date_joined = models.DateTimeField(_("注册时间"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "mobile"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["-date_joined"]

    def __str__(self):
        return self.get_full_name() or self.masked_mobile

    def clean(self):
        super().clean()
        self.mobile = normalize_mobile(self.mobile)
        self.email = type(self).objects.normalize_email(self.email)

    def save(self, *args, **kwargs):
        self.mobile = normalize_mobile(self.mobile)
        super().save(*args, **kwargs)

    @property
    def masked_mobile(self):
        return f"{self.mobile[:3]}****{self.mobile[-4:]}" if len(self.mobile) == 11 else self.mobile

    @property
    def is_mobile_verified(self):
        return self.mobile_verified_at is not None

    @property
    def is_real_name_verified(self):
        return self.real_name_verified_at is not None

    def get_full_name(self):
        return self.display_name or f"{self.last_name}{self.first_name}".strip() or self.real_name

    def get_short_name(self):
        return self.get_full_name()


class OneTimeCode(models.Model):
    """A code sent by SMS to confirm an action (signing a contract, …).

    Only a hash of the code is stored. A code expires after ``OTP_TTL_SECONDS``, is
    used once, and is dead after ``OTP_MAX_ATTEMPTS`` wrong tries. A code belongs to an
    account, or (sign-up, sign-in by SMS) to a bare mobile number with no account.
    """

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="one_time_codes", null=True, blank=True
    )
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True)
    purpose = models.CharField(_("用途"), max_length=80)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [
            models.Index(fields=["user", "purpose", "-created_at"]),
            models.Index(fields=["mobile", "purpose", "-created_at"], name="accounts_otp_mobile_idx"),
        ]

    def __str__(self):
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class AttemptCounter(models.Model):
    """How many attempts one account, client address or mobile number has used.

    Sign-in throttling and SMS-send limits read and bump these rows under a row lock
    (``accounts.services``), so the check and the count are one step: concurrent
    requests queue on the row instead of all reading the same old count. Only a hash
    of the account, address or number is stored.
    """

    scope = models.CharField(max_length=20)
    key_hash = models.CharField(max_length=64)
    count = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("尝试计数")
        verbose_name_plural = _("尝试计数")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key_hash"], name="accounts_attempt_counter_unique")
        ]
        indexes = [models.Index(fields=["last_attempt_at"], name="accounts_attempt_last_idx")]

    def __str__(self):
        return f"{self.scope} {self.key_hash[:8]} × {self.count}"


class SeededGrant(models.Model):
    """A permission the platform has given a bureau group once (``accounts.signals``).

    Grants are seeded after ``migrate`` the first time they exist, and never again: an
    administrator who takes a permission away from a group keeps it away across deploys. A
    grant an app registers later (a new feature's permission) is seeded on the next migrate.
    """

    group_name = models.CharField(_("用户组"), max_length=150)
    permission = models.CharField(
        _("权限"), max_length=200, help_text=_("app_label.codename，或 page:codename")
    )
    seeded_at = models.DateTimeField(_("授予时间"), default=timezone.now)

    class Meta:
        verbose_name = _("初始授权记录")
        verbose_name_plural = _("初始授权记录")
        constraints = [
            models.UniqueConstraint(fields=["group_name", "permission"], name="accounts_seeded_grant_unique")
        ]

    def __str__(self):
        return f"{self.group_name}: {self.permission}"
