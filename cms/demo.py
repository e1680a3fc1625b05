"""Demo CMS content: home page, service guides, notices, site settings.

Idempotent: pages are found by slug under their parent and updated in place.
Every page title or summary says it is demo content (示例).
"""

import datetime

from wagtail.models import Locale, Page, Site

from core.demo import DEMO_MARK

from . import demo_registration_guides, demo_sections, moderation
from .models import BureauSettings, GuideIndexPage, GuidePage, HomePage, NewsIndexPage, NewsPage, StandardPage

# The bureau's content approver (group 市民政局管理员, not a superuser); password as every demo login.
DEMO_APPROVER_MOBILE = "13900000006"

HOME_SLUG = "home"


def rich(*paragraphs):
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def materials(*rows):
    """Rows of (name, form, copies, signature, notes[, required]); an item is required unless
    the sixth value says False ("如适用")."""
    return [
        (
            "material",
            {
                "name": name,
                "form": form,
                "copies": copies,
                "signature": signature,
                "notes": notes,
                "required": required[0] if required else True,
            },
        )
        for name, form, copies, signature, notes, *required in rows
    ]


def steps(*rows):
    return [("step", {"title": title, "description": description}) for title, description in rows]


def faqs(*rows):
    return [("faq", {"question": q, "answer": rich(a)}) for q, a in rows]


