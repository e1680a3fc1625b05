"""Demo service guides for online registration (S9), in Chinese and English. Each guide's
materials are also the checklist of its online application (``orgs.licensing.checklists``);
``demo_sections.GUIDE_SERVICES`` links each to its application."""


def _rich(*paragraphs):
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _materials(*rows):
    return [
        (
            "material",
            {
                "name": name,
                "form": "electronic",
                "copies": 1,
                "signature": signature,
                "notes": notes,
                "required": required,
            },
        )
        for name, signature, notes, required in rows
    ]


def _steps(*rows):
    return [("step", {"title": title, "description": description}) for title, description in rows]


def _faqs(*rows):
    return [("faq", {"question": q, "answer": _rich(a)}) for q, a in rows]


COMMON = {
    "topic": "social_org",
    "fees": "不收费",
    "where": "本平台“登记申请”在线办理；也可到北京市民政局或各区政务服务中心民政窗口办理",
    "phone": "010-12345681",
}
COMMON_EN = {
    "fees": "Free of charge",
    "where": "Online on this platform (Registration applications), or at the civil-affairs counter of "
    "the Beijing Civil Affairs Bureau or a district government service centre",
}

GUIDES = [
    {
        **COMMON,
        "slug": "social-service-registration",
        "title": "社会服务机构成立登记",
        "service_name": "社会服务机构（民办非企业单位）成立登记",
        "summary": "举办社区服务中心、养老服务机构、民办学校等非营利性社会服务机构的成立登记。",
        "legal_basis": _rich("《民办非企业单位登记管理暂行条例》（国务院令第251号）"),
        "eligibility": _rich(
            "有规范的名称和组织机构；有与业务活动相适应的从业人员和合法财产；有必要的场所。"
        ),
        "materials": _materials(
            ("成立登记申请书", "signature_and_seal", "举办者签字", True),
            ("章程草案", "signature", "", True),
            ("住所使用证明", "seal", "产权证明或一年以上租赁合同", True),
            ("验资报告", "seal", "开办资金不低于 3 万元", True),
            ("业务主管单位的批准文件", "seal", "直接登记的机构无需提供", False),
        ),
        "steps": _steps(
            ("在线申请", "填写申请、上传材料，平台实时预检名称、资金和发起人。"),
            ("形式审查", "5 个工作日内受理，或一次性告知需补正的材料。"),
            ("实质审查", "受理后 20 个工作日内作出准予或不予登记的决定。"),
            ("电子证照", "准予登记的，赋予统一社会信用代码并发放电子登记证书。"),
        ),
        "time_limit": 20,
        "faqs": _faqs(("可以全程在线办理吗？", "可以。申请、补正、进度查询和电子证照下载都在本平台完成。")),
    },
    {
        **COMMON,
        "slug": "foundation-registration",
        "title": "基金会设立登记",
        "service_name": "基金会设立登记",
        "summary": "在北京市民政局设立地方性基金会。",
        "legal_basis": _rich("《基金会管理条例》（国务院令第400号）"),
        "eligibility": _rich(
            "为特定的公益目的设立；原始基金不低于 200 万元，申请公开募捐资格的不低于 400 万元，且为到账货币资金。"
        ),
        "materials": _materials(
            ("设立申请书", "signature_and_seal", "", True),
            ("章程草案", "signature", "", True),
            ("验资证明", "seal", "原始基金到账证明", True),
            ("理事名单及身份证明", "signature", "", True),
        ),
        "steps": _steps(
            ("在线申请", "填写申请、上传材料，平台实时预检。"),
            ("形式审查", "5 个工作日内受理，或一次性告知需补正的材料。"),
            ("实质审查", "受理后 20 个工作日内作出决定。"),
            ("电子证照", "准予登记的，发放基金会法人电子登记证书。"),
        ),
        "time_limit": 20,
        "faqs": _faqs(("基金会由哪一级民政部门登记？", "本市地方性基金会由北京市民政局登记。")),
    },
    {
        **COMMON,
        "slug": "change-registration",
        "title": "社会组织变更登记",
        "service_name": "社会组织变更登记",
        "summary": "名称、住所、法定代表人、业务范围或注册资金变更后，申请变更登记并换发电子证照。",
        "legal_basis": _rich(
            "《社会团体登记管理条例》第十八条", "《民办非企业单位登记管理暂行条例》第十五条"
        ),
        "eligibility": _rich("登记事项变更经理事会或会员（代表）大会表决通过。"),
        "materials": _materials(
            ("变更登记申请表", "signature_and_seal", "", True),
            ("理事会（会员大会）决议", "signature", "载明变更事项和表决结果", True),
            ("新住所使用证明", "seal", "变更住所时提供", False),
        ),
        "steps": _steps(
            ("在线申请", "由组织在平台上的管理员申请。"),
            ("形式审查", "5 个工作日内受理，或一次性告知需补正的材料。"),
            ("实质审查", "受理后 10 个工作日内作出决定。"),
            ("换发证照", "准予变更的，登记信息即时更新，旧证照显示为已被替换。"),
        ),
        "time_limit": 10,
        "faqs": _faqs(("旧证照还能用吗？", "不能。扫描旧证照的二维码会显示“已被替换”，并指向现行版本。")),
    },
    {
        **COMMON,
        "slug": "deregistration",
        "title": "社会组织注销登记",
        "service_name": "社会组织注销登记",
        "summary": "社会组织完成清算后申请注销登记。",
        "legal_basis": _rich("《社会团体登记管理条例》第十九条", "《基金会管理条例》第十八条"),
        "eligibility": _rich("已完成清算，清算报告经业务主管单位或理事会审查通过。"),
        "materials": _materials(
            ("注销登记申请书", "signature_and_seal", "", True),
            ("清算报告", "seal", "", True),
        ),
        "steps": _steps(
            ("在线申请", "清算完成后由组织的管理员申请。"),
            ("形式审查", "5 个工作日内受理，或一次性告知需补正的材料。"),
            ("实质审查", "受理后 10 个工作日内作出决定。"),
            ("注销证明", "准予注销的，登记历史继续公开，并发放注销登记证明。"),
        ),
        "time_limit": 10,
        "faqs": _faqs(("注销后登记信息还公开吗？", "公开。注销组织的登记历史和信用记录继续可查。")),
    },
]

