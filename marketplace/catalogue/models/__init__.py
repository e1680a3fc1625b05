"""Providers, their itemised services and the public, tamper-evident price history, one
module per aggregate.

| module | what | rules |
|---|---|---|
| ``choices`` | districts, provider types, the price basis, units, money columns | F1 |
| ``providers`` | the provider with its notice fields, disclosures and terms; photos; staff; the bureau's verification history | F3, F5, F8 |
| ``items`` | the category tree, the posted items, the bureau's append-only ceilings | F1, F2, F4, F5, F7 |
| ``prices`` | append-only price versions chained by SHA-256; signed heads; re-hash notes; flags | F2, F10 |
| ``packages`` | the standard package, its components and each provider's mapping | F6 |
| ``quotes`` | the burial choice; a saved quote and its lines | F7, F9 |

Every model and name is importable from ``marketplace.catalogue.models`` as before (Django
finds the models through this module, and migration 0001 names
``marketplace.catalogue.models._quote_reference``).
"""

from .choices import CENT, MONEY, District, PriceBasis, ProviderType, Unit
from .items import GuidePrice, GuidePriceQuerySet, ServiceCategory, ServiceItem, ServiceItemQuerySet
from .packages import PackageComponent, PackageMapping, StandardPackage
from .prices import (
    CHAIN_SCHEME,
    AppendOnlyRecord,
    ChainHeads,
    ChainRehash,
    ImmutableRecordError,
    PriceChangeReason,
    PriceFlag,
    PriceVersion,
    PriceVersionQuerySet,
    canonical_instant,
    reason_code_for_text,
    reason_source_label,
)
from .providers import Provider, ProviderMembership, ProviderPhoto, ProviderQuerySet, ProviderVerification
from .quotes import BurialChoice, Quote, QuoteLine, _quote_reference

__all__ = [
    "CENT",
    "CHAIN_SCHEME",
    "MONEY",
    "AppendOnlyRecord",
    "BurialChoice",
    "ChainHeads",
    "ChainRehash",
    "District",
    "GuidePrice",
    "GuidePriceQuerySet",
    "ImmutableRecordError",
    "PackageComponent",
    "PackageMapping",
    "PriceBasis",
    "PriceChangeReason",
    "PriceFlag",
    "PriceVersion",
    "PriceVersionQuerySet",
    "Provider",
    "ProviderMembership",
    "ProviderPhoto",
    "ProviderQuerySet",
    "ProviderVerification",
    "ProviderType",
    "Quote",
    "QuoteLine",
    "ServiceCategory",
    "ServiceItem",
    "ServiceItemQuerySet",
    "StandardPackage",
    "Unit",
    "_quote_reference",
    "canonical_instant",
    "reason_code_for_text",
    "reason_source_label",
]