GUIDES = [
    {
        "slug": "cremation-certificate",
        "title": "火化证明开具",
        "topic": "funeral",
        "service_name": "火化证明开具",
        "summary": "逝者遗体在本市殡仪馆火化后，由殡仪馆为家属出具火化证明，用于户籍注销、丧葬补助领取等事项。",
        "legal_basis": rich("《殡葬管理条例》（国务院令第225号）第十三条", "《北京市殡葬管理条例》"),
        "eligibility": rich("逝者遗体已在本市殡仪馆完成火化；申请人为逝者直系亲属或其委托的代理人。"),
        "materials": materials(
            ("居民死亡医学证明（推断）书", "original", 1, "none", "医疗机构或社区卫生服务中心出具"),
            ("逝者居民身份证或户口簿", "original_and_copy", 1, "none", ""),
            ("经办人居民身份证", "original_and_copy", 1, "none", "代办的另附授权委托书"),
            ("授权委托书", "original", 1, "signature", "非直系亲属代办时提供"),
        ),
        "steps": steps(
            ("预约火化", "在殡仪馆或本平台选择服务并签订殡葬服务合同。"),
            ("查验材料", "火化前殡仪馆查验死亡证明及身份材料。"),
            (
                "火化并出具证明",
                "火化完成后当场出具火化证明，电子证明同步发送至家属账户，可凭验证码在线核验。",
            ),
        ),
        "time_limit": None,
        "fees": "不收费",
        "where": "逝者火化所在殡仪馆服务大厅\n办理时间：每日 8:00—17:00",
        "phone": "010-12345678",
        "faqs": faqs(
            ("火化证明遗失怎么办？", "可持经办人身份证到原殡仪馆申请补开，或在本平台订单页下载电子证明。"),
            (
                "电子火化证明与纸质证明效力相同吗？",
                "电子证明带有平台电子印章和验证码，可在“证明核验”页面核验真伪。",
            ),
        ),
    },
    {
        "slug": "ashes-placement",
        "title": "骨灰寄存与安放",
        "topic": "funeral",
        "service_name": "骨灰寄存与安放",
        "summary": "为家属办理骨灰在殡仪馆、骨灰堂的寄存，或在公墓安放、安葬的手续。",
        "legal_basis": rich("《殡葬管理条例》第十条至第十二条", "《公墓管理暂行办法》（民事发〔1992〕24号）"),
        "eligibility": rich("持有火化证明的逝者家属。公墓安葬需与经营性公墓签订墓穴使用合同。"),
        "materials": materials(
            ("火化证明", "original_and_copy", 1, "none", ""),
            ("申请人居民身份证", "original_and_copy", 1, "none", ""),
            ("骨灰寄存或墓穴使用合同", "original", 2, "signature", "可在本平台在线签订"),
        ),
        "steps": steps(
            ("选择寄存或安葬方式", "在本平台比较殡仪馆、骨灰堂和公墓的公示价格。"),
            ("签订合同", "合同写明寄存或使用年限、维护费标准及续期办法。"),
            ("安放并领取证明", "安放后领取寄存证或安葬证明。"),
        ),
        "time_limit": 1,
        "fees": "按经营单位公示价格收取，寄存费为政府定价项目",
        "where": "各殡仪馆、骨灰堂、经营性公墓服务窗口",
        "phone": "010-12345679",
        "faqs": faqs(
            ("寄存到期后如何续期？", "到期前 30 日内可在原寄存单位或本平台办理续期，并按当时公示价格缴费。")
        ),
    },
    {
        "slug": "sea-burial-subsidy",
        "title": "骨灰海撒补贴申领",
        "topic": "funeral",
        "service_name": "骨灰海撒（生态安葬）补贴申领",
        "summary": "本市户籍逝者选择骨灰海撒或自然葬的，免除六项基本殡葬服务费用，并可按规定申领补贴。",
        "legal_basis": rich("《关于进一步推行节地生态安葬的实施意见》", "京民殡发〔2017〕103号"),
        "eligibility": rich("逝者为本市户籍居民；骨灰采用海撒、树葬、花坛葬等不保留骨灰的方式安葬。"),
        "materials": materials(
            ("火化证明", "original_and_copy", 1, "none", ""),
            ("逝者户口簿或户籍注销证明", "copy", 1, "none", ""),
            ("申请人居民身份证及银行卡", "copy", 1, "signature", "补贴发放至申请人本人账户"),
            ("骨灰海撒（自然葬）证明", "original", 1, "seal", "由承办单位出具"),
        ),
        "steps": steps(
            ("报名登记", "在殡仪馆或本平台登记海撒意向。"),
            ("参加海撒活动", "按通知时间参加集体海撒。"),
            ("申领补贴", "活动结束后提交材料，审核通过后发放补贴。"),
        ),
        "time_limit": 20,
        "fees": "不收费",
        "where": "逝者户籍所在区民政局殡葬管理窗口",
        "phone": "010-12345680",
        "faqs": faqs(
            ("免除哪六项基本服务？", "遗体接运、遗体冷藏、遗体整容、遗体告别、遗体火化和骨灰寄存。")
        ),
    },
    {
        "slug": "social-group-registration",
        "title": "社会团体成立登记",
        "topic": "social_org",
        "service_name": "社会团体成立登记",
        "summary": "在本市民政部门登记成立社会团体（协会、学会、商会、联合会等）。",
        "legal_basis": rich(
            "《社会团体登记管理条例》（国务院令第250号）", "《北京市社会团体登记管理实施办法》"
        ),
        "eligibility": rich(
            "有 50 个以上的个人会员或者 30 个以上的单位会员；有规范的名称和相应的组织机构；"
            "有固定的住所；有与其业务活动相适应的专职工作人员；有合法的资产和经费来源。"
        ),
        "materials": materials(
            ("社会团体成立登记申请书", "original", 1, "signature_and_seal", "由发起人签字"),
            ("业务主管单位的批准文件", "original", 1, "seal", "无需业务主管单位的可不提供", False),
            ("验资报告或场所使用权证明", "original_and_copy", 1, "seal", ""),
            ("拟任负责人基本情况及身份证明", "copy", 1, "signature", ""),
            ("章程草案", "original", 1, "signature", "经会员大会通过"),
        ),
        "steps": steps(
            ("名称核准", "提交拟用名称，民政部门核准。"),
            ("提交申请", "通过本平台或窗口提交成立登记材料。"),
            ("审查", "民政部门自受理之日起 20 个工作日内作出准予或不予登记的决定（法定时限为 60 日）。"),
            ("领取证书", "准予登记的，发放社会团体法人登记证书并赋予统一社会信用代码。"),
        ),
        "time_limit": 20,
        "fees": "不收费",
        "where": "北京市民政局政务服务窗口或各区政务服务中心民政窗口",
        "phone": "010-12345681",
        "faqs": faqs(
            ("统一社会信用代码什么时候发放？", "准予登记时同步赋码，代码为 18 位，第 1 位为 5，第 2 位为 1。")
        ),
    },
    {
        "slug": "annual-inspection",
        "title": "社会组织年度检查（年度报告）",
        "topic": "social_org",
        "service_name": "社会组织年度检查（年度工作报告报送）",
        "summary": "社会团体、社会服务机构和基金会每年向登记管理机关报送上一年度工作报告，接受年度检查。",
        "legal_basis": rich("《社会团体登记管理条例》第二十八条", "京民社发〔2022〕367号"),
        "eligibility": rich("在本市民政部门登记且上一年度 12 月 31 日前成立的社会组织。"),
        "materials": materials(
            ("年度工作报告书", "electronic", 1, "seal", "在本平台在线填报"),
            (
                "年度财务审计报告",
                "electronic",
                1,
                "seal",
                "基金会及具有公开募捐资格的慈善组织必须提供，PDF 格式",
            ),
            ("年度报告声明页", "electronic", 1, "signature_and_seal", "法定代表人签字并加盖公章后上传"),
        ),
        "steps": steps(
            ("在线填报", "登录机构工作台，填写基本信息、内部治理、业务活动和财务情况。"),
            (
                "提交",
                "基金会 3 月 31 日前；有业务主管单位的 3 月 31 日前报主管单位、5 月 31 日前报登记机关；其他 5 月 31 日前。",
            ),
            (
                "审查",
                "民政部门 10 个工作日内完成形式审查，材料不全的退回补正，组织应在 5 个工作日内重新提交。",
            ),
            ("结论", "年检结论为合格、基本合格或不合格，在组织信息页公示。"),
        ),
        "time_limit": 10,
        "fees": "不收费",
        "where": "全程网上办理",
        "phone": "010-12345682",
        "faqs": faqs(
            ("逾期报送会怎样？", "逾期报送仍可提交，但会标记为逾期；未按规定报送的，依法列入活动异常名录。")
        ),
    },
    {
        "slug": "charity-recognition",
        "title": "慈善组织认定",
        "topic": "social_org",
        "service_name": "慈善组织认定",
        "summary": "已登记的基金会、社会团体、社会服务机构申请认定为慈善组织。",
        "legal_basis": rich("《中华人民共和国慈善法》第十条", "《慈善组织认定办法》（民政部令第58号）"),
        "eligibility": rich(
            "以开展慈善活动为宗旨；不以营利为目的；有健全的财务制度；上年度年检合格；"
            "申请前二年未受过行政处罚。"
        ),
        "materials": materials(
            ("慈善组织认定申请书", "original", 1, "signature_and_seal", ""),
            ("符合慈善法规定的章程", "original", 1, "seal", ""),
            ("关于申请理由、慈善宗旨的说明", "original", 1, "seal", ""),
            ("注册会计师出具的上一年度财务审计报告", "original", 1, "seal", "含慈善活动支出和管理费用情况"),
        ),
        "steps": steps(
            ("提交申请", "向登记管理机关提交认定申请。"),
            ("审核", "民政部门自受理之日起 20 日内作出决定。"),
            ("公告", "认定为慈善组织的，换发登记证书并在平台公告。"),
        ),
        "time_limit": 20,
        "fees": "不收费",
        "where": "北京市民政局政务服务窗口",
        "phone": "010-12345683",
        "faqs": faqs(
            (
                "认定后有哪些信息公开义务？",
                "基本信息变更后 30 日内公开，年度工作报告和财务会计报告于每年 5 月 31 日前公开。",
            )
        ),
    },
]

