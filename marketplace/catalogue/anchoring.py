"""F10 anchoring: the daily signed record of every price chain's head.

``publish_chain_heads(day)`` writes one ``ChainHeads`` record per day (idempotent): for each
provider whose chain verifies, the count of versions and the hash of the last one, signed with
the platform's seal key (``core.sealing.sign_detached``). The records are public
(``/funeral/chain-heads/``, the open data) and each carries the SHA-256 of the previous one.

``check_published_heads()`` is what ``verify_chain`` adds to its own recomputation: every
record's signature must verify and its link to the previous record must hold, and every head
must still be found in its chain: the version at the head's position must carry the head's
hash. Recomputing one provider's hashes in the database keeps the chain self-consistent, but
its old head is no longer in it.
"""

import base64
import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from core import sealing

from .models import CHAIN_SCHEME, ChainHeads, PriceVersion, Provider, canonical_instant


@dataclass(frozen=True)
class HeadProblem:
    day: object  # datetime.date of the record
    provider_id: int | None
    sequence: int | None
    problem: str  # "signature", "record_link", "head_missing", "head_mismatch"


def _canonical_json(data):
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def current_heads(exclude_providers=()):
    """[{provider, slug, count, chain_hash}] of every provider with a price chain, by provider id."""
    last = (
        PriceVersion.objects.order_by()
        .values("provider_id")
        .annotate(last=Max("sequence"))
        .order_by("provider_id")
    )
    wanted = {row["provider_id"]: row["last"] for row in last if row["provider_id"] not in exclude_providers}
    hashes = {
        (row["provider_id"], row["sequence"]): row["chain_hash"]
        for row in PriceVersion.objects.filter(provider_id__in=wanted, sequence__in=set(wanted.values()))
        .order_by()
        .values("provider_id", "sequence", "chain_hash")
    }
    # Unpublished providers are anchored too, by id only: their name stays private.
    slugs = dict(Provider.objects.public().filter(pk__in=wanted).values_list("pk", "slug"))
    return [
        {
            "provider": provider_id,
            "slug": slugs.get(provider_id, ""),
            "count": count,
            "chain_hash": hashes[(provider_id, count)],
        }
        for provider_id, count in wanted.items()
    ]


def publish_chain_heads(day=None, *, now=None):
    """Publish the day's signed heads record; return ``(record, created)``.

    Idempotent per day: a second run the same day returns the existing record. Chains that
    fail verification are not anchored (anchoring them would bless the change); they are
    listed under ``unverified`` in the record, and ``verify_price_chain`` keeps reporting them."""
    from .services.chain import verify_chain

    now = now or timezone.now()
    day = day or timezone.localdate(now)
    existing = ChainHeads.objects.filter(day=day).first()
    if existing is not None:
        return existing, False
    problems = verify_chain(check_heads=False)
    broken = sorted({problem.provider_id for problem in problems})
    record_chain_problems(problems, source="publish_price_chain_heads")
    with transaction.atomic():
        previous = ChainHeads.objects.filter(day__lt=day).order_by("-day").first()
        heads = current_heads(exclude_providers=set(broken))
        payload = _canonical_json(
            {
                "title": "北京市民政公共服务平台 殡葬服务价格哈希链链头",
                "scheme": CHAIN_SCHEME,
                "day": day.isoformat(),
                "published_at": canonical_instant(now),
                "previous_sha256": previous.payload_sha256 if previous else "",
                "heads": heads,
                "unverified": broken,
            }
        ).encode("utf-8")
        try:
            with transaction.atomic():
                record = ChainHeads.objects.create(
                    day=day,
                    published_at=now,
                    payload=payload.decode("utf-8"),
                    payload_sha256=hashlib.sha256(payload).hexdigest(),
                    signature=base64.b64encode(sealing.sign_detached(payload)).decode("ascii"),
                    certificate=sealing.seal_certificate_pem().decode("ascii"),
                    previous_sha256=previous.payload_sha256 if previous else "",
                    chain_count=len(heads),
                )
        except IntegrityError:  # published by a concurrent run a moment ago
            return ChainHeads.objects.get(day=day), False
    return record, True


