"""The default steps of the 身后一件事 checklist: real Beijing departments and the documents
they ask for. Where the exact office is an example, the text says 示例. Deadlines are stored in
the steps (the bureau edits them), never in the code: the 丧葬补助金 claim window is 60 days
after the death, citing the social-insurance guide as an example.

``seed`` is idempotent (a step is found by its platform item, or by its title) and is also
called by the tests, since a transactional test flushes what migrations left behind.
"""

from django.db import migrations

PHONE_12345 = "可拨打 12345 政务服务热线查询办公地点和时间。"

DEFAULT_STEPS = [
    {
        "sort_order": 10,
        "title": "开具死亡医学证明",
        "title_en": "Get the medical certificate of death",
        "department": "医疗卫生机构",
        "department_en": "Hospital or community health centre",
        "documents": "逝者居民身份证\n逝者户口簿\n经办人居民身份证",
        "documents_en": "The deceased's resident ID card\nThe deceased's household register (hukou booklet)\nThe applicant's resident ID card",
        "where": "在医院去世的，由该医院开具；在家中去世的，由居住地社区卫生服务中心（或乡镇卫生院）派医生确认后开具（示例，具体以所在区卫生健康部门的安排为准）。",
        "where_en": "Issued by the hospital where the death occurred; for a death at home, by the local community health service centre (or township health centre) after a doctor confirms it (example: your district health authority decides the exact arrangement).",
        "description": "《居民死亡医学证明（推断）书》是办理火化、注销户口和后续各项事务的基础材料，建议多复印几份留存。",
        "description_en": "The medical certificate of death is needed for the cremation, for cancelling the household registration and for every later step; keep several copies.",
    },
    {
        "sort_order": 20,
        "platform_item": "funeral_order",
        "title": "遗体接运、火化",
        "title_en": "Collection of the body and cremation",
        "department": "殡仪馆",
        "department_en": "Funeral home",
        "documents": "死亡医学证明\n逝者居民身份证\n经办人居民身份证",
        "documents_en": "Medical certificate of death\nThe deceased's resident ID card\nThe applicant's resident ID card",
        "where": "在本平台比较各殡仪馆的公示价格，在线下单、签订合同和支付；也可直接联系殡仪馆。",
        "where_en": "Compare the funeral homes' published prices on this platform, then order, sign the contract and pay online; or contact a funeral home directly.",
        "description": "在本平台下单的，订单进度在这里实时显示。",
        "description_en": "If you ordered on this platform, the order's progress shows here as it happens.",
    },
    {
        "sort_order": 30,
        "platform_item": "certificate",
        "title": "取得火化证明或安葬证明",
        "title_en": "Get the cremation or burial certificate",
        "department": "殡仪馆、公墓",
        "department_en": "Funeral home or cemetery",
        "documents": "",
        "documents_en": "",
        "where": "在本平台办理的，服务完成后可在订单页下载电子证明，任何人可凭核验码核验真伪。",
        "where_en": "If the service was ordered on this platform, download the electronic certificate from the order page after the service; anyone can check it with its verification code.",
        "description": "火化证明是注销户口、申领丧葬补助金、提取公积金等事项常用的材料。",
        "description_en": "The cremation certificate is often asked for when cancelling the household registration, claiming the funeral grant and withdrawing the housing fund.",
    },
    {
        "sort_order": 40,
        "title": "注销户口",
        "title_en": "Cancel the household registration (hukou)",
        "department": "逝者户籍所在地公安派出所",
        "department_en": "Police station where the deceased's household is registered",
        "documents": "死亡医学证明（或火化证明）\n逝者居民身份证（交回）\n逝者户口簿\n经办人居民身份证",
        "documents_en": "Medical certificate of death (or the cremation certificate)\nThe deceased's resident ID card (handed back)\nThe deceased's household register\nThe applicant's resident ID card",
        "where": "逝者户籍所在地派出所户籍窗口（示例）。" + PHONE_12345,
        "where_en": "The household registration desk of the police station where the deceased's household is registered (example). Call the 12345 government service hotline for its address and opening hours.",
        "description": "依据《中华人民共和国户口登记条例》第八条，公民死亡，城市在葬前由户主、亲属等申报死亡登记、注销户口。注销后可请派出所出具户口注销证明，后续社保、公积金等事项常需要。",
        "description_en": "Under Article 8 of the Household Registration Regulations, a death in a city is reported and the household registration cancelled before the burial, by the head of the household or a relative. Ask the police station for a certificate of cancellation: the social insurance and housing fund steps often need it.",
    },
    {
        "sort_order": 50,
        "platform_item": "subsidy",
        "title": "申请惠民殡葬补贴或减免",
        "title_en": "Apply for the funeral benefit (subsidy or fee waiver)",
        "department": "逝者户籍所在区民政局",
        "department_en": "Civil affairs bureau of the deceased's home district",
        "documents": "死亡医学证明或火化证明\n逝者户籍证明\n申请人居民身份证及与逝者关系的证明\n申请人银行卡（现金补贴）",
        "documents_en": "Medical certificate of death or cremation certificate\nProof of the deceased's household registration\nThe applicant's ID card and proof of relationship to the deceased\nThe applicant's bank card (cash subsidy)",
        "where": "在本平台在线申请；也可到户籍所在区民政局或街道（乡镇）便民服务中心办理（示例）。",
        "where_en": "Apply online on this platform, or at the district civil affairs bureau or the sub-district (township) service centre (example).",
        "description": "本市户籍居民选择海葬、树葬等节地生态安葬的，可按政策享受基本殡葬服务费用减免或补贴；条件和金额以政策规定为准。",
        "description_en": "Beijing residents who choose sea burial, tree burial or another land-saving burial may have basic funeral services waived or subsidised; the policy sets the conditions and amounts.",
    },
    {
        "sort_order": 60,
        "title": "停发基本养老金",
        "title_en": "Stop the basic pension",
        "department": "逝者参保所在区社会保险经办机构",
        "department_en": "Social insurance agency of the district where the deceased was insured",
        "documents": "死亡医学证明或火化证明\n户口注销证明\n逝者社会保障卡\n经办人居民身份证",
        "documents_en": "Medical certificate of death or cremation certificate\nCertificate of household registration cancellation\nThe deceased's social security card\nThe applicant's resident ID card",
        "where": "参保所在区社会保险经办机构窗口，或北京市人力资源和社会保障局网上服务平台（示例）。",
        "where_en": "The district social insurance agency's service desk, or the online service of the Beijing Municipal Human Resources and Social Security Bureau (example).",
        "description": "领取养老金的人员去世后，请尽快告知社会保险经办机构停发；去世后多发的养老金需要退回。",
        "description_en": "Tell the social insurance agency soon after the death so that the pension stops; pension paid after the death must be paid back.",
    },
    {
        "sort_order": 70,
        "title": "申领丧葬补助金和抚恤金",
        "title_en": "Claim the funeral grant and survivors' pension",
        "department": "逝者参保所在区社会保险经办机构",
        "department_en": "Social insurance agency of the district where the deceased was insured",
        "documents": "死亡医学证明或火化证明\n户口注销证明\n逝者社会保障卡\n申领人居民身份证\n申领人与逝者关系的证明（如户口簿、结婚证、公证书）\n申领人银行卡",
        "documents_en": "Medical certificate of death or cremation certificate\nCertificate of household registration cancellation\nThe deceased's social security card\nThe claimant's resident ID card\nProof of the claimant's relationship to the deceased (household register, marriage certificate or notarial certificate)\nThe claimant's bank card",
        "where": "参保所在区社会保险经办机构窗口，或北京市人力资源和社会保障局网上服务平台（示例）。",
        "where_en": "The district social insurance agency's service desk, or the online service of the Beijing Municipal Human Resources and Social Security Bureau (example).",
        "description": "参加基本养老保险的人员去世后，其遗属可按规定领取丧葬补助金和抚恤金；条件和金额以社会保险经办机构的办事指南为准。",
        "description_en": "When a person insured under the basic pension scheme dies, the survivors may claim the funeral grant and a survivors' pension; the social insurance agency's guide sets the conditions and amounts.",
        "deadline_days": 60,
        "deadline_basis": "示例：按社会保险经办办事指南，遗属应在参保人死亡后 60 日内申领；具体期限以所在区社会保险经办机构告知为准。",
        "deadline_basis_en": "Example: under the social insurance agency's service guide, survivors claim within 60 days of the death; your district's agency confirms the exact window.",
    },
    {
        "sort_order": 80,
        "title": "医疗保险个人账户继承和注销",
        "title_en": "Inherit the medical insurance account balance and close the account",
        "department": "逝者参保所在区医疗保障经办机构",
        "department_en": "Medical insurance agency of the district where the deceased was insured",
        "documents": "死亡医学证明或火化证明\n户口注销证明\n逝者社会保障卡\n继承人居民身份证\n继承关系证明（如公证书）",
        "documents_en": "Medical certificate of death or cremation certificate\nCertificate of household registration cancellation\nThe deceased's social security card\nThe heir's resident ID card\nProof of inheritance (such as a notarial certificate)",
        "where": "参保所在区医疗保障经办机构窗口（示例）；咨询电话 12393。",
        "where_en": "The district medical insurance agency's service desk (example); enquiries: 12393.",
        "description": "逝者医保个人账户的余额可以依法继承，办理后医保关系终止。",
        "description_en": "The balance of the deceased's personal medical insurance account can be inherited; the medical insurance then ends.",
    },
    {
        "sort_order": 90,
        "title": "提取住房公积金（继承）",
        "title_en": "Withdraw the housing provident fund (inheritance)",
        "department": "北京住房公积金管理中心",
        "department_en": "Beijing Housing Provident Fund Management Centre",
        "documents": "死亡医学证明或火化证明\n继承人居民身份证\n继承权公证书或人民法院判决（裁定、调解）书\n继承人本人银行卡",
        "documents_en": "Medical certificate of death or cremation certificate\nThe heir's resident ID card\nNotarial certificate of inheritance, or a court judgment (ruling or mediation)\nThe heir's own bank card",
        "where": "北京住房公积金管理中心各管理部服务网点（示例）；咨询电话 12329。",
        "where_en": "Any service office of the Beijing Housing Provident Fund Management Centre (example); enquiries: 12329.",
        "description": "缴存人去世后，其继承人或受遗赠人可以提取其住房公积金账户余额。",
        "description_en": "After a contributor dies, the heirs or legatees may withdraw the balance of the housing provident fund account.",
    },
    {
        "sort_order": 100,
        "title": "不动产、存款等遗产继承",
        "title_en": "Inherit real estate, savings and other property",
        "department": "公证机构、不动产登记中心、开户银行",
        "department_en": "Notary office, real-estate registration centre, the deceased's banks",
        "documents": "死亡医学证明或火化证明\n户口注销证明\n继承人身份证明和亲属关系证明\n不动产权证书、存折或银行卡等",
        "documents_en": "Medical certificate of death or cremation certificate\nCertificate of household registration cancellation\nThe heirs' ID and proof of kinship\nProperty certificates, bank books or bank cards",
        "where": "继承权公证在公证处办理；不动产继承登记在不动产所在区的不动产登记中心办理；存款继承在开户银行办理（示例）。",
        "where_en": "Notarisation of inheritance at a notary office; registration of inherited real estate at the real-estate registration centre of the district where it lies; savings at the bank that holds them (example).",
        "description": "继承可能涉及多位继承人，建议先确认全部继承人，备齐亲属关系证明。",
        "description_en": "Inheritance may involve several heirs: first agree who all the heirs are and gather proof of kinship.",
    },
    {
        "sort_order": 110,
        "platform_item": "memorial",
        "title": "建立网上纪念馆",
        "title_en": "Create an online memorial",
        "department": "本平台",
        "department_en": "This platform",
        "documents": "",
        "documents_en": "",
        "where": "本平台“网上祭扫”栏目。",
        "where_en": "The online memorials section of this platform.",
        "description": "可为逝者建立网上纪念馆，选择公开范围，邀请亲友留言缅怀。",
        "description_en": "Create an online memorial for the deceased, choose who can see it and invite relatives and friends to leave messages.",
    },
    {
        "sort_order": 120,
        "platform_item": "visit",
        "title": "预约祭扫",
        "title_en": "Book a cemetery visit",
        "department": "公墓、骨灰堂",
        "department_en": "Cemetery or columbarium",
        "documents": "预约人居民身份证",
        "documents_en": "The visitor's resident ID card",
        "where": "本平台“预约祭扫”栏目；清明、寒衣节等高峰期须提前实名预约。",
        "where_en": "The cemetery visit booking section of this platform; in peak periods such as Qingming, book ahead under your real name.",
        "description": "安葬后前往祭扫的，可在本平台预约时段，凭二维码入园。",
        "description_en": "To visit after the burial, book a time slot on this platform and show the QR pass at the gate.",
    },
]


def seed(apps, schema_editor):
    ChecklistStep = apps.get_model("benefit_checklist", "ChecklistStep")
    for values in DEFAULT_STEPS:
        values = dict(values)
        item = values.get("platform_item", "")
        existing = ChecklistStep.objects.filter(platform_item=item) if item else None
        if existing is None:
            existing = ChecklistStep.objects.filter(platform_item="", title=values["title"])
        if not existing.exists():
            ChecklistStep.objects.create(**values)


class Migration(migrations.Migration):
    dependencies = [("benefit_checklist", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