# The English copies of the guides (Wagtail's Translate action makes the copy; an editor
# writes the English). Legal citations keep the document's Chinese title after its English one.
GUIDES_EN = {
    "cremation-certificate": {
        "title": "Cremation certificate",
        "summary": "Issued by the funeral home after cremation; used to close the household registration "
        "and claim funeral allowances.",
        "legal_basis": rich(
            "Funeral and Interment Regulations (State Council Decree No. 225), Article 13",
            "Beijing Funeral and Interment Regulations",
        ),
        "eligibility": rich(
            "The deceased was cremated at a Beijing funeral home; the applicant is a close relative "
            "or someone they authorised."
        ),
        "materials": materials(
            (
                "Medical certificate of death",
                "original",
                1,
                "none",
                "Issued by the hospital or community clinic",
            ),
            ("ID card or household register of the deceased", "original_and_copy", 1, "none", ""),
            (
                "ID card of the person applying",
                "original_and_copy",
                1,
                "none",
                "Add a letter of authorisation when acting for the family",
            ),
            (
                "Letter of authorisation",
                "original",
                1,
                "signature",
                "When the applicant is not a close relative",
            ),
        ),
        "steps": steps(
            (
                "Book the cremation",
                "Choose the services at the funeral home or on this platform and sign the contract.",
            ),
            ("Documents checked", "Before cremation the funeral home checks the death certificate and IDs."),
            (
                "Cremation and certificate",
                "The certificate is issued on the spot after cremation; the electronic one goes to the "
                "family's account and can be checked online with its code.",
            ),
        ),
        "fees": "Free of charge",
        "where": "Service hall of the funeral home where the cremation took place\nOpen daily 8:00–17:00",
        "faqs": faqs(
            (
                "What if the certificate is lost?",
                "Ask the funeral home for a new one with your ID, or download the electronic certificate "
                "from your order on this platform.",
            ),
            (
                "Is the electronic certificate as valid as the paper one?",
                "Yes. It carries the platform's electronic seal and a code you can check on the Verify page.",
            ),
        ),
    },
    "ashes-placement": {
        "title": "Placing and storing ashes",
        "summary": "Storage of ashes at a funeral home or columbarium, or burial in a cemetery.",
        "legal_basis": rich(
            "Funeral and Interment Regulations, Articles 10 to 12",
            "Interim Measures on Cemetery Management (Min Shi Fa [1992] No. 24)",
        ),
        "eligibility": rich(
            "Families holding a cremation certificate. Burial in a commercial cemetery needs a plot "
            "use contract with the cemetery."
        ),
        "materials": materials(
            ("Cremation certificate", "original_and_copy", 1, "none", ""),
            ("ID card of the applicant", "original_and_copy", 1, "none", ""),
            (
                "Storage or plot use contract",
                "original",
                2,
                "signature",
                "Can be signed online on this platform",
            ),
        ),
        "steps": steps(
            (
                "Choose storage or burial",
                "Compare the posted prices of funeral homes, columbaria and cemeteries here.",
            ),
            ("Sign the contract", "The contract states the term, the maintenance fee and how to renew."),
            ("Placement and certificate", "After placement you receive the storage or burial certificate."),
        ),
        "fees": "At the provider's posted prices; storage fees are set by the government",
        "where": "Service counters of funeral homes, columbaria and commercial cemeteries",
        "faqs": faqs(
            (
                "How do I renew storage?",
                "In the 30 days before it ends, renew at the provider or on this platform and pay the "
                "price posted at that time.",
            )
        ),
    },
    "sea-burial-subsidy": {
        "title": "Sea burial subsidy",
        "summary": "Beijing residents who choose sea or natural burial get six basic funeral services free "
        "of charge and can claim a subsidy.",
        "legal_basis": rich(
            "Implementing Opinions on Land-saving Eco Burial",
            "Jing Min Bin Fa [2017] No. 103",
        ),
        "eligibility": rich(
            "The deceased was a registered Beijing resident, and the ashes are scattered at sea or "
            "buried under a tree or flower bed without keeping them."
        ),
        "materials": materials(
            ("Cremation certificate", "original_and_copy", 1, "none", ""),
            ("Household register of the deceased or proof of deregistration", "copy", 1, "none", ""),
            (
                "ID card and bank card of the applicant",
                "copy",
                1,
                "signature",
                "The subsidy is paid to the applicant's own account",
            ),
            ("Sea (natural) burial certificate", "original", 1, "seal", "Issued by the organiser"),
        ),
        "steps": steps(
            ("Register", "Register for a sea burial at the funeral home or on this platform."),
            ("Take part", "Join the group sea burial on the date you are given."),
            ("Claim the subsidy", "Hand in the documents afterwards; the subsidy is paid once approved."),
        ),
        "fees": "Free of charge",
        "where": "Funeral management counter of the civil-affairs bureau of the deceased's district",
        "faqs": faqs(
            (
                "Which six basic services are free?",
                "Collection of the body, refrigeration, cosmetic preparation, farewell, cremation and "
                "storage of ashes.",
            )
        ),
    },
    "social-group-registration": {
        "title": "Registering a social group",
        "summary": "Registration of an association, society, chamber or federation with the "
        "civil-affairs bureau.",
        "legal_basis": rich(
            "Regulations on the Registration and Management of Social Groups (State Council Decree No. 250)",
            "Beijing Implementing Measures for the Registration of Social Groups",
        ),
        "eligibility": rich(
            "At least 50 individual or 30 organisational members; a proper name and organisation; "
            "a fixed address; full-time staff suited to its work; lawful assets and funding."
        ),
        "materials": materials(
            ("Application for registration", "original", 1, "signature_and_seal", "Signed by the founders"),
            (
                "Approval of the supervising unit",
                "original",
                1,
                "seal",
                "Not needed without a supervising unit",
                False,
            ),
            ("Capital verification report or proof of premises", "original_and_copy", 1, "seal", ""),
            ("Details and IDs of the proposed officers", "copy", 1, "signature", ""),
            ("Draft articles of association", "original", 1, "signature", "Adopted by the members' meeting"),
        ),
        "steps": steps(
            ("Name approval", "Submit the proposed name for approval."),
            ("Apply", "Hand in the registration documents on this platform or at the counter."),
            (
                "Review",
                "The bureau decides within 20 working days of accepting the application (the legal "
                "limit is 60 days).",
            ),
            (
                "Certificate",
                "Once registered, the group receives its legal-person certificate and unified social "
                "credit code.",
            ),
        ),
        "fees": "Free of charge",
        "where": "Service counter of the Beijing Civil Affairs Bureau or the civil-affairs counter of a "
        "district government service centre",
        "faqs": faqs(
            (
                "When is the unified social credit code given?",
                "On registration: an 18-character code whose first character is 5 and second is 1.",
            )
        ),
    },
    "annual-inspection": {
        "title": "Annual inspection (annual report)",
        "summary": "Every registered social organisation files its work report for the previous year "
        "and is inspected.",
        "legal_basis": rich(
            "Regulations on the Registration and Management of Social Groups, Article 28",
            "Jing Min She Fa [2022] No. 367",
        ),
        "eligibility": rich(
            "Social organisations registered in Beijing and founded before 31 December of the previous year."
        ),
        "materials": materials(
            ("Annual work report", "electronic", 1, "seal", "Filled in online on this platform"),
            (
                "Audited annual financial statements",
                "electronic",
                1,
                "seal",
                "Required of foundations and charities with public fundraising status; PDF",
            ),
            (
                "Declaration page",
                "electronic",
                1,
                "signature_and_seal",
                "Signed by the legal representative, sealed and uploaded",
            ),
        ),
        "steps": steps(
            (
                "Fill in online",
                "In the organisation's workbench, fill in its details, governance, activities and finances.",
            ),
            (
                "Submit",
                "Foundations by 31 March; with a supervising unit, to the unit by 31 March and to the "
                "bureau by 31 May; others by 31 May.",
            ),
            (
                "Review",
                "The bureau checks the report within 10 working days; an incomplete one is returned and "
                "must be resubmitted within 5 working days.",
            ),
            ("Result", "Passed, basically passed or failed, shown on the organisation's page."),
        ),
        "fees": "Free of charge",
        "where": "Entirely online",
        "faqs": faqs(
            (
                "What if the report is late?",
                "A late report can still be filed but is marked late; an organisation that does not "
                "file is put on the abnormal-activity list.",
            )
        ),
    },
    "charity-recognition": {
        "title": "Recognition as a charity",
        "summary": "A registered foundation, social group or social service organisation applies to be "
        "recognised as a charitable organisation.",
        "legal_basis": rich(
            "Charity Law of the People's Republic of China, Article 10",
            "Measures for the Recognition of Charitable Organisations (Ministry of Civil Affairs Decree No. 58)",
        ),
        "eligibility": rich(
            "Charitable purposes; not for profit; sound financial rules; passed last year's annual "
            "inspection; no administrative penalty in the two years before applying."
        ),
        "materials": materials(
            ("Application for recognition", "original", 1, "signature_and_seal", ""),
            ("Articles of association that meet the Charity Law", "original", 1, "seal", ""),
            ("Statement of reasons and charitable purposes", "original", 1, "seal", ""),
            (
                "Last year's audit report by a certified accountant",
                "original",
                1,
                "seal",
                "Including charitable spending and management costs",
            ),
        ),
        "steps": steps(
            ("Apply", "Hand in the application to the registration authority."),
            ("Review", "The bureau decides within 20 days of accepting it."),
            ("Announcement", "A recognised charity gets a new certificate, announced on this platform."),
        ),
        "fees": "Free of charge",
        "where": "Service counter of the Beijing Civil Affairs Bureau",
        "faqs": faqs(
            (
                "What must a charity make public?",
                "Changes to its basic details within 30 days; its annual work report and financial "
                "report by 31 May each year.",
            )
        ),
    },
}

