"""Rules as code (RULES.md): every figure a rule uses, in one place, ordered by rule id.

Each setting is named after its rule and read from the environment; the figures here are
the defaults, because rules change. ``base.py`` imports this module, so every environment
sees the same rules. ``docs/rules.md`` maps each rule to these settings, the functions
that enforce it and the tests that name it.

Formats: lists are comma-separated (``a,b``); records are rows of ``field:field`` separated
by commas; a yearly deadline is ``MM-DD``.
"""

from decimal import Decimal

from .environment import env, env_bool, env_list, env_mapping, env_month_day, env_records, env_tuple

# --- Funeral prices and sales (F) -------------------------------------------------------
# F2: a price above the bureau's ceiling is refused (ceilings are GuidePrice rows). A market
# price above HIGH or below LOW times the city median of its category is flagged for review,
# once the category has at least MIN_SAMPLE other current prices.
F2_ANOMALY_HIGH_RATIO = Decimal(env("F2_ANOMALY_HIGH_RATIO", "2"))
F2_ANOMALY_LOW_RATIO = Decimal(env("F2_ANOMALY_LOW_RATIO", "0.5"))
F2_ANOMALY_MIN_SAMPLE = int(env("F2_ANOMALY_MIN_SAMPLE", "3"))
# F2: the bureau reviews a flagged price within this many working days of the flag.
F2_FLAG_REVIEW_WORKING_DAYS = int(env("F2_FLAG_REVIEW_WORKING_DAYS", "5"))
# F4: words that would make an item look compulsory or bundled; refused in item names.
F4_FORBIDDEN_ITEM_WORDS = env_list("F4_FORBIDDEN_ITEM_WORDS", ["必选", "必须购买", "强制", "捆绑", "必购"])
# F5: usual cemetery plot term, in years.
F5_DEFAULT_TERM_YEARS = int(env("F5_DEFAULT_TERM_YEARS", "20"))
# F6: Beijing 2011 basic package ceiling, in CNY, and the code of the bureau's standard
# (basic) package every funeral home must price.
F6_BASIC_PACKAGE_CEILING = Decimal(env("F6_BASIC_PACKAGE_CEILING", "1000.00"))
F6_STANDARD_PACKAGE_CODE = env("F6_STANDARD_PACKAGE_CODE", "basic")
# F7: the policy that makes Beijing residents' basic services free, and the burial choices
# it covers.
F7_POLICY_REFERENCE = env("F7_POLICY_REFERENCE", "京民殡发〔2017〕103号")
F7_FREE_BURIAL_CHOICES = env_tuple("F7_FREE_BURIAL_CHOICES", "sea,natural")
# F8: share of what was paid that is refunded when an order is cancelled, by whole days before
# the service date (first matching row wins). Shown with the provider's terms on every contract.
F8_CANCELLATION_REFUND_SCHEDULE = env_records(
    "F8_CANCELLATION_REFUND_SCHEDULE", "3:1.00,1:0.80,0:0.50,-36500:0.00", int, str
)
# F10: how many days ahead an upcoming price change must be announced (0 = any future date),
# and the early-warning deadline (days) for a price chain that fails its published head.
F10_MIN_NOTICE_DAYS = int(env("F10_MIN_NOTICE_DAYS", "0"))
F10_CHAIN_WARNING_DAYS = int(env("F10_CHAIN_WARNING_DAYS", "1"))
# F11: service slots (marketplace.orders.slots). A family's hold lasts this many minutes while
# the order is placed; a slot can be held only this many minutes before it starts or earlier;
# a provider publishes at most this many days at once.
F11_HOLD_MINUTES = int(env("F11_HOLD_MINUTES", "15"))
F11_MIN_LEAD_MINUTES = int(env("F11_MIN_LEAD_MINUTES", "60"))
F11_PUBLISH_MAX_DAYS = int(env("F11_PUBLISH_MAX_DAYS", "31"))
# F11: open holds one account may have at once (one family cannot hold a whole day of halls).
F11_MAX_HOLDS_PER_USER = int(env("F11_MAX_HOLDS_PER_USER", "3"))

