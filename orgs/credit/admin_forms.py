"""Forms and filters of the bureau's credit admin (``wagtail_hooks`` wires them into viewsets).
The forms only collect input: every save goes through ``orgs.credit.services``."""

from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminModelForm

from core.forms import SpecificErrorsMixin

from .models import REASONS_BY_LIST, CreditRecord, ListEntry, Rating


class CreditRecordForm(SpecificErrorsMixin, WagtailAdminModelForm):
    class Meta:
        model = CreditRecord
        fields = [
            "organization",
            "category",
            "decided_on",
            "summary",
            "authority",
            "document_number",
            "fine_amount",
            "attachment",
            "corrects",
            "correction_reason",
        ]


class ListingForm(SpecificErrorsMixin, WagtailAdminModelForm):
    class Meta:
        model = ListEntry
        fields = [
            "organization",
            "list_type",
            "reason",
            "report_year",
            "listed_on",
            "authority",
            "document_number",
            "note",
        ]

    def clean(self):
        cleaned = super().clean()
        list_type, reason = cleaned.get("list_type"), cleaned.get("reason")
        if list_type and reason and reason not in REASONS_BY_LIST[list_type]:
            self.add_error("reason", _("该事由不属于所选名录。"))
        return cleaned


class RatingForm(SpecificErrorsMixin, WagtailAdminModelForm):
    class Meta:
        model = Rating
        fields = ["organization", "score", "evaluating_body", "rated_on", "document_number"]