# S9: the registration guides that are online applications' checklists.
GUIDES += demo_registration_guides.GUIDES
GUIDES_EN.update(demo_registration_guides.GUIDES_EN)

NEWS = [
    (
        "2026-03-28",
        "关于 2026 年清明节期间网上祭扫服务的通知",
        "京民殡发〔2026〕12号",
        ["殡葬", "清明"],
        "清明节期间本平台开放网上祭扫，倡导文明低碳祭扫。各殡仪馆、公墓实行预约祭扫。",
    ),
    (
        "2026-02-15",
        "关于做好 2025 年度社会组织年度检查工作的通知",
        "京民社发〔2026〕5号",
        ["社会组织", "年检"],
        "基金会应于 3 月 31 日前、其他社会组织应于 5 月 31 日前通过本平台报送 2025 年度工作报告。",
    ),
    (
        "2026-01-10",
        "北京市殡葬服务收费项目和标准公示",
        "京民殡发〔2026〕2号",
        ["殡葬", "价格公示"],
        "基本殡葬服务实行政府定价，延伸服务和殡葬用品实行明码标价，所有价格在本平台公开并保留历史记录。",
    ),
    (
        "2025-12-01",
        "关于推行骨灰海撒等节地生态安葬的公告",
        "京民殡发〔2025〕40号",
        ["殡葬", "生态安葬"],
        "选择骨灰海撒、树葬等生态安葬方式的本市户籍逝者，免除六项基本殡葬服务费用。",
    ),
    (
        "2025-11-20",
        "慈善组织信息公开工作提示",
        "京民社发〔2025〕31号",
        ["慈善", "信息公开"],
        "慈善组织应在募捐活动开始前 10 日备案募捐方案，持续 6 个月以上的项目至少每 3 个月公开一次进展。",
    ),
]