GUIDES_EN = {
    "social-service-registration": {
        **COMMON_EN,
        "title": "Registering a social service organisation",
        "summary": "Registration of a non-profit community centre, care service, private school or "
        "similar social service organisation.",
        "legal_basis": _rich("Interim Regulations on the Registration of Private Non-enterprise Units"),
        "eligibility": _rich(
            "A proper name and organisation; staff and lawful assets for its work; premises."
        ),
        "materials": _materials(
            ("Application for registration", "signature_and_seal", "Signed by the founder", True),
            ("Draft articles of association", "signature", "", True),
            ("Proof of premises", "seal", "Title deed or a lease of at least one year", True),
            ("Capital verification report", "seal", "At least 30,000 yuan", True),
            ("Approval of the supervising unit", "seal", "Not needed for direct registration", False),
        ),
        "steps": _steps(
            (
                "Apply online",
                "Fill in the application and upload the documents; the platform checks as you type.",
            ),
            ("Formal check", "Accepted within 5 working days, or told at once what is missing."),
            ("Review", "A decision within 20 working days of acceptance."),
            (
                "Electronic licence",
                "Once registered: a unified social credit code and an electronic certificate.",
            ),
        ),
        "faqs": _faqs(("Can it all be done online?", "Yes: applying, completing, progress and the licence.")),
    },
    "foundation-registration": {
        **COMMON_EN,
        "title": "Registering a foundation",
        "summary": "Registration of a local foundation with the Beijing Civil Affairs Bureau.",
        "legal_basis": _rich("Regulations on the Administration of Foundations"),
        "eligibility": _rich(
            "A specific public-benefit purpose; original funds of at least 2 million yuan, 4 million with "
            "public fundraising, paid in."
        ),
        "materials": _materials(
            ("Application", "signature_and_seal", "", True),
            ("Draft articles of association", "signature", "", True),
            ("Proof of paid-in funds", "seal", "", True),
            ("List and IDs of the directors", "signature", "", True),
        ),
        "steps": _steps(
            ("Apply online", "Fill in the application and upload the documents."),
            ("Formal check", "Accepted within 5 working days, or told at once what is missing."),
            ("Review", "A decision within 20 working days of acceptance."),
            ("Electronic licence", "Once registered: an electronic foundation certificate."),
        ),
        "faqs": _faqs(("Who registers a foundation?", "Local foundations register with the city bureau.")),
    },
    "change-registration": {
        **COMMON_EN,
        "title": "Change registration",
        "summary": "After a change of name, domicile, legal representative, scope or capital: register "
        "the change and receive a new electronic licence.",
        "legal_basis": _rich("Regulations on the Registration of Social Groups, Article 18"),
        "eligibility": _rich("The change was adopted by the board or the members' meeting."),
        "materials": _materials(
            ("Change application form", "signature_and_seal", "", True),
            ("Resolution of the board or members' meeting", "signature", "", True),
            ("Proof of the new premises", "seal", "When the domicile changes", False),
        ),
        "steps": _steps(
            ("Apply online", "By the organisation's admin on the platform."),
            ("Formal check", "Accepted within 5 working days, or told at once what is missing."),
            ("Review", "A decision within 10 working days of acceptance."),
            ("New licence", "The registry changes at once; the old licence shows as superseded."),
        ),
        "faqs": _faqs(("Is the old licence still valid?", "No: its QR code shows it was superseded.")),
    },
    "deregistration": {
        **COMMON_EN,
        "title": "Deregistration",
        "summary": "Deregistering a social organisation after its liquidation.",
        "legal_basis": _rich("Regulations on the Registration of Social Groups, Article 19"),
        "eligibility": _rich("The liquidation is complete and its report approved."),
        "materials": _materials(
            ("Application for deregistration", "signature_and_seal", "", True),
            ("Liquidation report", "seal", "", True),
        ),
        "steps": _steps(
            ("Apply online", "By the organisation's admin after the liquidation."),
            ("Formal check", "Accepted within 5 working days, or told at once what is missing."),
            ("Review", "A decision within 10 working days of acceptance."),
            ("Certificate", "The registry history stays public; a certificate of deregistration is issued."),
        ),
        "faqs": _faqs(("Is the history still public?", "Yes, with the credit records.")),
    },
}
