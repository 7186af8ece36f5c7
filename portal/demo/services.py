# ruff: noqa: C408, E501 - rows of bilingual data read best as keyword dicts, one row per service
"""The demo service catalogue: life events and services of a Shanghai district (办事指南).

Modelled on the guides published by Shanghai's 一网通办; names, departments, materials and
time limits are realistic but this is demo data, not the legal text. The police (居住证) and
the medical insurance bureau (医保) are not among the demo departments, so their services are
listed under the district administrative service centre (xzfwzx), which receives them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.catalogue.forms import parse_form_definition
from portal.models import Audience, Department, LifeEvent, ServiceGuide

R, E, BOTH = Audience.RESIDENT, Audience.ENTERPRISE, Audience.BOTH

# code, Chinese name, English name, audience, order
LIFE_EVENTS = [
    ("birth", "生育", "Having a baby", R, 10),
    ("school", "入学", "Starting school", R, 20),
    ("work", "就业", "Work and jobs", BOTH, 30),
    ("marriage", "婚姻", "Marriage", R, 40),
    ("housing", "住房", "Housing", R, 50),
    ("residence", "居住", "Moving to the district", R, 60),
    ("retirement", "养老", "Later life and pensions", R, 70),
    ("health", "医疗健康", "Health", R, 80),
    ("disability", "助残", "Disability support", R, 90),
    ("hardship", "社会救助", "Help in hardship", R, 100),
    ("bereavement", "身后事", "After a death", R, 110),
    ("business", "开办企业", "Starting a business", BOTH, 120),
]

CENTRE_ZH = "各街道、镇社区事务受理服务中心（通办）"
CENTRE_EN = "Any community affairs service centre of a sub-district or town (any one will do)"
HALL_ZH = "区行政服务中心（乐都西路867号）"
HALL_EN = "District Administrative Service Centre, 867 Ledu West Road"
FREE = ("免费", "Free")
ID_CARD = ("申请人居民身份证", "The applicant's resident ID card")
HOUSEHOLD = ("户口簿", "Household register (hukou booklet)")
PHOTO = ("近期一寸免冠彩色照片1张", "One recent colour passport-size photo")

_NAME = {"name": "applicant_name", "label_zh": "申请人姓名", "label_en": "Applicant's name", "type": "text",
         "required": True}
_PHONE = {"name": "contact_phone", "label_zh": "联系电话", "label_en": "Contact phone", "type": "text",
          "required": True}


def _upload(name: str, zh: str, en: str) -> dict:
    return {"name": name, "label_zh": zh, "label_en": en, "type": "file", "required": True}


# Each service: code, zh, en, department, audience, life events, time limit (working days),
# online, in person, where (zh, en), fee (zh, en), eligibility (zh, en), materials [(zh, en)],
# summary (zh, en), keywords, popularity, for elders, form definition (online services).
SERVICES = [
    dict(code="birth-registration", zh="生育登记", en="Registering a birth plan (birth registration)",
         dept="wjw", events=["birth"], days=0, online=True, in_person=True, where=(CENTRE_ZH, CENTRE_EN),
         fee=FREE, who=("本市户籍或持有本市居住证的夫妻", "Couples with a Shanghai hukou or a Shanghai residence permit"),
         materials=[("夫妻双方居民身份证", "Both spouses' resident ID cards"), ("结婚证", "Marriage certificate")],
         summary=("怀孕后办理生育登记，享受孕产期保健服务。", "Register a pregnancy to receive antenatal care services."),
         keywords="怀孕 准生证 生育服务", popularity=820,
         form=[_NAME, _PHONE, {"name": "expected_date", "label_zh": "预产期", "label_en": "Expected due date",
                               "type": "date", "required": True}]),
    dict(code="birth-medical-certificate", zh="出生医学证明办理", en="Birth medical certificate",
         dept="wjw", events=["birth"], days=5, online=False, in_person=True,
         where=("新生儿出生的助产机构", "The maternity hospital where the baby was born"), fee=FREE,
         who=("在本区助产机构出生的新生儿的父母", "Parents of a baby born in a maternity hospital of the district"),
         materials=[("父母双方居民身份证", "Both parents' resident ID cards"),
                    ("新生儿姓名等信息登记表", "Form with the baby's name and details")],
         summary=("新生儿的第一份证件，用于户口登记和医保参保。",
                  "The baby's first document, needed to register the household and health insurance."),
         keywords="生育医学证明 出生证", popularity=640),
    dict(code="newborn-medical-insurance", zh="新生儿医保参保登记", en="Health insurance for a newborn",
         dept="xzfwzx", events=["birth", "health"], days=0, online=True, in_person=True,
         where=(CENTRE_ZH, CENTRE_EN), fee=("按城乡居民医保缴费标准", "The standard resident health insurance contribution"),
         who=("本市户籍新生儿，或父母一方参加本市职工医保的新生儿",
              "Newborns with a Shanghai hukou, or whose parent is insured as an employee in Shanghai"),
         materials=[("出生医学证明", "Birth medical certificate"), HOUSEHOLD],
         summary=("出生后尽早参保，出生当年的医疗费用可以报销。",
                  "Insure the baby early: medical costs from the year of birth can then be reimbursed."),
         keywords="医保 少儿医保 新生儿参保", popularity=560,
         form=[_NAME, _PHONE, {"name": "baby_name", "label_zh": "新生儿姓名", "label_en": "Baby's name",
                               "type": "text", "required": True},
               _upload("birth_certificate", "出生医学证明", "Birth medical certificate")]),
    dict(code="residence-permit", zh="上海市居住证办理", en="Shanghai residence permit",
         dept="xzfwzx", events=["residence", "work"], days=15, online=True, in_person=True,
         where=(CENTRE_ZH, CENTRE_EN), fee=FREE,
         who=("在本市合法稳定居住满半年，并有合法稳定就业或就读的非本市户籍人员",
              "People without a Shanghai hukou who have lived in Shanghai legally for six months and work or study here"),
         materials=[ID_CARD, ("居住登记凭证", "Proof of residence registration"),
                    ("劳动合同或就读证明", "Employment contract or proof of study"), PHOTO],
         summary=("持证可享受子女入学、社保、公共服务等待遇。",
                  "The permit gives access to school places, social insurance and public services."),
         keywords="居住证 积分 暂住证", popularity=980,
         form=[_NAME, _PHONE, {"name": "address", "label_zh": "居住地址", "label_en": "Home address",
                               "type": "textarea", "required": True},
               _upload("contract", "劳动合同或就读证明", "Employment contract or proof of study")]),
    dict(code="residence-permit-endorsement", zh="居住证签注", en="Annual endorsement of the residence permit",
         dept="xzfwzx", events=["residence"], days=0, online=True, in_person=True, where=(CENTRE_ZH, CENTRE_EN),
         fee=FREE, who=("居住证有效期内仍符合办理条件的持证人", "Permit holders who still meet the conditions"),
         materials=[("上海市居住证", "Shanghai residence permit"), ID_CARD],
         summary=("居住证每年签注一次，逾期未签注的暂停使用。",
                  "The permit must be endorsed every year, or it is suspended."),
         keywords="居住证续签 年审", popularity=700,
         form=[_NAME, _PHONE]),
    dict(code="elder-allowance", zh="老年综合津贴申领", en="Old-age allowance",
         dept="mzj", events=["retirement"], days=20, online=True, in_person=True, where=(CENTRE_ZH, CENTRE_EN),
         fee=FREE, who=("年满65周岁的本市户籍老年人", "Shanghai hukou holders aged 65 or over"),
         materials=[ID_CARD, HOUSEHOLD, ("本人银行卡或社保卡", "Own bank card or social security card")],
         summary=("按年龄段每月发放津贴，65岁起每月75元至100岁以上每月600元。",
                  "A monthly allowance by age band, from 75 yuan at 65 to 600 yuan from 100."),
         keywords="老人津贴 高龄津贴 养老金补贴", popularity=930, elders=True,
         form=[_NAME, _PHONE, {"name": "bank", "label_zh": "收款方式", "label_en": "Paid into", "type": "select",
                               "required": True,
                               "options": [{"value": "ssc", "label_zh": "社保卡", "label_en": "Social security card"},
                                           {"value": "bank", "label_zh": "银行卡", "label_en": "Bank card"}]}]),
    dict(code="respect-card", zh="敬老卡申领", en="Senior citizen card (respect card)",
         dept="mzj", events=["retirement"], days=20, online=True, in_person=True, where=(CENTRE_ZH, CENTRE_EN),
         fee=FREE, who=("年满60周岁的本市户籍老年人", "Shanghai hukou holders aged 60 or over"),
         materials=[ID_CARD, PHOTO],
         summary=("凭卡免费乘坐公交、游览公园，并发放老年综合津贴。",
                  "Free buses and parks, and the card into which the old-age allowance is paid."),
         keywords="老人卡 长者卡 老年卡 敬老", popularity=910, elders=True,
         form=[_NAME, _PHONE, _upload("photo", "一寸免冠照片", "Passport-size photo")]),
    dict(code="elder-care-assessment", zh="老年照护统一需求评估", en="Long-term care needs assessment",
         dept="mzj", events=["retirement", "health"], days=20, online=True, in_person=True,
         where=(CENTRE_ZH, CENTRE_EN), fee=FREE,
         who=("年满60周岁、有照护需求的本市老年人", "Residents aged 60 or over who need care"),
         materials=[ID_CARD, ("医保卡", "Health insurance card")],
         summary=("评估照护等级后，可享受居家照护、养老机构照护等服务。",
                  "The assessed care level opens home care and residential care services."),
         keywords="长护险 长期护理保险 照护等级", popularity=520, elders=True,
         form=[_NAME, _PHONE, {"name": "needs", "label_zh": "目前的照护需求", "label_en": "Current care needs",
                               "type": "textarea", "required": False}]),
    dict(code="home-care-subsidy", zh="居家养老服务补贴", en="Home care subsidy",
         dept="mzj", events=["retirement"], days=20, online=False, in_person=True, where=(CENTRE_ZH, CENTRE_EN),
         fee=FREE, who=("经评估有照护需求、符合经济条件的老年人", "Elders assessed as needing care who meet the means test"),
         materials=[ID_CARD, HOUSEHOLD, ("照护需求评估结果", "Care needs assessment result")],
         summary=("为居家的老年人购买上门照料、助浴、助洁等服务提供补贴。",
                  "Pays towards care at home: help with meals, bathing and cleaning."),
         keywords="上门服务 助浴 助洁 养老补贴", popularity=430, elders=True),
    dict(code="elder-meals", zh="社区老年助餐服务", en="Community meals for elders",
         dept="mzj", events=["retirement"], days=5, online=False, in_person=True,
         where=("居住地街道、镇社区长者食堂", "The community canteen for elders of your sub-district or town"), fee=(
             "按餐标收费，符合条件的可享受补贴", "Charged per meal; subsidised for those who qualify"),
         who=("年满60周岁的本区常住老年人", "Residents of the district aged 60 or over"),
         materials=[ID_CARD],
         summary=("在社区长者食堂用餐或送餐上门。", "Eat at a community canteen for elders, or have meals delivered."),
         keywords="长者食堂 老年餐 送餐", popularity=480, elders=True),
    dict(code="elder-health-check", zh="老年人免费健康体检", en="Free health check for elders",
         dept="wjw", events=["retirement", "health"], days=0, online=True, in_person=True,
         where=("居住地社区卫生服务中心", "Your community health service centre"), fee=FREE,
         who=("年满65周岁的本区常住老年人", "Residents of the district aged 65 or over"),
         materials=[ID_CARD, ("医保卡", "Health insurance card")],
         summary=("每年一次免费体检，包括血常规、肝肾功能、心电图等。",
                  "A free yearly check: blood tests, liver and kidney function, ECG."),
         keywords="体检 老年体检", popularity=600, elders=True,
         form=[_NAME, _PHONE, {"name": "preferred_date", "label_zh": "希望体检的日期", "label_en": "Preferred date",
                               "type": "date", "required": True}]),
    dict(code="family-doctor", zh="家庭医生签约", en="Signing up with a family doctor",
         dept="wjw", events=["health"], days=0, online=True, in_person=True,
         where=("居住地社区卫生服务中心", "Your community health service centre"), fee=FREE,
         who=("本区常住居民", "Residents of the district"), materials=[ID_CARD, ("医保卡", "Health insurance card")],
         summary=("签约后可优先预约、长处方和转诊。", "Gives priority appointments, long prescriptions and referrals."),
         keywords="家庭医生 签约 社区医院", popularity=610, elders=True,
         form=[_NAME, _PHONE]),
    dict(code="unemployment-registration", zh="失业登记", en="Registering as unemployed",
         dept="rsj", events=["work"], days=0, online=True, in_person=True, where=(CENTRE_ZH, CENTRE_EN), fee=FREE,
         who=("法定劳动年龄内、有劳动能力和就业要求、处于无业状态的人员",
              "People of working age who can work, want to work and have no job"),
         materials=[ID_CARD, ("与原单位终止或解除劳动关系的证明", "Proof that the last employment ended")],
         summary=("登记后可享受职业介绍、职业培训等就业服务。",
                  "Registration opens job placement and training services."),
         keywords="失业 没工作 找工作", popularity=750,
         form=[_NAME, _PHONE, {"name": "last_employer", "label_zh": "原工作单位", "label_en": "Last employer",
                               "type": "text", "required": False}]),
    dict(code="unemployment-benefit", zh="失业保险金申领", en="Claiming unemployment benefit",
         dept="rsj", events=["work"], days=10, online=True, in_person=True, where=(CENTRE_ZH, CENTRE_EN), fee=FREE,
         who=("失业前缴纳失业保险满一年、非本人意愿中断就业并已办理失业登记的人员",
              "People insured for a year before losing their job involuntarily, registered as unemployed"),
         materials=[ID_CARD, ("社保卡", "Social security card")],
         summary=("按月领取失业保险金，期间代缴医疗保险。",
                  "Monthly benefit; health insurance is paid for you meanwhile."),
         keywords="失业金 失业保险", popularity=690,
         form=[_NAME, _PHONE]),
    dict(code="flexible-employment", zh="灵活就业登记", en="Registering flexible employment",
         dept="rsj", events=["work"], days=0, online=True, in_person=True, where=(CENTRE_ZH, CENTRE_EN), fee=FREE,
         who=("以非全日制、临时性、弹性工作等形式就业的本市户籍人员",
              "Shanghai hukou holders in part-time, temporary or freelance work"),
         materials=[ID_CARD, ("从事灵活就业的情况说明", "A short description of the work")],
         summary=("登记后可按规定享受社会保险费补贴。", "Registration may qualify you for social insurance subsidies."),
         keywords="自由职业 兼职 零工 社保补贴", popularity=540,
         form=[_NAME, _PHONE, {"name": "work", "label_zh": "从事的工作", "label_en": "Kind of work", "type": "text",
                               "required": True}]),
    dict(code="resident-pension-enrolment", zh="城乡居民基本养老保险参保登记",
         en="Enrolling in the urban and rural residents' pension", dept="rsj", events=["retirement", "work"],
         days=0, online=True, in_person=True, where=(CENTRE_ZH, CENTRE_EN),
         fee=("按所选缴费档次", "According to the contribution level you choose"),
         who=("年满16周岁、不属于职工养老保险覆盖范围的本市户籍居民",
              "Shanghai hukou holders aged 16 or over not covered by the employees' pension"),
         materials=[ID_CARD, HOUSEHOLD],
         summary=("按年缴费，年满60周岁后按月领取养老金。", "Pay in yearly; from 60 you receive a monthly pension."),
         keywords="城乡居保 养老保险 社保", popularity=470,
         form=[_NAME, _PHONE, {"name": "level", "label_zh": "缴费档次（元/年）", "label_en": "Contribution (yuan a year)",
                               "type": "number", "required": True}]),
    dict(code="resident-pension-claim", zh="城乡居民养老保险待遇申领", en="Claiming the residents' pension",
         dept="rsj", events=["retirement"], days=20, online=True, in_person=True, where=(CENTRE_ZH, CENTRE_EN),
         fee=FREE, who=("参加城乡居民养老保险、年满60周岁的人员", "People in the residents' pension scheme aged 60 or over"),
         materials=[ID_CARD, HOUSEHOLD, ("本人社保卡", "Own social security card")],
         summary=("申领后按月发放养老金到社保卡。", "The pension is paid monthly onto your social security card."),
         keywords="养老金 退休金 领养老金", popularity=580, elders=True,
         form=[_NAME, _PHONE]),
    dict(code="public-rental-housing", zh="公共租赁住房申请", en="Applying for public rental housing",
         dept="fgj", events=["housing", "work"], days=30, online=True, in_person=True, where=(HALL_ZH, HALL_EN),
         fee=("租金按市场租金的一定比例确定", "Rent is set below the market rent"),
         who=("在本区稳定就业、住房困难的本市户籍或持证人员",
              "People working in the district with housing difficulties (hukou or residence permit)"),
         materials=[ID_CARD, ("劳动合同及社保缴费记录", "Employment contract and social insurance record"),
                    ("住房情况声明", "Statement of current housing")],
         summary=("为新就业人员、引进人才等提供过渡性租赁住房。",
                  "Interim rental homes for new workers and recruited talent."),
         keywords="公租房 人才公寓 租房", popularity=720,
         form=[_NAME, _PHONE, {"name": "household_size", "label_zh": "申请家庭人数", "label_en": "People in the household",
                               "type": "number", "required": True},
               _upload("contract", "劳动合同", "Employment contract")]),
    dict(code="low-rent-housing", zh="廉租住房申请", en="Applying for low-rent housing",
         dept="fgj", events=["housing", "hardship"], days=40, online=False, in_person=True,
         where=(CENTRE_ZH, CENTRE_EN), fee=("按廉租住房租金标准", "The low-rent housing rent"),
         who=("本市户籍、人均居住面积和收入、财产低于规定标准的家庭",
              "Shanghai hukou families below the set limits of floor space per person, income and assets"),
         materials=[HOUSEHOLD, ID_CARD, ("家庭收入和财产情况申报", "Declaration of household income and assets")],
         summary=("为住房和经济双困家庭提供租金配租或实物配租。",
                  "Rent subsidy or a home for families short of both housing and income."),
         keywords="廉租房 住房困难", popularity=330),
    dict(code="shared-ownership-housing", zh="共有产权保障住房申请", en="Shared-ownership affordable housing",
         dept="fgj", events=["housing"], days=60, online=True, in_person=True, where=(CENTRE_ZH, CENTRE_EN), fee=FREE,
         who=("符合户籍、住房面积、收入和财产标准的家庭",
              "Families meeting the hukou, floor space, income and asset conditions"),
         materials=[HOUSEHOLD, ID_CARD, ("婚姻状况证明", "Proof of marital status")],
         summary=("政府与购房人按份共有产权，以较低价格购买住房。",
                  "Buy a home at a lower price, owned in shares with the government."),
         keywords="共有产权房 经适房 保障房", popularity=410,
         form=[_NAME, _PHONE, {"name": "household_size", "label_zh": "申请家庭人数", "label_en": "People in the household",
                               "type": "number", "required": True}]),
    dict(code="disability-card", zh="残疾人证办理", en="Disability certificate",
         dept="mzj", events=["disability"], days=20, online=False, in_person=True, where=(CENTRE_ZH, CENTRE_EN),
         fee=FREE, who=("本市户籍、符合残疾标准的人员", "Shanghai hukou holders who meet the disability criteria"),
         materials=[ID_CARD, HOUSEHOLD, ("两寸免冠照片3张", "Three recent two-inch photos"),
                    ("指定医院的残疾评定结果", "Disability assessment from a designated hospital")],
         summary=("残疾人证是享受各项助残政策的凭证。", "The certificate opens every disability support measure."),
         keywords="残疾证 残联 残疾评定", popularity=450),
    dict(code="disability-living-allowance", zh="困难残疾人生活补贴", en="Living allowance for disabled people in hardship",
         dept="mzj", events=["disability", "hardship"], days=20, online=True, in_person=True,
         where=(CENTRE_ZH, CENTRE_EN), fee=FREE,
         who=("持证的低保、低收入家庭残疾人", "Certified disabled people in low-income or subsistence families"),
         materials=[("残疾人证", "Disability certificate"), ID_CARD],
         summary=("按月发放生活补贴。", "A monthly living allowance."), keywords="两项补贴 残疾补贴", popularity=260,
         form=[_NAME, _PHONE]),
    dict(code="marriage-appointment", zh="婚姻登记预约", en="Booking a marriage registration",
         dept="mzj", events=["marriage"], days=0, online=True, in_person=True,
         where=("区婚姻登记中心（中山中路228号）", "District Marriage Registry, 228 Zhongshan Middle Road"), fee=FREE,
         who=("男满22周岁、女满20周岁、双方自愿且均无配偶的当事人",
              "Both consenting and unmarried; the man aged 22 or over, the woman 20 or over"),
         materials=[("双方居民身份证", "Both parties' resident ID cards"), ("双方户口簿", "Both parties' household registers"),
                    ("双方合影两寸照片3张", "Three two-inch photos of the couple together")],
         summary=("预约后双方本人按约定时间到场办理结婚登记。",
                  "Book a time; both of you then come in person to register."),
         keywords="结婚登记 领证 结婚证", popularity=760,
         form=[_NAME, _PHONE, {"name": "partner_name", "label_zh": "另一方姓名", "label_en": "Partner's name",
                               "type": "text", "required": True},
               {"name": "date", "label_zh": "希望办理的日期", "label_en": "Preferred date", "type": "date",
                "required": True}]),
    dict(code="marriage-certificate-replacement", zh="补领婚姻登记证", en="Replacing a marriage certificate",
         dept="mzj", events=["marriage"], days=0, online=False, in_person=True,
         where=("区婚姻登记中心（中山中路228号）", "District Marriage Registry, 228 Zhongshan Middle Road"), fee=FREE,
         who=("婚姻登记证遗失或损毁的当事人", "Anyone whose marriage certificate was lost or damaged"),
         materials=[ID_CARD, HOUSEHOLD, ("两寸照片", "Two-inch photos")],
         summary=("当场补发。", "Replaced on the spot."), keywords="结婚证丢了 补办结婚证", popularity=210),
    dict(code="school-enrolment", zh="义务教育阶段入学报名", en="Enrolling in primary or middle school",
         dept="jyj", events=["school"], days=0, online=True, in_person=False,
         where=("上海市义务教育入学报名系统（网上）", "Online, on the Shanghai compulsory education enrolment system"),
         fee=FREE, who=("适龄儿童的监护人", "Parents or guardians of children of school age"),
         materials=[("儿童户口簿或居住证", "The child's household register or residence permit"),
                    ("房产证或租赁备案证明", "Property certificate or registered tenancy")],
         summary=("每年4月至5月网上报名，按户籍和居住地对口入学。",
                  "Apply online every April to May; places follow hukou and home address."),
         keywords="小学报名 初中报名 幼升小 小升初", popularity=870,
         form=[_NAME, _PHONE, {"name": "child_name", "label_zh": "儿童姓名", "label_en": "Child's name",
                               "type": "text", "required": True},
               {"name": "stage", "label_zh": "报名学段", "label_en": "Stage", "type": "select", "required": True,
                "options": [{"value": "primary", "label_zh": "小学一年级", "label_en": "Primary year 1"},
                            {"value": "middle", "label_zh": "初中预备年级", "label_en": "Middle school entry"}]}]),
    dict(code="kindergarten-enrolment", zh="幼儿园入园报名", en="Enrolling in kindergarten",
         dept="jyj", events=["school"], days=0, online=True, in_person=False,
         where=("区教育局网上报名平台", "Online, on the District Education Bureau's platform"), fee=(
             "按公办幼儿园保教费标准", "The public kindergarten fee"),
         who=("满3周岁的适龄幼儿的监护人", "Parents or guardians of children aged 3"),
         materials=[("幼儿户口簿或居住证", "The child's household register or residence permit"),
                    ("预防接种证", "Vaccination record")],
         summary=("每年4月网上登记，5月验证，6月录取。", "Register online in April, documents checked in May, places in June."),
         keywords="幼儿园 入园 托班", popularity=650,
         form=[_NAME, _PHONE, {"name": "child_name", "label_zh": "幼儿姓名", "label_en": "Child's name",
                               "type": "text", "required": True}]),
    dict(code="student-aid", zh="家庭经济困难学生资助", en="Support for students from families in hardship",
         dept="jyj", events=["school", "hardship"], days=20, online=True, in_person=True,
         where=("就读学校", "The school the child attends"), fee=FREE,
         who=("低保、低收入等家庭经济困难的在校学生", "Students from low-income or subsistence families"),
         materials=[("学生证", "Student card"), ("家庭经济困难证明", "Proof of financial hardship")],
         summary=("减免学杂费、发放助学金。", "Fee waivers and study grants."), keywords="助学金 资助 减免学费",
         popularity=300, form=[_NAME, _PHONE]),
    dict(code="minimum-living-allowance", zh="最低生活保障申请", en="Applying for the minimum living allowance",
         dept="mzj", events=["hardship"], days=30, online=True, in_person=True, where=(CENTRE_ZH, CENTRE_EN), fee=FREE,
         who=("家庭月人均收入低于本市低保标准、财产符合规定的本市户籍家庭",
              "Shanghai hukou families whose monthly income per person is below the minimum living standard"),
         materials=[HOUSEHOLD, ID_CARD, ("家庭收入和财产申报", "Declaration of household income and assets")],
         summary=("按月补足家庭收入与低保标准的差额。",
                  "Tops household income up to the minimum living standard every month."),
         keywords="低保 生活困难 救助", popularity=390,
         form=[_NAME, _PHONE, {"name": "household_size", "label_zh": "家庭人数", "label_en": "People in the household",
                               "type": "number", "required": True},
               {"name": "situation", "label_zh": "家庭困难情况", "label_en": "Your situation", "type": "textarea",
                "required": True}]),
    dict(code="temporary-assistance", zh="临时救助申请", en="Emergency assistance",
         dept="mzj", events=["hardship"], days=10, online=False, in_person=True, where=(CENTRE_ZH, CENTRE_EN), fee=FREE,
         who=("因突发事件、意外伤害、重大疾病等导致基本生活暂时困难的家庭或个人",
              "Families or people in sudden hardship: an accident, a serious illness, a disaster"),
         materials=[ID_CARD, ("困难情况说明及相关证明", "Account of the hardship and any proof")],
         summary=("情况紧急的可先行救助、后补手续。", "In an emergency, help comes first and the paperwork after."),
         keywords="急难救助 应急", popularity=220),
    dict(code="funeral-fee-waiver", zh="基本殡葬服务费用减免", en="Waiver of basic funeral service fees",
         dept="mzj", events=["bereavement"], days=0, online=False, in_person=True,
         where=("区殡仪馆", "District funeral home"), fee=FREE,
         who=("本市户籍居民的丧事承办人", "Whoever arranges the funeral of a Shanghai hukou holder"),
         materials=[("死亡医学证明", "Medical certificate of death"), ("逝者居民身份证", "The deceased's resident ID card"),
                    ("承办人居民身份证", "The arranger's resident ID card")],
         summary=("减免遗体接运、暂存、火化和骨灰寄存等基本服务费用。",
                  "Covers collection, storage, cremation and keeping of ashes."),
         keywords="殡葬 火化 丧事", popularity=250),
    dict(code="funeral-grant-claim", zh="丧葬补助金和抚恤金申领", en="Claiming the funeral grant and survivors' pension",
         dept="rsj", events=["bereavement"], days=15, online=True, in_person=True, where=(CENTRE_ZH, CENTRE_EN),
         fee=FREE, who=("参保人员的直系亲属", "The close relatives of an insured person"),
         materials=[("死亡证明", "Death certificate"), ("申领人与逝者关系证明", "Proof of relationship to the deceased"),
                    ("申领人居民身份证", "The claimant's resident ID card")],
         summary=("参保人员去世后，家属可一次性申领丧葬补助金和抚恤金。",
                  "After an insured person dies, the family may claim a one-off funeral grant and pension."),
         keywords="丧葬费 抚恤金 身后事 去世", popularity=280,
         form=[_NAME, _PHONE, {"name": "deceased_name", "label_zh": "逝者姓名", "label_en": "Name of the deceased",
                               "type": "text", "required": True},
               _upload("death_certificate", "死亡证明", "Death certificate")]),
    dict(code="individual-business", zh="个体工商户设立登记", en="Registering a sole trader (individual business)",
         dept="scjgj", events=["business", "work"], audience=BOTH, days=3, online=True, in_person=True,
         where=(HALL_ZH, HALL_EN), fee=FREE,
         who=("有经营能力的公民", "Any citizen able to run a business"),
         materials=[("经营者居民身份证", "The operator's resident ID card"),
                    ("经营场所使用证明", "Proof of the right to use the premises")],
         summary=("设立后领取营业执照。", "You receive a business licence."),
         keywords="个体户 营业执照 开店", popularity=620,
         form=[_NAME, _PHONE, {"name": "trade_name", "label_zh": "字号名称", "label_en": "Trade name", "type": "text",
                               "required": False},
               {"name": "premises", "label_zh": "经营场所", "label_en": "Premises", "type": "textarea", "required": True},
               _upload("premises_proof", "经营场所使用证明", "Proof of the right to use the premises")]),
    dict(code="company-setup", zh="企业开办一件事", en="Starting a company (all in one)",
         dept="scjgj", events=["business"], audience=E, days=2, online=True, in_person=True,
         where=(HALL_ZH, HALL_EN), fee=("免费刻制首套公章", "The first set of company seals is free"),
         who=("拟设立企业的投资人", "Investors setting up a company"),
         materials=[("公司章程", "Articles of association"), ("股东主体资格证明", "Proof of the shareholders' identity"),
                    ("住所使用证明", "Proof of the registered address")],
         summary=("营业执照、公章、发票、社保和公积金登记一次办结。",
                  "Business licence, seals, invoices, social insurance and housing fund in one go."),
         keywords="注册公司 开公司 营业执照", popularity=800,
         form=[_NAME, _PHONE, {"name": "company_name", "label_zh": "拟设企业名称", "label_en": "Proposed company name",
                               "type": "text", "required": True},
               _upload("articles", "公司章程", "Articles of association")]),
    dict(code="food-business-licence", zh="食品经营许可", en="Food business licence",
         dept="scjgj", events=["business"], audience=E, days=10, online=True, in_person=True,
         where=(HALL_ZH, HALL_EN), fee=FREE,
         who=("从事食品销售和餐饮服务的经营者", "Businesses selling food or serving meals"),
         materials=[("营业执照", "Business licence"), ("经营场所平面布局图", "Floor plan of the premises"),
                    ("食品安全管理制度", "Food safety management rules")],
         summary=("取得许可后方可从事食品经营。", "Needed before selling or serving food."),
         keywords="餐饮许可 食品许可证 开饭店", popularity=560,
         form=[_NAME, _PHONE, {"name": "premises", "label_zh": "经营场所", "label_en": "Premises", "type": "textarea",
                               "required": True},
               _upload("floor_plan", "平面布局图", "Floor plan")]),
    dict(code="employee-hiring-filing", zh="招用员工就业登记备案", en="Filing the hiring of employees",
         dept="rsj", events=["business", "work"], audience=E, days=0, online=True, in_person=True,
         where=(HALL_ZH, HALL_EN), fee=FREE, who=("招用员工的用人单位", "Employers taking on staff"),
         materials=[("劳动合同", "Employment contracts"), ("员工居民身份证", "Employees' resident ID cards")],
         summary=("用人单位应在招用之日起30日内办理就业登记。", "Employers file within 30 days of hiring."),
         keywords="用工备案 就业登记 招工", popularity=500,
         form=[_NAME, _PHONE, {"name": "employees", "label_zh": "招用人数", "label_en": "Number of employees",
                               "type": "number", "required": True}]),
    dict(code="business-licence-change", zh="营业执照变更登记", en="Changing a business licence",
         dept="scjgj", events=["business"], audience=E, days=3, online=True, in_person=True,
         where=(HALL_ZH, HALL_EN), fee=FREE, who=("登记事项发生变化的企业", "Companies whose registered details changed"),
         materials=[("变更登记申请书", "Application for change"), ("营业执照正副本", "Business licence, both copies")],
         summary=("名称、住所、法定代表人等变更。", "Name, address, legal representative and other changes."),
         keywords="变更 改名 换法人", popularity=420,
         form=[_NAME, _PHONE, {"name": "change", "label_zh": "变更事项", "label_en": "What changes", "type": "textarea",
                               "required": True}]),
]


def seed_life_events(session: Session) -> int:
    existing = {e.code: e for e in session.scalars(select(LifeEvent))}
    created = 0
    for code, name_zh, name_en, audience, order in LIFE_EVENTS:
        event = existing.get(code)
        if event is None:
            event = LifeEvent(code=code)
            session.add(event)
            created += 1
        event.name_zh, event.name_en, event.audience, event.sort_order = name_zh, name_en, audience, order
    session.flush()
    return created


def seed_services(session: Session) -> int:
    seed_life_events(session)
    events = {e.code: e for e in session.scalars(select(LifeEvent))}
    departments = {d.code: d for d in session.scalars(select(Department))}
    existing = {s.code: s for s in session.scalars(select(ServiceGuide))}
    created = 0
    for data in SERVICES:
        service = existing.get(data["code"])
        if service is None:
            service = ServiceGuide(code=data["code"])
            session.add(service)
            created += 1
        form = data.get("form")
        parse_form_definition(form)  # a bad definition fails the seed, not a resident's page
        service.name_zh, service.name_en = data["zh"], data["en"]
        service.department = departments[data["dept"]]
        service.audience = data.get("audience", R)
        service.life_events = [events[code] for code in data["events"]]
        service.time_limit_days = data["days"]
        service.online, service.in_person = data["online"], data["in_person"]
        service.where_zh, service.where_en = data["where"]
        service.fee_zh, service.fee_en = data["fee"]
        service.eligibility_zh, service.eligibility_en = data["who"]
        service.materials = [{"zh": zh, "en": en} for zh, en in data["materials"]]
        service.summary_zh, service.summary_en = data["summary"]
        service.keywords = data.get("keywords", "")
        service.popularity = data.get("popularity", 0)
        service.for_elders = data.get("elders", False)
        service.form_definition = form if data["online"] else None
    session.flush()
    return created
