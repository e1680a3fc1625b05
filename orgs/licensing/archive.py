"""The organisation's electronic archive (电子档案, S9): every registration application it made
or was made by, each application's materials (replaced versions too), the review's steps and
decisions, and every version of its licence, as one zip with a manifest of SHA-256 hashes.

Every stored file goes into the zip only after its bytes are checked against the hash recorded
when it was stored (``core.verification.read_verified``): a file that fails the check stops the
archive (``DocumentIntegrityError``), so an archive never carries a silently altered file.

The zip holds::

    README.txt                      what the archive is and how to check it
    manifest.json                   every other file: path, SHA-256, size, what it is
    SHA256SUMS                      the same hashes in ``sha256sum -c`` format
    organisation.json               the registry's facts now
    applications/<number>/application.json   the application, its steps and its audit trail
    applications/<number>/materials/<n>-<item>.<ext>
    licences/v<version>-<code>.pdf
"""

import hashlib
import io
import json
import zipfile
from pathlib import PurePath

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.models import ModelLogEntry

from core.statemachine import TRANSITION_ACTION
from core.verification import read_verified
from orgs.registry.models import Organization

from .models import Licence, RegistrationApplication
from .services import facts_of

# A fixed timestamp for every member, so the same archive content gives the same zip bytes.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def _json(data):
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode("utf-8")


def _safe(name):
    return "".join(char if char.isalnum() or char in "-_." else "_" for char in str(name))[:80] or "file"


def _application_record(application):
    content_type = ContentType.objects.get_for_model(RegistrationApplication)
    trail = ModelLogEntry.objects.filter(
        content_type=content_type, object_id=str(application.pk), action=TRANSITION_ACTION
    ).order_by("timestamp", "pk")
    return {
        "number": application.number,
        "kind": application.kind,
        "status": application.status,
        "applicant": application.applicant.real_name,
        "proposed": {
            "org_type": application.org_type,
            "name": application.proposed_name,
            "domicile": application.domicile,
            "district": application.district,
            "legal_representative": application.legal_representative,
            "business_scope": application.business_scope,
            "registered_capital": application.registered_capital,
            "founders": application.founders,
        },
        "change_items": application.change_items,
        "reason": application.reason,
        "liquidation_completed_on": application.liquidation_completed_on,
        "clock": {
            "submitted_on": application.submitted_on,
            "returned_on": application.returned_on,
            "returned_items": application.returned_items,
            "accepted_on": application.accepted_on,
            "decision_due": application.decision_due,
            "decided_on": application.decided_on,
        },
        "decision": {"reason": application.decision_reason, "legal_basis": application.legal_basis},
        "audit_trail": [
            {
                "at": entry.timestamp.isoformat(),
                "by": entry.user.get_full_name() if entry.user_id else "",
                "from": entry.data.get("from"),
                "to": entry.data.get("to"),
                "reason": entry.data.get("reason", ""),
            }
            for entry in trail.select_related("user")
        ],
    }


def build_archive(organization):
    """The zip's bytes, and its manifest (a list of dicts)."""
    organization = Organization.objects.select_related("supervising_unit").get(pk=organization.pk)
    files = [
        ("organisation.json", _json({"uscc": organization.uscc, **facts_of(organization)}), "registry facts")
    ]
    applications = (
        RegistrationApplication.objects.filter(organization=organization)
        .select_related("applicant")
        .order_by("created_at", "pk")
    )
    for application in applications:
        base = f"applications/{application.number}"
        files.append((f"{base}/application.json", _json(_application_record(application)), "application"))
        for material in application.materials.order_by("item", "pk"):
            data = read_verified(material, file_field="file", sha_field="file_sha256")
            suffix = PurePath(material.file.name).suffix.lower() or ".bin"
            state = "" if material.current else "-replaced"
            name = f"{base}/materials/{material.pk}-{_safe(material.item)}{state}{suffix}"
            files.append((name, data, f"material: {material.item}"))
    for licence in (
        Licence.objects.filter(organization=organization).select_related("document").order_by("version")
    ):
        data = read_verified(licence.document)
        kind = "licence (current)" if licence.current else "licence (superseded)"
        files.append((f"licences/v{licence.version}-{licence.document.code}.pdf", data, kind))
    manifest = [
        {"path": path, "sha256": _sha256(data), "bytes": len(data), "what": what}
        for path, data, what in files
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data, _what in files:
            archive.writestr(zipfile.ZipInfo(path, ZIP_TIME), data, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(zipfile.ZipInfo("manifest.json", ZIP_TIME), _json(manifest))
        sums = "".join(f"{row['sha256']}  {row['path']}\n" for row in manifest)
        archive.writestr(zipfile.ZipInfo("SHA256SUMS", ZIP_TIME), sums.encode("utf-8"))
        archive.writestr(zipfile.ZipInfo("README.txt", ZIP_TIME), _readme(organization).encode("utf-8"))
    return buffer.getvalue(), manifest


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _readme(organization):
    return (
        f"{organization.name}（{organization.uscc}）电子档案\n"
        f"生成时间：{timezone.localtime().isoformat(timespec='seconds')}\n\n"
        "本档案包含该组织的登记申请、申请材料、审查步骤与决定，以及历次电子证照。\n"
        "每个文件在打包前都已与入库时记录的 SHA-256 核对一致。\n"
        "核对方法：解压后在同一目录运行 sha256sum -c SHA256SUMS；manifest.json 列出同样的哈希。\n"
        "电子证照可在平台“文书核验”页面输入核验码或扫描二维码核验。\n"
    )
