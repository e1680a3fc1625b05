"""Demo data: every demo organisation holds its electronic licence, and the first one (the
demo organisation admin's, 13920000001) has a second version after a change of domicile, so
its first licence verifies as superseded (已被替换) and names the current one."""

import datetime

from django.utils import timezone

from orgs.registry.demo import ORGANISATIONS, demo_name
from orgs.registry.models import Organization, RegistryChange
from orgs.registry.services import record_change

from .services import issue_missing

NEW_DOMICILE = "北京市朝阳区安苑路 20 号院 3 号楼（示例·变更后）"


def load(stdout):
    organization = Organization.objects.get(name=demo_name(ORGANISATIONS[0][0]))
    moved = RegistryChange.objects.filter(
        organization=organization, item=RegistryChange.Item.DOMICILE, after=NEW_DOMICILE
    ).exists()
    if moved and organization.domicile != NEW_DOMICILE:
        # The registry's demo loader writes its own defaults again on every run; keep the
        # domicile this change registered, which the current licence prints.
        Organization.objects.filter(pk=organization.pk).update(domicile=NEW_DOMICILE)
    issued = issue_missing()
    if not moved:
        record_change(
            organization,
            RegistryChange.Item.DOMICILE,
            NEW_DOMICILE,
            changed_on=timezone.localdate() - datetime.timedelta(days=20),
            user=None,
            note="示例：住所变更后，电子证照自动换发新版本。",
        )
        issued += 1
    stdout.write(f"  {issued} electronic licence(s) issued; {organization.name} holds two versions")
