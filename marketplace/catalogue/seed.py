"""The seeded service category tree (F1, F5) and the bureau's basic package (F6).

Used by data migration 0002 (with historical models) and by the demo loader, which
must also work on a database that transactional tests have flushed.
"""

# code, name, English name, parent, kind, is_basic, f7_free, cemetery component
CATEGORIES = [
    ("basic", "基本殡葬服务", "Basic funeral services", None, "basic", True, False, ""),
    ("collection", "遗体接运", "Body collection and transport", "basic", "basic", True, True, ""),
    ("storage", "遗体存放（冷藏）", "Body storage and refrigeration", "basic", "basic", True, True, ""),
    ("cremation", "遗体火化", "Cremation", "basic", "basic", True, True, ""),
    ("ashes-storage", "骨灰寄存", "Ashes storage", "basic", "basic", True, True, ""),
    ("farewell", "遗体告别", "Farewell", "basic", "basic", True, True, ""),
    ("extended", "延伸服务", "Extended services", None, "extended", False, False, ""),
    ("cosmetic", "遗体整容", "Cosmetic preparation", "extended", "extended", False, True, ""),
    ("embalming", "遗体防腐", "Embalming", "extended", "extended", False, False, ""),
    ("hall", "告别厅、守灵厅租用", "Farewell or vigil hall rental", "extended", "extended", False, False, ""),
    ("ceremony", "礼仪服务", "Ceremony services", "extended", "extended", False, False, ""),
    ("goods", "殡葬用品", "Funeral goods", None, "goods", False, False, ""),
    ("urn", "骨灰盒", "Urns", "goods", "goods", False, False, ""),
    ("coffin", "棺木", "Coffins", "goods", "goods", False, False, ""),
    ("clothes", "寿衣", "Burial clothes", "goods", "goods", False, False, ""),
    ("wreath", "花圈", "Wreaths", "goods", "goods", False, False, ""),
    ("cemetery", "公墓", "Cemetery", None, "cemetery", False, False, ""),
    (
        "plot-use",
        "墓位使用费",
        "Plot use (land, materials, burial)",
        "cemetery",
        "cemetery",
        False,
        False,
        "plot_use",
    ),
    (
        "maintenance",
        "墓位维护管理费（每年）",
        "Plot maintenance (per year)",
        "cemetery",
        "cemetery",
        False,
        False,
        "maintenance",
    ),
    ("engraving", "墓碑刻字", "Headstone engraving", "cemetery", "cemetery", False, False, ""),
    ("burial-service", "安葬服务", "Burial service", "cemetery", "cemetery", False, False, ""),
    ("eco", "节地生态安葬", "Land-saving eco burial", None, "eco", False, False, ""),
    ("sea-burial", "骨灰海撒", "Sea burial", "eco", "eco", False, False, ""),
    ("tree-burial", "树葬、花坛葬", "Tree or flower-bed burial", "eco", "eco", False, False, ""),
    # M3: tomb-sweeping done by the cemetery for a family who can't come (代为祭扫). The basic
    # service is free by rule (a ¥0 ceiling below); extended services are ordinary posted items.
    (
        "proxy-sweeping",
        "代为祭扫（基础）",
        "Tomb-sweeping on the family's behalf (basic)",
        "cemetery",
        "cemetery",
        False,
        False,
        "",
    ),
    (
        "proxy-sweeping-extended",
        "代为祭扫（延伸服务）",
        "Tomb-sweeping on the family's behalf (extended)",
        "cemetery",
        "cemetery",
        False,
        False,
        "",
    ),
]

# Ceilings the rules themselves set (F2's mechanism refuses a price above them, naming the
# document): M3's basic 代为祭扫 (wiping the headstone, laying flowers) is free, for every basis.
RULE_CEILINGS = [
    (
        "proxy-sweeping",
        "0.00",
        "2020-01-01",
        "北京市清明节期间祭扫服务安排：基础代为祭扫（擦拭墓碑、敬献鲜花）免费（M3）",
    ),
]
PRICE_BASES = ("gov_set", "gov_guide", "market")

# F6: Beijing's 2011 basic package.
PACKAGE = [
    ("collection", 1, "60公里以内接运"),
    ("storage", 3, "3天冷藏"),
    ("cosmetic", 1, "普通整容"),
    ("farewell", 1, "普通告别室"),
    ("cremation", 1, "普通火化炉"),
    ("ashes-storage", 1, "1年骨灰寄存"),
]


def seed(Category, Package, Component):
    by_code = {}
    for order, (code, name, name_en, parent, kind, is_basic, f7_free, component) in enumerate(CATEGORIES):
        by_code[code], _ = Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "parent": by_code.get(parent),
                "kind": kind,
                "is_basic": is_basic,
                "f7_free": f7_free,
                "cemetery_component": component,
                "sort_order": (order + 1) * 10,
            },
        )
    package, _ = Package.objects.update_or_create(
        code="basic",
        defaults={
            "name": "基本殡葬服务包",
            "description": "北京市2011年基本殡葬服务：60公里内接运、3天冷藏、整容、普通告别室、普通火化炉、1年骨灰寄存。",
            "reference_ceiling": "1000.00",
        },
    )
    for order, (code, quantity, note) in enumerate(PACKAGE):
        Component.objects.update_or_create(
            package=package,
            category=by_code[code],
            defaults={"quantity": quantity, "note": note, "sort_order": order},
        )


INITIAL_CEILING_REASON = "初始最高限价"


def seed_first_ceiling(
    GuidePrice, category, basis, ceiling, effective_from, document, reason=INITIAL_CEILING_REASON
):
    """Create the first ceiling version of a category and basis, only if it has none.

    Ceilings are append-only (issue 23, point 6): a seed never rewrites one. A changed figure
    here does not change a database that already has a ceiling: a ceiling change is the
    bureau's act, recorded as a new version with its reason and document (the admin, or a data
    migration calling ``services.ceilings.record_ceiling``). Works with a migration's historical
    model too (before migration 0010 ceilings had no reason)."""
    if GuidePrice.objects.filter(category=category, basis=basis).exists():
        return None
    fields = {
        "category": category,
        "basis": basis,
        "ceiling": ceiling,
        "effective_from": effective_from,
        "document_reference": document,
    }
    if any(field.name == "reason" for field in GuidePrice._meta.get_fields()):
        fields["reason"] = reason
    return GuidePrice.objects.create(**fields)


def seed_rule_ceilings(Category, GuidePrice):
    """The first ceilings of RULE_CEILINGS, for each price basis (idempotent; see
    ``seed_first_ceiling``: an existing ceiling is never rewritten)."""
    import datetime
    from decimal import Decimal

    for code, ceiling, effective_from, document in RULE_CEILINGS:
        category = Category.objects.get(code=code)
        for basis in PRICE_BASES:
            seed_first_ceiling(
                GuidePrice,
                category,
                basis,
                Decimal(ceiling),
                datetime.date.fromisoformat(effective_from),
                document,
            )
