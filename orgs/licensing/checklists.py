"""S9: the materials checklist of an application is the service guide's (办事指南) list.

The bureau's editors keep each registration guide in the CMS; a guide whose "在线办理事项"
(``GuidePage.online_service``) is one of :data:`KEYS` is the checklist of that kind of
application. The code reads the guide's 申请材料 blocks; every item marked required must be
uploaded before submission (an item "如适用" may be). Without a live guide there is no checklist, and the application cannot be
submitted: the pre-check says so, rather than accepting an application nobody can check.
"""

from dataclasses import dataclass

from cms.locales import find_default_locale
from cms.models import GuidePage

from .models import ApplicationKind

KEYS = {
    (ApplicationKind.ESTABLISH, "social_group"): "reg_establish_social_group",
    (ApplicationKind.ESTABLISH, "social_service"): "reg_establish_social_service",
    (ApplicationKind.ESTABLISH, "foundation"): "reg_establish_foundation",
    (ApplicationKind.CHANGE, ""): "reg_change",
    (ApplicationKind.DEREGISTER, ""): "reg_deregister",
}


@dataclass(frozen=True)
class Material:
    name: str
    form: str
    copies: int
    signature: str
    notes: str
    required: bool = True


def key_for(kind, org_type=""):
    return KEYS.get((kind, org_type if kind == ApplicationKind.ESTABLISH else ""))


def guide_for(kind, org_type=""):
    """The live Chinese guide of this kind of application (the checklist is the official one)."""
    key = key_for(kind, org_type)
    locale = find_default_locale()
    if key is None or locale is None:
        return None
    return GuidePage.objects.live().filter(online_service=key, locale=locale).order_by("pk").first()


def checklist(kind, org_type=""):
    """The materials to upload, in the guide's order, or None when no guide is published."""
    guide = guide_for(kind, org_type)
    if guide is None:
        return None
    items = []
    for block in guide.materials:
        value = block.value
        name = str(value.get("name", "")).strip()
        if name and name not in [item.name for item in items]:
            items.append(
                Material(
                    name=name,
                    form=value.get("form", ""),
                    copies=value.get("copies") or 1,
                    signature=value.get("signature", ""),
                    notes=value.get("notes", "") or "",
                    required=value.get("required", True) is not False,
                )
            )
    return items
