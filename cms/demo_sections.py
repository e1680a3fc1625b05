"""Demo section pages (cms.section_pages) for the four data sections, in Chinese and English,
and the online service behind each demo guide's "在线办理" button."""

from .models import GuidePage, SectionPage

DEMO_MARK_EN = " (Demo content)"

# Each demo guide's matching online service (cms.online_services).
GUIDE_SERVICES = {
    "cremation-certificate": "funeral_quote",
    "ashes-placement": "funeral_compare",
    "sea-burial-subsidy": "funeral_quote",
    "social-group-registration": "reg_establish_social_group",
    "social-service-registration": "reg_establish_social_service",
    "foundation-registration": "reg_establish_foundation",
    "change-registration": "reg_change",
    "deregistration": "reg_deregister",
    "annual-inspection": "annual_report",
    "charity-recognition": "org_workbench",
}


def rich(*paragraphs):
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def panels(*rows):
    return [("panel", {"heading": heading, "body": rich(*body)}) for heading, *body in rows]


SECTIONS = [
    {
        "section": "funeral",
        "slug": "funeral",
        "guides": ["cremation-certificate", "ashes-placement", "sea-burial-subsidy"],
        "notice_tag": "殡葬",
        "zh": {
            "title": "殡葬服务机构与价格",
            "seo_title": "殡葬服务机构与价格公示",
            "search_description": "北京市殡仪馆、公墓、骨灰堂和殡葬服务机构的收费公示、价格历史和在线报价。",
            "intro": rich(
                "本市殡仪馆、公墓、骨灰堂和殡葬服务机构的每一项收费均在此公示，价格历史永久可查。（示例内容）"
            ),
            "help_panels": panels(
                (
                    "标准服务包的价格怎么算？",
                    "标准服务包包含遗体接运、冷藏、整容、告别、火化和骨灰盒等基本项目，"
                    "按每家机构今天的公示单价相加，方便在机构之间比较。",
                ),
                (
                    "价格与实际收费不一致怎么办？",
                    "机构不得收取未公示或高于公示价格的费用。发现不一致，可以在机构页面"
                    "或“投诉举报”中提交，民政局 1 个工作日内受理。",
                ),
                (
                    "基本殡葬服务可以减免吗？",
                    "本市户籍居民选择海葬、树葬等节地生态安葬的，免除 6 项基本殡葬服务费用，报价和合同中单独列出减免。",
                ),
            ),
        },
        "en": {
            "title": "Funeral providers and prices",
            "seo_title": "Funeral providers and posted prices",
            "search_description": "Posted prices and price history of Beijing's funeral homes, cemeteries, "
            "columbaria and funeral service providers, and online quotes.",
            "intro": rich(
                "Every charge of Beijing's funeral homes, cemeteries, columbaria and funeral service "
                "providers is posted here, with its full price history." + DEMO_MARK_EN
            ),
            "help_panels": panels(
                (
                    "How is the standard package price worked out?",
                    "The standard package holds the basic services: collection, refrigeration, cosmetic "
                    "preparation, farewell, cremation and an urn. Each provider's price is the sum of its "
                    "posted prices today, so providers compare like with like.",
                ),
                (
                    "What if I am charged more than the posted price?",
                    "A provider may not charge for anything it has not posted, nor more than its posted "
                    "price. Tell us from the provider's page or through Complaints; the bureau accepts "
                    "a complaint within 1 working day.",
                ),
                (
                    "Are basic funeral services ever free?",
                    "For Beijing residents who choose sea, tree or other land-saving burial, six basic "
                    "services are free; the quote and the contract show the waiver on its own line.",
                ),
            ),
        },
    },
    {
        "section": "orgs",
        "slug": "orgs",
        "guides": [
            "social-group-registration",
            "social-service-registration",
            "foundation-registration",
            "change-registration",
            "deregistration",
            "annual-inspection",
        ],
        "notice_tag": "社会组织",
        "zh": {
            "title": "社会组织信息查询",
            "seo_title": "",
            "search_description": "查询北京市登记的社会团体、社会服务机构和基金会的登记信息与年度报告。",
            "intro": rich(
                "查询在北京市各级民政部门登记的社会团体、社会服务机构和基金会的登记信息与年度报告。（示例内容）"
            ),
            "help_panels": panels(
                (
                    "怎样查得更准？",
                    "输入名称中的关键词（不必输入“北京市”“协会”等字样），或完整的 18 位统一社会信用代码。",
                ),
                (
                    "登记状态“异常”是什么意思？",
                    "组织被列入活动异常名录或严重违法失信名单时，详情页顶部会说明原因和日期；"
                    "可到“信用查询”查看完整信用记录。",
                ),
            ),
        },
        "en": {
            "title": "Social organisation registry",
            "seo_title": "",
            "search_description": "Registration details and annual reports of social groups, social service "
            "organisations and foundations registered in Beijing.",
            "intro": rich(
                "Look up the registration details and annual reports of the social groups, social service "
                "organisations and foundations registered with Beijing's civil-affairs bureaus."
                + DEMO_MARK_EN
            ),
            "help_panels": panels(
                (
                    "How do I find an organisation?",
                    "Type a keyword from its name (leave out words such as “Beijing” or “Association”), "
                    "or its full 18-character unified social credit code.",
                ),
                (
                    "What does an abnormal status mean?",
                    "When an organisation is on the abnormal-activity list or the serious-violation list, "
                    "its page says so at the top, with the reason and the date; Credit shows its full record.",
                ),
            ),
        },
    },
    {
        "section": "credit",
        "slug": "credit",
        "guides": ["annual-inspection"],
        "notice_tag": "年检",
        "zh": {
            "title": "社会组织信用查询",
            "seo_title": "",
            "search_description": "查询社会组织是否被列入活动异常名录、严重违法失信名单，以及评估等级和行政处罚。",
            "intro": rich(
                "按名称或统一社会信用代码查询社会组织是否被列入活动异常名录、严重违法失信名单，"
                "以及等级评估、年度报告和行政处罚情况，并可下载加盖电子印章的信用报告。（示例内容）"
            ),
            "help_panels": panels(
                (
                    "对信用记录有异议怎么办？",
                    "社会组织的负责人可以登录工作台，对记录提出异议并上传证明材料，民政局在规定期限内答复。",
                ),
                (
                    "信用报告怎样核验？",
                    "下载的信用报告带有电子印章和验证码，任何人都可以在“证明核验”页面核验真伪。",
                ),
            ),
        },
        "en": {
            "title": "Social organisation credit",
            "seo_title": "",
            "search_description": "Whether a social organisation is on the abnormal-activity or serious-violation "
            "list, its rating, annual reports and penalties.",
            "intro": rich(
                "Look up by name or unified social credit code whether a social organisation is on the "
                "abnormal-activity list or the serious-violation list, and see its rating, annual reports "
                "and penalties; download a sealed credit report." + DEMO_MARK_EN
            ),
            "help_panels": panels(
                (
                    "What if a record is wrong?",
                    "The organisation's officers sign in to the workbench, object to the record and upload "
                    "evidence; the bureau answers within the set time.",
                ),
                (
                    "How do I check a credit report?",
                    "A downloaded report carries an electronic seal and a verification code: anyone can check "
                    "it on the Verify page.",
                ),
            ),
        },
    },
    {
        "section": "charity",
        "slug": "charity",
        "guides": ["charity-recognition"],
        "notice_tag": "慈善",
        "zh": {
            "title": "慈善项目公开",
            "seo_title": "",
            "search_description": "慈善组织的募捐项目、每一笔捐赠和每一笔支出；捐赠人凭票据号查询捐赠去向。",
            "intro": rich(
                "查看慈善组织的募捐项目、每一笔捐赠和每一笔支出。捐赠人可凭票据号查询自己的捐赠用在了哪里。（示例内容）"
            ),
            "help_panels": panels(
                (
                    "票据号在哪里？",
                    "票据号印在慈善组织开具的捐赠票据上；大小写均可，按原样输入即可查询。",
                ),
                (
                    "项目没有按时公开进展怎么办？",
                    "持续 6 个月以上的项目至少每 3 个月公开一次进展；逾期的项目在列表中会标出。",
                ),
            ),
        },
        "en": {
            "title": "Charity projects",
            "seo_title": "",
            "search_description": "Charities' fundraising projects, every donation and every expense; donors "
            "look up where their gift went by receipt number.",
            "intro": rich(
                "See charities' fundraising projects, every donation and every expense. Donors can look up "
                "where their own gift went by its receipt number." + DEMO_MARK_EN
            ),
            "help_panels": panels(
                (
                    "Where is my receipt number?",
                    "It is printed on the donation receipt the charity gave you; type it as it is, in upper "
                    "or lower case.",
                ),
                (
                    "What if a project is late with its updates?",
                    "A project that runs 6 months or more reports its progress at least every 3 months; "
                    "a late one is marked in the list.",
                ),
            ),
        },
    },
]


def load_sections(home, en, publish, upsert_child, translate):
    """Set every demo guide's online service, then create or update the four section pages
    under ``home`` (Chinese) and their English translations. Returns the Chinese pages."""
    zh = home.locale
    guides = {g.slug: g for g in GuidePage.objects.filter(locale=zh)}
    for slug, service in GUIDE_SERVICES.items():
        guide = guides.get(slug)
        if guide is not None and guide.online_service != service:
            guide.online_service = service
            publish(guide)
        translation = guide.get_translation_or_none(en) if guide is not None else None
        if translation is not None and translation.specific.online_service != service:
            translation = translation.specific
            translation.online_service = service
            publish(translation)
    pages = []
    for spec in SECTIONS:
        chosen = [("guide", guides[slug]) for slug in spec["guides"] if slug in guides]
        page = upsert_child(
            home,
            SectionPage,
            spec["slug"],
            section=spec["section"],
            notice_tag=spec["notice_tag"],
            featured_guides=chosen,
            **spec["zh"],
        )
        translate(page, en, notice_tag=spec["notice_tag"], featured_guides=chosen, **spec["en"])
        pages.append(page)
    return pages