# The English copies of the notices, in the order of NEWS: title, document number, tags, text.
NEWS_EN = [
    (
        "Online tomb-sweeping during Qingming 2026",
        "Jing Min Bin Fa [2026] No. 12",
        ["funeral", "Qingming"],
        "During Qingming this platform opens online tomb-sweeping, for a civilised, low-carbon "
        "festival. Funeral homes and cemeteries take visits by appointment.",
    ),
    (
        "Annual inspection of social organisations for 2025",
        "Jing Min She Fa [2026] No. 5",
        ["social organisations", "annual inspection"],
        "Foundations file their 2025 work report on this platform by 31 March, other social "
        "organisations by 31 May.",
    ),
    (
        "Beijing funeral service charges and standards",
        "Jing Min Bin Fa [2026] No. 2",
        ["funeral", "price notice"],
        "Basic funeral services have government-set prices; other services and goods carry clearly "
        "marked prices. Every price is public on this platform, with its history.",
    ),
    (
        "Sea burial and other land-saving eco burial",
        "Jing Min Bin Fa [2025] No. 40",
        ["funeral", "eco burial"],
        "For Beijing residents who choose sea, tree or other eco burial, six basic funeral services "
        "are free of charge.",
    ),
    (
        "Reminder on charities' public disclosure",
        "Jing Min She Fa [2025] No. 31",
        ["charity", "disclosure"],
        "Charities file their fundraising plan 10 days before a campaign starts; a project running "
        "6 months or more reports progress at least every 3 months.",
    ),
]