# B1: 惠民殡葬 benefit applications (marketplace.benefits). The bureau decides within this many
# working days of each submission (the clock stops while it waits for documents it asked for);
# an early warning opens this many working days before the deadline and stays until it is met.
B1_DECISION_WORKING_DAYS = int(env("B1_DECISION_WORKING_DAYS", "10"))
B1_WARNING_WORKING_DAYS = int(env("B1_WARNING_WORKING_DAYS", "2"))
# B1: the largest document a family may upload (PDF, JPG or PNG, checked by content).
B1_DOCUMENT_MAX_BYTES = int(env("B1_DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024)))
# B1: how long one settling of a waiver's refund may hold its lock in the shared cache before
# another may start (seconds; longer than the gateway calls of one settling take).
B1_REFUND_LOCK_SECONDS = int(env("B1_REFUND_LOCK_SECONDS", "300"))
# 身后一件事 checklist (marketplace.benefits.checklist): an invitation link works this many days;
# at most this many co-keepers (invitations included) per checklist; at least this many seconds
# between two invitation SMS to one number.
CHECKLIST_INVITATION_DAYS = int(env("CHECKLIST_INVITATION_DAYS", "7"))
CHECKLIST_MAX_KEEPERS = int(env("CHECKLIST_MAX_KEEPERS", "5"))
CHECKLIST_INVITATION_RESEND_SECONDS = int(env("CHECKLIST_INVITATION_RESEND_SECONDS", "60"))

# --- Memorials and certificates (M) -------------------------------------------------------
# M1: online memorials (marketplace.memorials). Every number of the rule is a setting here.
# M1: free tributes (flower, candle, message) are rate-limited in a sliding hour: per account
# (over every memorial) and per memorial (from every account).
M1_TRIBUTES_PER_ACCOUNT_PER_HOUR = int(env("M1_TRIBUTES_PER_ACCOUNT_PER_HOUR", "20"))
M1_TRIBUTES_PER_MEMORIAL_PER_HOUR = int(env("M1_TRIBUTES_PER_MEMORIAL_PER_HOUR", "120"))
# M1: wrong access codes of a private memorial allowed per client IP and per memorial within
# the window (minutes) before further tries are refused until the window passes.
M1_ACCESS_CODE_FAILURES_PER_IP = int(env("M1_ACCESS_CODE_FAILURES_PER_IP", "10"))
M1_ACCESS_CODE_FAILURES_PER_MEMORIAL = int(env("M1_ACCESS_CODE_FAILURES_PER_MEMORIAL", "20"))
M1_ACCESS_CODE_WINDOW_MINUTES = int(env("M1_ACCESS_CODE_WINDOW_MINUTES", "15"))
# M1: shortest access code a keeper may set.
M1_ACCESS_CODE_MIN_LENGTH = int(env("M1_ACCESS_CODE_MIN_LENGTH", "6"))
# M1: reports of abuse accepted per client IP in a sliding hour (signed in or not).
M1_REPORTS_PER_IP_PER_HOUR = int(env("M1_REPORTS_PER_IP_PER_HOUR", "10"))
# M1: pending co-keeper or visitor invitations expire after this many days.
M1_INVITATION_DAYS = int(env("M1_INVITATION_DAYS", "30"))
# M1: a keeper who opts in gets a yearly SMS this many days before the anniversary of the death
# (0 = on the day).
M1_ANNIVERSARY_SMS_DAYS_BEFORE = int(env("M1_ANNIVERSARY_SMS_DAYS_BEFORE", "3"))
# M1: memorials per page of /memorials/ and of the search results there.
M1_MEMORIALS_PAGE_SIZE = int(env("M1_MEMORIALS_PAGE_SIZE", "20"))
# M1: tributes shown on a memorial page (the most recent ones first).
M1_TRIBUTES_ON_PAGE = int(env("M1_TRIBUTES_ON_PAGE", "50"))
# M1: a memorial's photos (private files of the memorial, not Wagtail images): the largest upload
# (bytes), how many photos one memorial may hold, the longest edge (pixels) a photo is scaled down
# to when it is re-encoded without its metadata, and the JPEG/WebP re-encoding quality (1-95).
M1_PHOTO_MAX_BYTES = int(env("M1_PHOTO_MAX_BYTES", str(5 * 1024 * 1024)))
M1_PHOTOS_PER_MEMORIAL = int(env("M1_PHOTOS_PER_MEMORIAL", "12"))
M1_PHOTO_MAX_EDGE = int(env("M1_PHOTO_MAX_EDGE", "1600"))
M1_PHOTO_QUALITY = int(env("M1_PHOTO_QUALITY", "85"))

# M3: booked cemetery visits (marketplace.memorials.visits). Every number of the rule is a setting.
# M3: in a festival period a session's capacity is this share of its normal capacity (rounded
# down), outdoors and indoors; a period may set its own shares (FestivalPeriod).
M3_PEAK_SHARE_OUTDOOR = Decimal(env("M3_PEAK_SHARE_OUTDOOR", "0.70"))
M3_PEAK_SHARE_INDOOR = Decimal(env("M3_PEAK_SHARE_INDOOR", "0.50"))
# M3: active bookings one ID number may hold in one festival period (a period may set its own).
M3_BOOKINGS_PER_ID_PER_PERIOD = int(env("M3_BOOKINGS_PER_ID_PER_PERIOD", "1"))
# M3: visitors one grave or niche may receive per day, across all sessions of its cemetery.
M3_GRAVE_VISITORS_PER_DAY = int(env("M3_GRAVE_VISITORS_PER_DAY", "5"))
# M3: booking for a day closes at this time (Asia/Shanghai, HH:MM) on the day before.
M3_NEXT_DAY_CUTOFF = env("M3_NEXT_DAY_CUTOFF", "15:00")
# M3: a session can be booked at most this many days ahead.
M3_BOOKING_OPENS_DAYS_AHEAD = int(env("M3_BOOKING_OPENS_DAYS_AHEAD", "7"))
# M3: visitors per booking that a new session allows unless the cemetery sets its own.
M3_DEFAULT_VISITORS_PER_BOOKING = int(env("M3_DEFAULT_VISITORS_PER_BOOKING", "3"))
# M3: the most days one bulk creation of sessions may cover (a festival period fits).
M3_BULK_MAX_DAYS = int(env("M3_BULK_MAX_DAYS", "31"))

# M2: which provider types issue which e-certificate at the completion of an order.
M2_CERTIFICATE_KINDS = env_mapping(
    "M2_CERTIFICATE_KINDS", "funeral_home:cremation_certificate,cemetery:burial_certificate"
)

# --- Reviews and complaints (R) -----------------------------------------------------------
# R1: a completed order can be reviewed for this many days after it was completed.
R1_REVIEW_WINDOW_DAYS = int(env("R1_REVIEW_WINDOW_DAYS", "90"))
# R1: a provider's one public reply can be edited for this many hours after it is posted.
R1_REPLY_EDIT_HOURS = int(env("R1_REPLY_EDIT_HOURS", "24"))
# R1: sorting the catalogue by rating ranks only providers with at least this many
# published reviews (the others follow, in the usual order).
R1_MIN_REVIEWS_FOR_RATING_SORT = int(env("R1_MIN_REVIEWS_FOR_RATING_SORT", "3"))
# R1: "true" sends every review to the bureau's queue; by default only a review containing a
# word of the bureau's sensitive-word list is held there, and the others publish at once.
R1_MODERATE_ALL_REVIEWS = env_bool("R1_MODERATE_ALL_REVIEWS", False)
# R1: how many published reviews the provider page shows (the rest on its reviews page).
R1_REVIEWS_ON_PROVIDER_PAGE = int(env("R1_REVIEWS_ON_PROVIDER_PAGE", "5"))
# R2: complaint deadlines, in working days: acceptance after receipt, the provider's
# response after acceptance, the bureau's decision after acceptance.
R2_ACCEPT_WORKING_DAYS = int(env("R2_ACCEPT_WORKING_DAYS", "1"))
R2_RESPONSE_WORKING_DAYS = int(env("R2_RESPONSE_WORKING_DAYS", "5"))
R2_DECISION_WORKING_DAYS = int(env("R2_DECISION_WORKING_DAYS", "15"))
# R2: the public statistics cover this many months up to today.
R2_STATS_MONTHS = int(env("R2_STATS_MONTHS", "12"))

# --- Social organisations (S) --------------------------------------------------------------
# S1: GB 32100-2015 weights for positions 1–17, the civil-affairs department code and
# the type codes it issues (1 社会团体, 2 民办非企业单位/社会服务机构, 3 基金会, 9 other).
S1_USCC_WEIGHTS = env_tuple("S1_USCC_WEIGHTS", "1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28", int)
S1_CIVIL_AFFAIRS_DEPARTMENT_CODE = env("S1_CIVIL_AFFAIRS_DEPARTMENT_CODE", "5")
S1_CIVIL_AFFAIRS_TYPE_CODES = env_tuple("S1_CIVIL_AFFAIRS_TYPE_CODES", "1,2,3,9")
# S2: annual report deadlines (month, day).
S2_FOUNDATION_DEADLINE = env_month_day("S2_FOUNDATION_DEADLINE", "03-31")
S2_SUPERVISOR_DEADLINE = env_month_day("S2_SUPERVISOR_DEADLINE", "03-31")
S2_REGISTRATION_DEADLINE = env_month_day("S2_REGISTRATION_DEADLINE", "05-31")
# S2: a report can be filed (late) for at most this many most recent report years; the S5
# overdue check (S5_OVERDUE_LOOKBACK_YEARS) never looks further back than this window.
S2_FILING_WINDOW_YEARS = int(env("S2_FILING_WINDOW_YEARS", "5"))
# S3: review and resubmission limits, in working days.
S3_REVIEW_WORKING_DAYS = int(env("S3_REVIEW_WORKING_DAYS", "10"))
S3_RESUBMIT_WORKING_DAYS = int(env("S3_RESUBMIT_WORKING_DAYS", "5"))
# S4: new credit information is recorded within this many working days of its decision date.
S4_RECORDING_WORKING_DAYS = int(env("S4_RECORDING_WORKING_DAYS", "5"))
# S5: fines below this amount (yuan) are abnormal-list grounds; at or above it, serious-list grounds (S6).
S5_SMALL_FINE_LIMIT = Decimal(env("S5_SMALL_FINE_LIMIT", "50000"))
# S5: the rules look for overdue annual reports over this many most recent report years.
S5_OVERDUE_LOOKBACK_YEARS = int(env("S5_OVERDUE_LOOKBACK_YEARS", "2"))
# S5: once fixed, a listing is removed within this many working days of the fix.
S5_REMOVAL_WORKING_DAYS = int(env("S5_REMOVAL_WORKING_DAYS", "5"))
# S5/S6: the bureau decides a rule's listing proposal within this many working days of the proposal.
S5_LISTING_DECISION_WORKING_DAYS = int(env("S5_LISTING_DECISION_WORKING_DAYS", "5"))
# S5: a listing that needed no fix is removed after this many months.
S5_AUTO_REMOVAL_MONTHS = int(env("S5_AUTO_REMOVAL_MONTHS", "6"))
# S5: abnormal-list reasons that need no fix (removed automatically after S5_AUTO_REMOVAL_MONTHS).
S5_REASONS_NEEDING_NO_FIX = env_tuple(
    "S5_REASONS_NEEDING_NO_FIX", "fundraising_revoked,warning_or_small_fine"
)
# S6: years on the abnormal list after which the organisation is proposed for the serious list.
S6_ABNORMAL_YEARS_TO_SERIOUS = int(env("S6_ABNORMAL_YEARS_TO_SERIOUS", "2"))
# S6: a serious listing is removed after this many years with no new listing.
S6_REMOVAL_YEARS = int(env("S6_REMOVAL_YEARS", "2"))
# S6: this many penalties within S6_REPEAT_PENALTY_YEARS years are serious-list grounds.
S6_REPEAT_PENALTY_COUNT = int(env("S6_REPEAT_PENALTY_COUNT", "2"))
S6_REPEAT_PENALTY_YEARS = int(env("S6_REPEAT_PENALTY_YEARS", "3"))
# S7: the lowest score (out of S7_MAX_SCORE) for each grade, best first; 5A needs at least 950.
S7_MAX_SCORE = int(env("S7_MAX_SCORE", "1000"))
S7_GRADE_THRESHOLDS = env_records("S7_GRADE_THRESHOLDS", "5:950,4:850,3:750,2:650,1:600", int, Decimal)
# S7: a rating is valid for this many years.
S7_VALIDITY_YEARS = int(env("S7_VALIDITY_YEARS", "5"))
# S7: a penalty within this many years before the rating date makes an organisation ineligible.
S7_PENALTY_LOOKBACK_YEARS = int(env("S7_PENALTY_LOOKBACK_YEARS", "2"))
# S8: the bureau decides an objection within this many working days of its filing.
S8_OBJECTION_DECISION_WORKING_DAYS = int(env("S8_OBJECTION_DECISION_WORKING_DAYS", "10"))

# S9: online registration (设立、变更、注销登记). The least founders or members an
# establishment names, per type: a social group 50 individual members (社会团体登记管理条例,
# art. 10); a social service organisation and a foundation at least one founder (举办者、发起人).
S9_MIN_FOUNDERS = {
    key: int(value)
    for key, value in env_mapping("S9_MIN_FOUNDERS", "social_group:50,social_service:1,foundation:1").items()
}
# S9: the least registered capital (yuan) per type: a local social group 30,000 (art. 10); a
# social service organisation 30,000 (the bureau's rule); a foundation 2,000,000, or 4,000,000
# with public fundraising (基金会管理条例, art. 8, local foundations).
S9_MIN_CAPITAL = {
    key: Decimal(value)
    for key, value in env_mapping(
        "S9_MIN_CAPITAL",
        "social_group:30000,social_service:30000,foundation:2000000,foundation_public:4000000",
    ).items()
}
# S9: words a proposed name may not carry (the first four need the State Council's approval
# and are never a Beijing organisation's; the others are never allowed; 社会组织名称管理办法).
S9_BANNED_NAME_WORDS = env_tuple("S9_BANNED_NAME_WORDS", "中国,中华,全国,国家,国际,世界,赌博,色情,迷信")
# S9: the form words a name ends with, per type ("|" between the choices).
S9_NAME_ENDINGS = {
    key: tuple(value.split("|"))
    for key, value in env_mapping(
        "S9_NAME_ENDINGS",
        "social_group:协会|学会|研究会|促进会|联合会|商会|联谊会,"
        "social_service:中心|服务社|服务站|研究院|研究所|学校|医院|书院|社|院|园|馆,"
        "foundation:基金会",
    ).items()
}
# S9: statutory deadlines in working days: the formal check tells the applicant at once and
# in full what is missing (行政许可法 art. 32: within five days), and the decision on an
# accepted application comes within S9_DECISION_WORKING_DAYS of acceptance (art. 42: 20
# working days; the registration regulations' 60 days are the outer bound).
S9_FORMAL_CHECK_WORKING_DAYS = int(env("S9_FORMAL_CHECK_WORKING_DAYS", "5"))
S9_DECISION_WORKING_DAYS = {
    key: int(value)
    for key, value in env_mapping("S9_DECISION_WORKING_DAYS", "establish:20,change:10,deregister:10").items()
}
# S9: an early warning opens this many working days before a deadline, and stays until it is met.
S9_WARNING_WORKING_DAYS = int(env("S9_WARNING_WORKING_DAYS", "2"))
# S9: an invitation to consent is sent to one person at most once in this many seconds.
S9_CONSENT_RESEND_SECONDS = int(env("S9_CONSENT_RESEND_SECONDS", "600"))
# S9: the organisation code (GB 11714, S1 positions 9–17) of a new organisation is this
# prefix, a sequence number and the check character.
S9_ORGANISATION_CODE_PREFIX = env("S9_ORGANISATION_CODE_PREFIX", "MJ")

# --- Charity disclosure (C) ---------------------------------------------------------------
# C1: basic information is disclosed within this many days of recognition or of a change.
C1_BASIC_INFO_DISCLOSURE_DAYS = int(env("C1_BASIC_INFO_DISCLOSURE_DAYS", "30"))
# C1: a charity's annual work report and financial report are due by this (month, day).
C1_CHARITY_REPORT_DEADLINE = env_month_day("C1_CHARITY_REPORT_DEADLINE", "05-31")
# C2: the fundraising plan is filed at least this many days before fundraising starts.
C2_PLAN_FILING_DAYS_BEFORE_START = int(env("C2_PLAN_FILING_DAYS_BEFORE_START", "10"))
# C2: a project lasting over this many months discloses its progress periodically ...
C2_LONG_PROJECT_MONTHS = int(env("C2_LONG_PROJECT_MONTHS", "6"))
# C2: ... at least every this many months.
C2_PROGRESS_REPORT_MONTHS = int(env("C2_PROGRESS_REPORT_MONTHS", "3"))
# C2: the full account is due this many months after the project ends.
C2_FINAL_ACCOUNT_MONTHS = int(env("C2_FINAL_ACCOUNT_MONTHS", "3"))
# C3: a public-fundraising foundation's minimum charitable spending (share of the previous
# year's income or the 3-year average) and maximum administrative costs (share of total
# spending); administrative costs below EXEMPT_BELOW (yuan) are exempt.
C3_MIN_CHARITABLE_SPENDING_RATIO = Decimal(env("C3_MIN_CHARITABLE_SPENDING_RATIO", "0.70"))
C3_MAX_ADMIN_COST_RATIO = Decimal(env("C3_MAX_ADMIN_COST_RATIO", "0.10"))
C3_ADMIN_COST_EXEMPT_BELOW = Decimal(env("C3_ADMIN_COST_EXEMPT_BELOW", "200000.00"))
# C3: public-fundraising social groups and social service organisations (2016 rules, art. 7).
C3_PUBLIC_NON_FOUNDATION_MAX_ADMIN_COST_RATIO = Decimal(
    env("C3_PUBLIC_NON_FOUNDATION_MAX_ADMIN_COST_RATIO", "0.13")
)
# C3: tiered limits for charities without public fundraising (2016 rules, art. 8 and 9):
# (net assets at the end of the previous year at least, minimum charitable spending as a
# share of those net assets, maximum administrative costs as a share of total spending).
C3_TIERS_FOUNDATION = env_records(
    "C3_TIERS_FOUNDATION",
    "60000000:0.06:0.12,8000000:0.06:0.13,4000000:0.07:0.15,0:0.08:0.20",
    Decimal,
    Decimal,
    Decimal,
)
C3_TIERS_OTHER = env_records(
    "C3_TIERS_OTHER",
    "10000000:0.06:0.13,5000000:0.07:0.14,1000000:0.08:0.15,0:0.08:0.20",
    Decimal,
    Decimal,
    Decimal,
)

# --- Incubator (issue 16) -------------------------------------------------------------------
# I1: the bureau decides on an application (admitted, waitlisted or rejected) within this
# many working days of its submission; the review queue counts down to it.
INCUBATOR_DECISION_WORKING_DAYS = int(env("INCUBATOR_DECISION_WORKING_DAYS", "15"))
# A founding group (筹备中) names at least this many founders, the applicant among them.
INCUBATOR_FOUNDING_MIN_FOUNDERS = int(env("INCUBATOR_FOUNDING_MIN_FOUNDERS", "3"))
# An admitted founding group registers within this many months of starting incubation (its
# first milestone; an early warning after).
INCUBATOR_FOUNDING_REGISTRATION_MONTHS = int(env("INCUBATOR_FOUNDING_REGISTRATION_MONTHS", "6"))
# I2: after eligibility, offers rank by fit, in points: the offer's service field is the
# organisation's; its district is the organisation's; the organisation's latest accepted annual
# income lies in the offer's size band; each earlier award whose period has ended (up to the
# cap); accepted annual reports for the last I2_FIT_REPORT_YEARS years.
I2_FIT_FIELD_POINTS = int(env("I2_FIT_FIELD_POINTS", "3"))
I2_FIT_DISTRICT_POINTS = int(env("I2_FIT_DISTRICT_POINTS", "2"))
I2_FIT_SIZE_POINTS = int(env("I2_FIT_SIZE_POINTS", "2"))
I2_FIT_AWARD_POINTS = int(env("I2_FIT_AWARD_POINTS", "1"))
I2_FIT_AWARD_CAP = int(env("I2_FIT_AWARD_CAP", "3"))
I2_FIT_REPORT_POINTS = int(env("I2_FIT_REPORT_POINTS", "1"))
I2_FIT_REPORT_YEARS = int(env("I2_FIT_REPORT_YEARS", "2"))
# I2: a programme's outcomes are published this many years after each graduation (出壳).
I2_OUTCOME_YEARS = env_tuple("I2_OUTCOME_YEARS", "1,2", int)

# --- Early warnings -------------------------------------------------------------------------
# A report due within this many days; a rating expiring within this many days. The S6 clock
# (two years on the abnormal list) is a warning from the day of the listing until it is
# removed: the organisation sees its deadline for the whole time it has to act.
WARNING_REPORT_DUE_DAYS = int(env("WARNING_REPORT_DUE_DAYS", "30"))
WARNING_RATING_EXPIRY_DAYS = int(env("WARNING_RATING_EXPIRY_DAYS", "90"))
# Stored sealed documents are re-hashed whenever served; a mismatch raises an early warning
# whose deadline is this many days after detection (restore the file from backup).
DOCUMENT_INTEGRITY_WARNING_DAYS = int(env("DOCUMENT_INTEGRITY_WARNING_DAYS", "1"))