def record_signature_ok(record):
    payload = record.payload_bytes()
    try:
        signature = record.signature_bytes()
    except ValueError:
        return False
    return hashlib.sha256(payload).hexdigest() == record.payload_sha256 and sealing.verify_detached(
        payload, signature, record.certificate.encode("ascii")
    )


def check_published_heads(providers=None):
    """Every published record is genuine and linked, and every head is still in its chain."""
    problems = []
    records = list(ChainHeads.objects.order_by("day"))
    provider_ids = None if providers is None else set(providers.values_list("pk", flat=True))
    wanted = {}
    previous_sha = ""
    for record in records:
        if not record_signature_ok(record):
            problems.append(HeadProblem(record.day, None, None, "signature"))
            previous_sha = record.payload_sha256
            continue
        data = json.loads(record.payload)
        if data.get("previous_sha256", "") != previous_sha or record.previous_sha256 != previous_sha:
            problems.append(HeadProblem(record.day, None, None, "record_link"))
        previous_sha = record.payload_sha256
        for head in data["heads"]:
            if provider_ids is None or head["provider"] in provider_ids:
                wanted.setdefault((head["provider"], head["count"]), []).append(
                    (record.day, head["chain_hash"])
                )
    if not wanted:
        return problems
    found = {}
    pairs = list(wanted)
    for start in range(0, len(pairs), 500):
        chunk = pairs[start : start + 500]
        for provider_id, sequence, chain_hash in PriceVersion.objects.filter(
            provider_id__in={p for p, _ in chunk}, sequence__in={s for _, s in chunk}
        ).values_list("provider_id", "sequence", "chain_hash"):
            found[(provider_id, sequence)] = chain_hash
    for (provider_id, sequence), anchors in wanted.items():
        for day, chain_hash in anchors:
            actual = found.get((provider_id, sequence))
            if actual is None:
                problems.append(HeadProblem(day, provider_id, sequence, "head_missing"))
            elif actual != chain_hash:
                problems.append(HeadProblem(day, provider_id, sequence, "head_mismatch"))
    return problems


def record_chain_problems(problems, *, source):
    """Record failed chain checks as security events (one per provider or heads record and
    day of detection), log them, and raise the early warning now."""
    import logging

    from django.contrib.contenttypes.models import ContentType

    from core.models import EarlyWarning, SecurityEvent

    from .services.chain import chain_problem_label

    if not problems:
        return []
    today = timezone.localdate()
    grouped = {}
    for problem in problems:
        key = (
            ("provider", problem.provider_id) if problem.provider_id is not None else ("record", problem.day)
        )
        grouped.setdefault(key, []).append(problem)
    events = []
    for (kind, key), found in grouped.items():
        subject = (
            Provider.objects.filter(pk=key).first()
            if kind == "provider"
            else ChainHeads.objects.filter(day=key).first()
        )
        if subject is None:
            continue
        content_type = ContentType.objects.get_for_model(subject)
        details = {
            "source": source,
            "problems": [
                {
                    "problem": p.problem,
                    "version_id": p.version_id,
                    "sequence": p.sequence,
                    "day": p.day.isoformat() if p.day else None,
                }
                for p in found[:100]
            ],
            "count": len(found),
        }
        logging.getLogger("security").error(
            "price chain failed verification",
            extra={"event": SecurityEvent.Kind.PRICE_CHAIN_BROKEN, "subject": str(subject), **details},
        )
        already = SecurityEvent.objects.filter(
            kind=SecurityEvent.Kind.PRICE_CHAIN_BROKEN,
            content_type=content_type,
            object_id=str(subject.pk),
            occurred_at__date__gte=today,
        ).exists()
        if already:
            continue
        events.append(
            SecurityEvent.objects.create(
                kind=SecurityEvent.Kind.PRICE_CHAIN_BROKEN,
                occurred_at=timezone.now(),
                content_type=content_type,
                object_id=str(subject.pk),
                subject_label=str(subject)[:200],
                summary="；".join(sorted({str(chain_problem_label(p)) for p in found}))[:300],
                details=details,
            )
        )
    EarlyWarning.objects.refresh(kinds=["catalogue.price_chain"])
    return events