def ensure_locales():
    zh = Locale.objects.get_or_create(language_code="zh-hans")[0]
    en = Locale.objects.get_or_create(language_code="en")[0]
    return zh, en


def publish(page):
    page.save_revision().publish()
    return page


def upsert_child(parent, model, slug, **fields):
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, **fields)
        parent.add_child(instance=page)
    else:
        for key, value in fields.items():
            setattr(page, key, value)
    return publish(page)


def translate(page, locale, **fields):
    translation = page.get_translation_or_none(locale)
    if translation is None:
        translation = page.copy_for_translation(locale)
    translation = translation.specific
    for key, value in fields.items():
        setattr(translation, key, value)
    return publish(translation)


def load(out):
    zh, en = ensure_locales()
    # The tree root normally comes from Wagtail's migrations; a flushed database lacks it.
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="页面", slug="root", locale=zh))
    if root.title == "Root":  # Wagtail's English name for the tree's root (cms migration 0006)
        Page.objects.filter(pk=root.pk).update(title="页面", draft_title="页面")
        root.refresh_from_db()
    # Wagtail's starter "Welcome" page (slug "home") is not part of the platform.
    site = Site.objects.filter(is_default_site=True).first()
    for stray in Page.objects.filter(depth=2).not_type(HomePage):
        if site is not None and site.root_page_id == stray.pk:
            site.root_page = root
            site.save()
        stray.delete()
    home = HomePage.objects.filter(locale=zh).first()
    fields = {
        "title": "首页",
        "hero_title": "北京市民政公共服务平台",
        "hero_text": "殡葬服务价格公开透明、在线比价签约；社会组织登记信息、年度报告、信用记录一站查询。"
        + DEMO_MARK,
        "entries": [
            (
                "entry",
                {
                    "title": "殡葬服务",
                    "description": "查询殡仪馆、公墓服务与明码标价，在线比价、报价和签约。",
                    "page": None,
                    "url": "/funeral/",
                    "icon": "funeral",
                },
            ),
            (
                "entry",
                {
                    "title": "社会组织",
                    "description": "按统一社会信用代码查询社会组织登记信息和年度报告。",
                    "page": None,
                    "url": "/orgs/",
                    "icon": "orgs",
                },
            ),
            (
                "entry",
                {
                    "title": "办事指南",
                    "description": "申请材料、办理流程、时限和收费一目了然。",
                    "page": None,
                    "url": "/guides/",
                    "icon": "guide",
                },
            ),
            (
                "entry",
                {
                    "title": "通知公告",
                    "description": "政策文件与工作通知。",
                    "page": None,
                    "url": "/news/",
                    "icon": "news",
                },
            ),
        ],
        "notices_title": "通知公告",
        "seo_title": "北京市民政公共服务平台",
    }
    if home is None:
        home = HomePage(slug=HOME_SLUG, **fields)
        root.add_child(instance=home)
    else:
        for key, value in fields.items():
            setattr(home, key, value)
    publish(home)

    site = site or Site(hostname="localhost", port=80, is_default_site=True)
    site.root_page = home
    site.site_name = "北京市民政公共服务平台"
    site.save()

    guide_index = upsert_child(
        home,
        GuideIndexPage,
        "guides",
        title="办事指南",
        show_in_menus=True,
        intro="殡葬服务与社会组织登记管理事项的办事指南。" + DEMO_MARK,
    )
    for guide in GUIDES:
        upsert_child(
            guide_index,
            GuidePage,
            guide["slug"],
            title=guide["title"],
            topic=guide["topic"],
            service_name=guide["service_name"],
            summary=guide["summary"] + DEMO_MARK,
            legal_basis=guide["legal_basis"],
            eligibility=guide["eligibility"],
            materials=guide["materials"],
            steps=guide["steps"],
            time_limit_working_days=guide["time_limit"],
            fees=guide["fees"],
            where_to_apply=guide["where"],
            consultation_phone=guide["phone"],
            faqs=guide["faqs"],
        )

    news_index = upsert_child(
        home,
        NewsIndexPage,
        "news",
        title="通知公告",
        show_in_menus=True,
        intro="北京市民政局发布的政策文件与工作通知。" + DEMO_MARK,
    )
    for index, (date, title, number, tags, text) in enumerate(NEWS, start=1):
        page = upsert_child(
            news_index,
            NewsPage,
            f"notice-{index}",
            title=f"{title}{DEMO_MARK}",
            date=datetime.date.fromisoformat(date),
            document_number=number,
            summary=text,
            body=[("paragraph", f"<p>{text}</p><p>本通知为演示内容，不具有法律效力。</p>")],
        )
        page.tags.set(tags)
        publish(page)

    # English versions of the home page and the section pages.
    translate(
        home,
        en,
        title="Home",
        hero_title="Beijing Civil Affairs Public Services",
        hero_text="Transparent funeral prices you can compare and sign online; one place to look up social "
        "organisations, their annual reports and credit records. (Demo content)",
        notices_title="Notices",
        seo_title="Beijing Civil Affairs Public Services",
        entries=[
            (
                "entry",
                {
                    "title": "Funeral services",
                    "description": "Compare funeral homes and cemeteries by their posted prices.",
                    "page": None,
                    "url": "/en/funeral/",
                    "icon": "funeral",
                },
            ),
            (
                "entry",
                {
                    "title": "Social organisations",
                    "description": "Look up registered organisations by name or credit code.",
                    "page": None,
                    "url": "/en/orgs/",
                    "icon": "orgs",
                },
            ),
            (
                "entry",
                {
                    "title": "Service guides",
                    "description": "Materials, steps, time limits and fees for each service.",
                    "page": None,
                    "url": "/en/guides/",
                    "icon": "guide",
                },
            ),
            (
                "entry",
                {
                    "title": "Notices",
                    "description": "Policy documents and notices.",
                    "page": None,
                    "url": "/en/news/",
                    "icon": "news",
                },
            ),
        ],
    )
    translate(
        guide_index,
        en,
        title="Service guides",
        intro="Guides to funeral and social-organisation services. (Demo content)",
    )
    for guide in GuidePage.objects.child_of(guide_index).filter(locale=zh):
        english = GUIDES_EN[guide.slug]
        translate(
            guide,
            en,
            title=english["title"],
            service_name=english["title"],
            summary=english["summary"] + " (Demo content)",
            legal_basis=english["legal_basis"],
            eligibility=english["eligibility"],
            materials=english["materials"],
            steps=english["steps"],
            fees=english["fees"],
            where_to_apply=english["where"],
            faqs=english["faqs"],
        )
    translate(news_index, en, title="Notices", intro="Notices published by the bureau. (Demo content)")
    for index, (title, number, tags, text) in enumerate(NEWS_EN, start=1):
        source = NewsPage.objects.child_of(news_index).get(slug=f"notice-{index}")
        page = translate(
            source,
            en,
            title=f"{title} (Demo)",
            document_number=number,
            summary=text,
            body=[("paragraph", f"<p>{text}</p><p>This notice is demo content and has no legal effect.</p>")],
        )
        page.tags.set(tags)
        publish(page)
    demo_sections.load_sections(home, en, publish, upsert_child, translate)

    settings = BureauSettings.for_site(site)
    settings.bureau_name = "北京市民政局（示例）"
    settings.bureau_name_en = "Beijing Civil Affairs Bureau (demo)"
    settings.address = "北京市示例区示例路 1 号"
    settings.address_en = "1 Shili Road, Shili District, Beijing"
    settings.postcode = "100000"
    settings.service_hotline = "12345"
    settings.funeral_hotline = "010-96009"
    settings.complaint_hotline = "010-12345000"
    settings.icp_number = "京ICP备00000000号（示例）"
    settings.demo_notice = True
    settings.eco_burial_page = eco_burial_page(home, en)
    settings.save()
    moderation_demo()
    out.write(
        f"  cms: home, {len(GUIDES)} guides, {len(NEWS)} notices; content approver {DEMO_APPROVER_MOBILE}"
    )


