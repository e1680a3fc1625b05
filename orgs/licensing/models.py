"""Electronic licences (电子证照, S9): the sealed registration certificate of a social
organisation, one current licence per registration state.

A licence is history: its facts, its sealed PDF (``core.VerifiableDocument``) and its version
never change. When the registry changes (a change registration, deregistration or revocation),
a new licence is issued and the old one stops being current, and its document is marked
superseded (已被替换) with a pointer to the new one, so ``/verify/<code>/`` of an old licence
names the current one. A partial unique constraint keeps exactly one current licence per
organisation.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel, VerifiableDocument
from orgs.registry.models import Organization, OrgStatus

# The printed facts, in the certificate's order: (key, the registry field it reads).
FACT_FIELDS = (
    "name",
    "uscc",
    "org_type",
    "domicile",
    "legal_representative",
    "business_scope",
    "registered_funds",
    "supervising_unit",
    "registration_authority",
    "registered_on",
    "status",
)


class Licence(AppendOnlyModel):
    """One version of an organisation's electronic licence (or, once it is deregistered or
    revoked, of the certificate of that state)."""

    mutable_columns = frozenset({"current"})
    edit_message = _("已发放的电子证照不能修改；登记事项变更后由新版本取代。")
    delete_message = _("已发放的电子证照不能删除。")

    organization = models.ForeignKey(
        Organization, verbose_name=_("社会组织"), on_delete=models.PROTECT, related_name="licences"
    )
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(_("登记状态"), max_length=20, choices=OrgStatus.choices)
    facts = models.JSONField(_("证照记载事项"), default=dict)
    reason = models.CharField(_("发放原因"), max_length=200)
    document = models.OneToOneField(
        VerifiableDocument, verbose_name=_("盖章文书"), on_delete=models.PROTECT, related_name="+"
    )
    current = models.BooleanField(_("现行有效"), default=True)
    issued_at = models.DateTimeField(_("发放时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发放人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["organization", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "version"], name="licensing_one_row_per_version"),
            # S9: exactly one current licence per organisation.
            models.UniqueConstraint(
                fields=["organization"], condition=Q(current=True), name="licensing_one_current_licence"
            ),
        ]

    def __str__(self):
        return f"{self.document.title}（{self.version}）"

    @property
    def title(self):
        return self.document.title
