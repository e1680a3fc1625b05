"""The bureau's default contract template (published by migration 0002 and by the demo data)."""

DEFAULT_TEMPLATE_TITLE = "北京市殡葬服务合同（示范文本）"

DEFAULT_TEMPLATE_BODY = """# 第一条　合同当事人

甲方（委托人、家属）：{{ family_name }}，与逝者关系：{{ family_relation }}，联系电话：{{ family_mobile }}。

乙方（服务机构）：{{ provider_name }}，地址：{{ provider_address }}，联系电话：{{ provider_phone }}，经营许可证号：{{ provider_licence }}。

逝者：{{ deceased_name }}，性别：{{ deceased_gender }}，年龄：{{ deceased_age }} 岁，身份证号：{{ deceased_id }}，死亡日期：{{ date_of_death }}。

# 第二条　服务时间与地点

服务日期：{{ service_date }}，服务时间：{{ service_time }}，礼厅：{{ hall }}。安葬方式：{{ burial_choice }}。

# 第三条　服务项目与价格

乙方按下列明细提供商品和服务。每一项均为乙方已公示的在售项目，按公示价格计价；乙方不得收取明细以外的任何费用，不得捆绑或强制服务。符合政策的减免以单独的减免行列明，并注明政策依据。

{{ items_table }}

项目合计 {{ subtotal }}，政策减免 {{ exempted }}，应付合计 {{ total }}（大写：{{ total_in_words }}）。

最终账单只能通过甲乙双方签署的合同变更单调整；未经双方签署的任何增项一律无效。

# 第四条　定金、付款与取消

定金：{{ deposit_terms }}

付款安排：{{ payment_schedule }}

取消条款：{{ cancellation_terms }}

退款条款：{{ refund_terms }}

# 第五条　信息披露

所有权与关联关系：{{ ownership_disclosure }}

转介安排：{{ referral_disclosure }}（本平台不允许任何转介费。）

# 第六条　争议解决

{{ dispute_resolution }}

投诉电话：{{ complaint_hotline }}；主管部门：{{ supervising_authority }}。

# 第七条　其他

本合同经甲乙双方在北京市民政公共服务平台以短信验证码确认电子签名后生效，由平台加盖电子印章。双方签署的合同变更单是本合同的组成部分。本合同编号 {{ contract_number }}，对应订单 {{ order_reference }}。"""

DEFAULT_DISPUTE_RESOLUTION = (
    "因本合同发生的争议，双方应协商解决；协商不成的，可向乙方主管部门或北京市民政局投诉，"
    "也可向 12345 市民服务热线反映；仍不能解决的，任何一方可依法向乙方所在地人民法院提起诉讼。"
)