ECO_BURIAL_BODY = [
    (
        "paragraph",
        "<p>节地生态安葬，是指海葬（骨灰撒海）、树葬、花坛葬、草坪葬等不占或少占土地的安葬方式。"
        "它和传统墓葬一样庄重：安葬仪式、祭扫和纪念都不因安葬方式而有所不同。（示例内容）</p>",
    ),
    ("heading", "本市的支持政策"),
    (
        "paragraph",
        "<p>本市户籍居民选择海葬或自然葬的，免除遗体接运、冷藏、整容、告别、火化和骨灰寄存 6 项基本殡葬服务费用；"
        "在费用估算和合同中会单独列出减免。</p>",
    ),
    ("heading", "如何纪念"),
    (
        "paragraph",
        "<p>选择海葬的家庭，可以在网上纪念馆中记录海葬的日期和海域，亲友在网上献花、点烛、留言；"
        "清明节期间各公墓实行预约祭扫，也可以请墓园代为祭扫。</p>",
    ),
]
ECO_BURIAL_BODY_EN = [
    (
        "paragraph",
        "<p>Land-saving eco burial means sea burial, tree, flower-bed and lawn burial: ways that take "
        "little or no land. It is as dignified as a grave: the ceremony, visits and remembrance are the "
        "same whatever the burial. (Demo content)</p>",
    ),
    ("heading", "Support in Beijing"),
    (
        "paragraph",
        "<p>For Beijing residents who choose sea or natural burial, six basic funeral services are free: "
        "collection, refrigeration, cosmetic preparation, farewell, cremation and ashes storage. The "
        "quote and the contract list the waiver on its own line.</p>",
    ),
    ("heading", "Remembering"),
    (
        "paragraph",
        "<p>Families who choose sea burial can record its date and sea area in an online memorial, where "
        "relatives and friends leave flowers, candles and messages; at Qingming, cemeteries take visits "
        "by appointment, and can sweep a tomb on a family's behalf.</p>",
    ),
]


def moderation_demo():
    """Guides and notices need the bureau's approval (``cms.moderation``): the pages exist now,
    so assign them the workflow, keep editors from publishing them, and make sure the
    approving group has a member who is not a superuser: the demo approver."""
    from django.apps import apps

    from accounts.demo import ensure_user
    from accounts.signals import apply_group_permissions

    # A flushed database (the browser tests) had no page tree when the grants were seeded.
    apply_group_permissions()
    moderation.apply(apps)
    ensure_user(
        DEMO_APPROVER_MOBILE,
        display_name="示例审核员（市民政局）",
        last_name="示例",
        first_name="审核员",
        is_staff=True,
        groups=[moderation.APPROVER_GROUP],
    )


def eco_burial_page(home, en):
    """The eco-burial information page that /memorials/ links to (issue 17): an ordinary CMS
    page, chosen in the site settings, so editors own its words."""
    page = upsert_child(
        home,
        StandardPage,
        "eco-burial",
        title="节地生态安葬",
        intro="海葬、树葬、花坛葬等节地生态安葬方式，以及本市的支持政策。",
        body=ECO_BURIAL_BODY,
    )
    translate(
        page,
        en,
        title="Land-saving eco burial",
        intro="Sea, tree and flower-bed burial, and Beijing's support for them.",
        body=ECO_BURIAL_BODY_EN,
    )
    return page
