package seed

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DemoNotice is shown site-wide when the demo catalog is loaded.
const DemoNotice = "本站数据为演示用合成数据，不代表真实信息 (Synthetic demo data)"

// Demo provider accounts belong to these departments; both have
// conditional datasets.
const (
	DemoProviderDepartment  = "hlj-scjgj" // 黑龙江省市场监督管理局
	DemoProvider2Department = "hrb-jtysj" // 哈尔滨市交通运输局
)

// demoEnd is the reference "today" of Demo(): publication and update dates
// fall between 2024-01-01 and this day. DemoAt moves them to its now.
var demoEnd = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

var demoCST = time.FixedZone("CST", 8*3600)

type demoDept struct {
	id, name string
	domain   string
	city     string // "" for province-level
}

var demoDepts = []demoDept{
	{"hlj-scjgj", "黑龙江省市场监督管理局", "market", ""},
	{"hlj-jtyst", "黑龙江省交通运输厅", "transport", ""},
	{"hlj-wsjkw", "黑龙江省卫生健康委员会", "health", ""},
	{"hlj-jyt", "黑龙江省教育厅", "education", ""},
	{"hlj-sthjt", "黑龙江省生态环境厅", "environment", ""},
	{"hlj-zrzyt", "黑龙江省自然资源厅", "resources", ""},
	{"hlj-rsst", "黑龙江省人力资源和社会保障厅", "hr", ""},
	{"hlj-mzt", "黑龙江省民政厅", "civil", ""},
	{"hlj-gat", "黑龙江省公安厅", "police", ""},
	{"hlj-nynct", "黑龙江省农业农村厅", "agriculture", ""},
	{"hlj-whhlyt", "黑龙江省文化和旅游厅", "culture", ""},
	{"hlj-zfhcxjst", "黑龙江省住房和城乡建设厅", "housing", ""},
	{"hlj-tjj", "黑龙江省统计局", "stats", ""},
	{"hlj-swj", "国家税务总局黑龙江省税务局", "tax", ""},
	{"hlj-czt", "黑龙江省财政厅", "finance", ""},
	{"hlj-fgw", "黑龙江省发展和改革委员会", "credit", ""},
	{"hlj-slt", "黑龙江省水利厅", "water", ""},
	{"hlj-ybj", "黑龙江省医疗保障局", "medins", ""},
	{"hlj-yjglt", "黑龙江省应急管理厅", "emergency", ""},
	{"hrb-jtysj", "哈尔滨市交通运输局", "transport", "哈尔滨市"},
	{"hrb-scjgj", "哈尔滨市市场监督管理局", "market", "哈尔滨市"},
	{"hrb-wsjkw", "哈尔滨市卫生健康委员会", "health", "哈尔滨市"},
	{"hrb-jyj", "哈尔滨市教育局", "education", "哈尔滨市"},
	{"qqhr-scjgj", "齐齐哈尔市市场监督管理局", "market", "齐齐哈尔市"},
	{"qqhr-jtysj", "齐齐哈尔市交通运输局", "transport", "齐齐哈尔市"},
	{"dq-scjgj", "大庆市市场监督管理局", "market", "大庆市"},
	{"dq-sthjj", "大庆市生态环境局", "environment", "大庆市"},
	{"mdj-jtysj", "牡丹江市交通运输局", "transport", "牡丹江市"},
	{"mdj-whgdlyj", "牡丹江市文化广电和旅游局", "culture", "牡丹江市"},
	{"jms-scjgj", "佳木斯市市场监督管理局", "market", "佳木斯市"},
	{"jms-nyncj", "佳木斯市农业农村局", "agriculture", "佳木斯市"},
}

var demoTopics = []Topic{
	{"economy", "经济建设", "Economy"},
	{"transport", "交通出行", "Transport"},
	{"education", "教育科技", "Education and science"},
	{"health", "医疗卫生", "Health"},
	{"environment", "生态环境", "Environment"},
	{"resources", "资源能源", "Resources and energy"},
	{"social-security", "社会保障", "Social security"},
	{"employment", "就业创业", "Employment"},
	{"public-safety", "公共安全", "Public safety"},
	{"agriculture", "农业农村", "Agriculture and rural affairs"},
	{"culture", "文化休闲", "Culture and leisure"},
	{"housing", "城建住房", "Urban construction and housing"},
	{"credit", "信用服务", "Credit"},
	{"finance", "财税金融", "Finance and taxation"},
	{"organisations", "机构团体", "Organisations"},
	{"geography", "地理空间", "Geography"},
}

// Classification values.
const (
	demoClassBase  = "基础数据"
	demoClassTopic = "主题数据"
	demoClassDept  = "部门数据"
)

// demoTmpl is one dataset template of a domain. In title, {P} becomes 全省
// for a province department or the city name, {N} 黑龙江省 or the city name.
type demoTmpl struct {
	title   string
	topic   string
	schema  string
	variant string
	// open: u (L1), u2 (unconditional L2), c (conditional L2), c3
	// (conditional L3), n:p / n:s / n:l / n:x (not open: privacy, commercial
	// secret, statistics law, public security; L4).
	open  string
	freq  string
	class string
	tags  string // comma separated, 2-3 tags
	scope byte   // b both, p province only, c city only
	split bool   // one resource per year (last two years)
}

var demoDomains = map[string][]demoTmpl{
	"market": {
		{"{P}企业登记信息", "economy", "enterprise_reg", "", "u", "daily", demoClassBase, "企业登记,市场主体,工商登记", 'b', false},
		{"{P}个体工商户登记信息", "economy", "enterprise_reg", "individual", "c", "weekly", demoClassBase, "个体工商户,市场主体", 'b', false},
		{"{P}企业股东及出资信息", "economy", "shareholder", "", "c3", "weekly", demoClassBase, "股东,出资,市场主体", 'b', false},
		{"{P}企业变更登记信息", "economy", "ent_change", "", "c", "daily", demoClassDept, "变更登记,市场主体", 'b', false},
		{"{P}企业注销登记信息", "economy", "enterprise_reg", "dereg", "u", "weekly", demoClassDept, "企业注销,市场主体", 'b', false},
		{"{P}农民专业合作社登记信息", "agriculture", "agri_entity", "coop", "u", "monthly", demoClassBase, "农民专业合作社,登记注册", 'p', false},
		{"{P}企业年报公示信息", "credit", "enterprise_annual", "", "u", "yearly", demoClassDept, "企业年报,信用公示", 'b', true},
		{"{P}企业年报资产状况信息", "economy", "enterprise_annual", "assets", "c3", "yearly", demoClassDept, "企业年报,资产负债,经营状况", 'p', true},
		{"{P}企业经营异常名录", "credit", "abnormal", "market", "u", "daily", demoClassDept, "经营异常,信用监管", 'b', false},
		{"{P}严重违法失信企业名单", "credit", "credit_list", "black", "u", "monthly", demoClassDept, "严重违法失信,信用惩戒", 'b', false},
		{"{P}食品经营许可信息", "economy", "license", "food", "u", "daily", demoClassDept, "食品经营许可,行政许可,食品安全", 'b', false},
		{"{P}食品生产许可信息", "economy", "license", "foodprod", "u", "weekly", demoClassDept, "食品生产许可,行政许可", 'p', false},
		{"{P}食品安全监督抽检结果", "public-safety", "inspection", "food", "u", "monthly", demoClassTopic, "食品安全,抽检,监督抽查", 'b', true},
		{"{P}产品质量监督抽查结果", "public-safety", "inspection", "product", "u", "quarterly", demoClassTopic, "产品质量,监督抽查", 'p', false},
		{"{P}市场监管行政处罚信息", "credit", "penalty", "market", "u", "daily", demoClassDept, "行政处罚,双公示", 'b', false},
		{"{P}药品零售企业许可信息", "health", "license", "drug", "u", "weekly", demoClassDept, "药品经营许可,药店", 'b', false},
		{"{P}特种设备使用登记信息", "public-safety", "equipment", "", "c", "monthly", demoClassDept, "特种设备,电梯,锅炉", 'b', false},
		{"{P}企业股权出质登记信息", "finance", "equity_pledge", "", "c", "weekly", demoClassDept, "股权出质,动产担保", 'p', false},
		{"{P}市场主体发展统计", "economy", "stat", "market", "u", "monthly", demoClassTopic, "市场主体,统计分析", 'b', false},
		{"{P}消费投诉举报统计", "economy", "stat", "complaints", "u", "monthly", demoClassTopic, "消费维权,投诉举报", 'b', false},
		{"{P}网络交易平台经营者名录", "economy", "directory", "online", "u", "monthly", demoClassBase, "网络交易,电子商务", 'b', false},
		{"{P}企业信用风险分类结果", "credit", "rating", "risk", "n:s", "quarterly", demoClassDept, "信用风险,分类监管", 'p', false},
	},
	"transport": {
		{"{P}公交线路信息", "transport", "bus_line", "", "u", "monthly", demoClassBase, "公交线路,公共交通", 'c', false},
		{"{P}公交站点信息", "transport", "bus_stop", "", "u", "monthly", demoClassBase, "公交站点,公共交通", 'c', false},
		{"{P}公交车辆实时到站信息", "transport", "bus_realtime", "", "c", "realtime", demoClassTopic, "实时公交,到站预报", 'c', false},
		{"{P}公交IC卡刷卡客流数据", "transport", "sensor", "buscard", "c3", "daily", demoClassTopic, "公交客流,刷卡数据", 'c', false},
		{"{P}巡游出租汽车企业名录", "transport", "directory", "taxi", "u", "quarterly", demoClassBase, "出租汽车,客运企业", 'c', false},
		{"{P}巡游出租汽车运营轨迹数据", "transport", "vehicle_track", "taxi", "c3", "realtime", demoClassTopic, "出租汽车,GPS轨迹", 'c', false},
		{"{P}网络预约出租汽车经营许可信息", "transport", "license", "ridehail", "u", "monthly", demoClassDept, "网约车,行政许可", 'c', false},
		{"{P}出租汽车驾驶员从业资格信息", "transport", "person_cert", "driver", "n:p", "monthly", demoClassDept, "从业资格,出租汽车", 'c', false},
		{"{P}城市道路交通运行指数", "transport", "sensor", "traffic", "c", "realtime", demoClassTopic, "交通拥堵,运行指数", 'c', false},
		{"{P}公共停车场信息", "transport", "poi", "parking", "u", "monthly", demoClassBase, "停车场,静态交通", 'c', false},
		{"{P}公共停车场实时泊位数据", "transport", "sensor", "parking", "c", "realtime", demoClassTopic, "停车泊位,实时数据", 'c', false},
		{"{P}汽车客运站信息", "transport", "passenger_station", "", "u", "quarterly", demoClassBase, "客运站,道路客运", 'b', false},
		{"{P}道路运输经营许可信息", "transport", "license", "road", "u", "weekly", demoClassDept, "道路运输,行政许可", 'b', false},
		{"{P}机动车维修企业名录", "transport", "directory", "repair", "u", "monthly", demoClassBase, "机动车维修,汽车维修", 'b', false},
		{"{P}机动车驾驶员培训机构名录", "transport", "directory", "drivingschool", "u", "quarterly", demoClassBase, "驾校,驾驶培训", 'b', false},
		{"{P}公路里程统计", "transport", "stat", "highway", "u", "yearly", demoClassTopic, "公路,统计", 'p', false},
		{"{P}高速公路服务区信息", "transport", "poi", "service_area", "u", "irregular", demoClassBase, "高速公路,服务区", 'p', false},
		{"{P}高速公路收费站出入口流量数据", "transport", "sensor", "toll", "c", "daily", demoClassTopic, "高速公路,交通流量", 'p', false},
		{"{P}普通国省干线公路养护施工信息", "transport", "road_work", "", "u", "weekly", demoClassDept, "公路养护,施工,出行提示", 'p', false},
		{"{P}重点营运车辆动态监控数据", "transport", "vehicle_track", "", "c3", "realtime", demoClassTopic, "车辆监控,北斗定位,两客一危", 'p', false},
		{"{P}内河港口码头信息", "transport", "poi", "port", "u", "yearly", demoClassBase, "港口,内河航运", 'p', false},
	},
	"health": {
		{"{P}医疗机构名录", "health", "medical_institution", "", "u", "monthly", demoClassBase, "医疗机构,医院", 'b', false},
		{"{P}医疗机构床位使用实时数据", "health", "sensor", "beds", "c", "realtime", demoClassTopic, "床位,医疗资源", 'b', false},
		{"{P}基层医疗卫生机构名录", "health", "medical_institution", "grassroots", "u", "quarterly", demoClassBase, "基层医疗,社区卫生服务中心,卫生院", 'b', false},
		{"{P}医疗机构执业登记信息", "health", "license", "medical", "u", "weekly", demoClassDept, "医疗机构执业许可,行政许可", 'b', false},
		{"{P}公共场所卫生许可信息", "health", "license", "publicplace", "u", "weekly", demoClassDept, "公共场所,卫生许可", 'b', false},
		{"{P}预防接种门诊信息", "health", "poi", "vaccination", "u", "quarterly", demoClassBase, "预防接种,疫苗", 'b', false},
		{"{P}无偿献血点信息", "health", "poi", "blood", "u", "quarterly", demoClassBase, "献血,血站", 'b', false},
		{"{P}院前急救站点信息", "health", "poi", "ambulance", "u", "yearly", demoClassBase, "急救,120急救网络", 'c', false},
		{"{P}职业健康检查机构名录", "health", "directory", "occhealth", "u", "yearly", demoClassBase, "职业健康,体检", 'p', false},
		{"{P}医疗卫生资源及服务量统计", "health", "stat", "health_service", "u", "yearly", demoClassTopic, "卫生统计,床位,诊疗人次", 'b', false},
		{"{P}卫生人员统计", "health", "stat", "health_staff", "u", "yearly", demoClassTopic, "卫生人员,统计", 'p', false},
		{"{P}法定传染病疫情统计", "health", "stat", "epidemic", "c", "monthly", demoClassTopic, "传染病,疫情统计", 'p', false},
		{"{P}医师执业注册信息", "health", "person_cert", "physician", "c", "monthly", demoClassDept, "执业医师,注册", 'b', false},
		{"{P}居民电子健康档案", "health", "person_record", "health_record", "n:p", "daily", demoClassBase, "健康档案,个人信息", 'p', false},
	},
	"education": {
		{"{P}中小学校名录", "education", "school", "k12", "u", "yearly", demoClassBase, "学校名录,中小学", 'b', false},
		{"{P}幼儿园名录", "education", "school", "kindergarten", "u", "yearly", demoClassBase, "幼儿园,学前教育", 'b', false},
		{"{P}普通高等学校名录", "education", "school", "university", "u", "yearly", demoClassBase, "高等学校,高校", 'p', false},
		{"{P}中等职业学校名录", "education", "school", "vocational", "u", "yearly", demoClassBase, "中职,职业教育", 'p', false},
		{"{P}民办学校办学许可信息", "education", "license", "school", "u", "monthly", demoClassDept, "民办学校,办学许可", 'b', false},
		{"{P}校外培训机构白名单", "education", "directory", "training", "u", "monthly", demoClassDept, "校外培训,白名单", 'b', false},
		{"{P}教育事业发展统计", "education", "stat", "edu", "u", "yearly", demoClassTopic, "教育统计,学生,教师", 'b', false},
		{"{P}学生资助统计", "education", "stat", "student_aid", "u", "yearly", demoClassTopic, "学生资助,统计", 'p', false},
		{"{P}教师资格认定信息", "education", "person_cert", "teacher", "n:p", "irregular", demoClassDept, "教师资格,个人信息", 'p', false},
		{"{P}普通高考录取控制分数线", "education", "score_line", "", "u", "yearly", demoClassTopic, "高考,分数线", 'p', false},
		{"{P}高校科研项目立项信息", "education", "project", "research", "c", "yearly", demoClassDept, "科研项目,高校", 'p', false},
		{"{P}义务教育学校招生范围", "education", "enroll_zone", "", "u", "yearly", demoClassTopic, "招生,划片,义务教育", 'c', false},
		{"{P}学校体育场地开放信息", "culture", "poi", "sports", "u", "quarterly", demoClassBase, "体育场地,全民健身", 'c', false},
		{"{P}学校食堂食品安全量化等级", "education", "rating", "canteen", "u", "yearly", demoClassDept, "学校食堂,食品安全", 'c', false},
	},
	"environment": {
		{"{P}空气质量小时监测数据", "environment", "air_quality", "", "u", "realtime", demoClassTopic, "空气质量,AQI,PM2.5", 'b', false},
		{"{P}城市空气质量日报", "environment", "air_daily", "", "u", "daily", demoClassTopic, "空气质量,日报", 'b', false},
		{"{P}地表水水质监测数据", "environment", "water_quality", "", "u", "monthly", demoClassTopic, "水质,地表水", 'b', false},
		{"{P}集中式饮用水水源地水质状况", "environment", "water_quality", "source", "u", "monthly", demoClassTopic, "饮用水源,水质", 'p', false},
		{"{P}重点排污单位名录", "environment", "key_unit", "pollution", "u", "yearly", demoClassBase, "重点排污单位,污染源", 'b', false},
		{"{P}排污许可证信息", "environment", "license", "pollution", "u", "weekly", demoClassDept, "排污许可,行政许可", 'b', false},
		{"{P}建设项目环境影响评价审批信息", "environment", "eia", "", "u", "weekly", demoClassDept, "环评,审批", 'b', false},
		{"{P}生态环境行政处罚信息", "environment", "penalty", "env", "u", "weekly", demoClassDept, "环境执法,行政处罚", 'b', false},
		{"{P}危险废物经营许可证信息", "environment", "license", "hazwaste", "u", "quarterly", demoClassDept, "危险废物,许可", 'p', false},
		{"{P}辐射安全许可证信息", "environment", "license", "radiation", "c", "quarterly", demoClassDept, "辐射安全,许可", 'p', false},
		{"{P}企业污染物排放自行监测数据", "environment", "sensor", "emission", "c", "daily", demoClassTopic, "自行监测,排放数据", 'b', false},
		{"{P}固定污染源废水在线监测数据", "environment", "sensor", "wastewater", "c3", "realtime", demoClassTopic, "在线监测,废水", 'b', false},
		{"{P}声环境质量监测数据", "environment", "sensor", "noise", "u", "monthly", demoClassTopic, "噪声,声环境", 'c', false},
	},
	"resources": {
		{"{P}国有建设用地使用权出让结果", "resources", "land", "", "u", "monthly", demoClassDept, "土地出让,建设用地", 'p', false},
		{"{P}采矿权登记信息", "resources", "mining", "", "u", "monthly", demoClassDept, "采矿权,矿业权", 'p', false},
		{"{P}探矿权登记信息", "resources", "mining", "explore", "c", "monthly", demoClassDept, "探矿权,矿业权", 'p', false},
		{"{P}地质灾害隐患点信息", "public-safety", "geohazard", "", "c3", "yearly", demoClassTopic, "地质灾害,隐患点", 'p', false},
		{"{P}不动产登记服务网点", "housing", "poi", "realestate", "u", "yearly", demoClassBase, "不动产登记,办事网点", 'p', false},
		{"{P}土地利用现状统计", "resources", "stat", "land_use", "u", "yearly", demoClassTopic, "土地利用,国土调查", 'p', false},
		{"{P}测绘资质单位名录", "resources", "directory", "survey", "u", "quarterly", demoClassBase, "测绘资质,名录", 'p', false},
		{"{P}基础测绘成果目录", "geography", "survey_product", "", "c3", "yearly", demoClassBase, "基础测绘,地理信息", 'p', false},
		{"{N}自然保护地名录", "environment", "reserve", "", "u", "yearly", demoClassBase, "自然保护地,生态保护", 'p', false},
		{"{P}矿产资源储量统计", "resources", "stat", "minerals", "u", "yearly", demoClassTopic, "矿产资源,储量", 'p', false},
		{"{P}不动产权属登记信息", "housing", "person_record", "property", "n:p", "daily", demoClassDept, "不动产,权属", 'p', false},
	},
	"hr": {
		{"{P}人力资源服务机构名录", "employment", "directory", "hrservice", "u", "monthly", demoClassBase, "人力资源服务,职业中介", 'p', false},
		{"{P}社会保险个人参保信息", "social-security", "person_record", "insured", "n:p", "daily", demoClassDept, "参保信息,个人信息", 'p', false},
		{"{P}职业技能培训机构名录", "employment", "directory", "skilltraining", "u", "monthly", demoClassBase, "职业培训,技能提升", 'p', false},
		{"{P}招聘岗位信息", "employment", "job", "", "u", "daily", demoClassTopic, "招聘,就业岗位", 'p', false},
		{"{P}职业技能等级证书信息", "employment", "person_cert", "skill", "c", "weekly", demoClassDept, "职业技能等级,证书核验", 'p', false},
		{"{P}用人单位社会保险参保信息", "social-security", "directory", "si_unit", "c", "monthly", demoClassDept, "社会保险,用人单位", 'p', false},
		{"{P}社会保险经办服务网点", "social-security", "poi", "social_insurance", "u", "yearly", demoClassBase, "社会保险,经办网点", 'p', false},
		{"{P}企业职工基本养老保险统计", "social-security", "stat", "pension", "u", "quarterly", demoClassTopic, "养老保险,统计", 'p', false},
		{"{P}失业保险待遇发放统计", "social-security", "stat", "unemployment", "u", "monthly", demoClassTopic, "失业保险,统计", 'p', false},
		{"{N}最低工资标准", "employment", "wage_standard", "", "u", "irregular", demoClassTopic, "最低工资,劳动保障", 'p', false},
		{"{P}劳动保障监察行政处罚信息", "credit", "penalty", "labor", "u", "weekly", demoClassDept, "劳动保障监察,欠薪", 'p', false},
		{"{P}就业见习基地名录", "employment", "directory", "intern", "u", "quarterly", demoClassBase, "就业见习,高校毕业生", 'p', false},
		{"{P}创业担保贷款发放统计", "employment", "stat", "startup_loan", "u", "monthly", demoClassTopic, "创业担保贷款,统计", 'p', false},
	},
	"civil": {
		{"{P}社会组织登记信息", "organisations", "social_org", "", "u", "weekly", demoClassBase, "社会组织,登记", 'p', false},
		{"{P}社会救助对象信息", "social-security", "person_record", "assistance", "n:p", "monthly", demoClassDept, "社会救助,个人信息", 'p', false},
		{"{P}慈善组织名录", "organisations", "social_org", "charity", "u", "monthly", demoClassBase, "慈善组织,公益", 'p', false},
		{"{P}社会组织年度检查结果", "organisations", "rating", "annual_inspect", "c", "yearly", demoClassDept, "社会组织,年检", 'p', false},
		{"{P}养老机构名录", "social-security", "elderly_care", "", "u", "monthly", demoClassBase, "养老机构,养老服务", 'p', false},
		{"{P}养老机构等级评定结果", "social-security", "rating", "eldercare", "u", "yearly", demoClassDept, "养老机构,等级评定", 'p', false},
		{"{P}婚姻登记机关信息", "organisations", "poi", "marriage", "u", "yearly", demoClassBase, "婚姻登记,办事指南", 'p', false},
		{"{P}殡葬服务机构名录", "social-security", "directory", "funeral", "u", "yearly", demoClassBase, "殡葬服务,殡仪馆", 'p', false},
		{"{P}城乡低保统计", "social-security", "stat", "subsistence", "u", "monthly", demoClassTopic, "低保,社会救助,统计", 'p', false},
		{"{N}行政区划代码", "geography", "region_code", "", "u", "yearly", demoClassBase, "行政区划,代码", 'p', false},
		{"{P}标准地名信息", "geography", "place_name", "", "u", "quarterly", demoClassBase, "地名,地名普查", 'p', false},
		{"{P}社区综合服务设施", "social-security", "poi", "community", "u", "quarterly", demoClassBase, "社区服务,便民设施", 'p', false},
	},
	"police": {
		{"{P}公安派出所信息", "public-safety", "poi", "police", "u", "yearly", demoClassBase, "派出所,公安", 'p', false},
		{"{P}旅馆业住宿登记信息", "public-safety", "person_record", "hotel_guest", "n:p", "realtime", demoClassDept, "住宿登记,个人信息", 'p', false},
		{"{P}交通违法处理点信息", "transport", "poi", "traffic_office", "u", "yearly", demoClassBase, "交通违法,车驾管", 'p', false},
		{"{P}出入境证件受理点信息", "public-safety", "poi", "exit_entry", "u", "yearly", demoClassBase, "出入境,证件办理", 'p', false},
		{"{P}机动车保有量统计", "transport", "stat", "vehicles", "u", "quarterly", demoClassTopic, "机动车,保有量", 'p', false},
		{"{P}机动车驾驶人统计", "transport", "stat", "drivers", "u", "quarterly", demoClassTopic, "驾驶人,统计", 'p', false},
		{"{P}道路交通事故统计", "public-safety", "stat", "accidents", "c", "monthly", demoClassTopic, "交通事故,统计", 'p', false},
		{"{P}户籍人口统计", "public-safety", "stat", "population", "c", "yearly", demoClassTopic, "户籍人口,人口统计", 'p', false},
		{"{P}保安服务公司名录", "public-safety", "directory", "security", "u", "quarterly", demoClassBase, "保安服务,许可", 'p', false},
		{"{P}重点路段卡口车流量数据", "transport", "sensor", "checkpoint", "c3", "realtime", demoClassTopic, "卡口,车流量", 'p', false},
	},
	"agriculture": {
		{"{P}家庭农场名录", "agriculture", "agri_entity", "farm", "c", "quarterly", demoClassBase, "家庭农场,新型经营主体", 'b', false},
		{"{P}农产品批发市场价格信息", "agriculture", "price_monitor", "agri", "u", "daily", demoClassTopic, "农产品价格,市场行情", 'b', false},
		{"{P}农作物播种面积统计", "agriculture", "stat", "sown", "u", "yearly", demoClassTopic, "播种面积,粮食生产", 'b', false},
		{"{P}农机购置补贴信息", "agriculture", "person_record", "subsidy", "c", "monthly", demoClassDept, "农机补贴,惠农政策", 'b', false},
		{"{P}绿色食品认证企业名录", "agriculture", "directory", "green", "u", "quarterly", demoClassBase, "绿色食品,认证", 'p', false},
		{"{P}农药经营许可信息", "agriculture", "license", "pesticide", "u", "monthly", demoClassDept, "农药经营,许可", 'b', false},
		{"{P}兽药经营许可信息", "agriculture", "license", "vetdrug", "u", "monthly", demoClassDept, "兽药经营,许可", 'p', false},
		{"{P}畜牧业生产统计", "agriculture", "stat", "livestock", "u", "quarterly", demoClassTopic, "畜牧业,存栏", 'p', false},
		{"{P}高标准农田建设项目信息", "agriculture", "project", "farmland", "u", "yearly", demoClassDept, "高标准农田,农业项目", 'b', false},
		{"{P}黑土地耕地质量监测数据", "agriculture", "sensor", "soil", "c", "yearly", demoClassTopic, "黑土地,耕地质量", 'p', false},
		{"{P}农业气象监测数据", "agriculture", "sensor", "agrimet", "c", "daily", demoClassTopic, "农业气象,墒情", 'b', false},
		{"{P}农作物种子生产经营许可信息", "agriculture", "license", "seed", "u", "monthly", demoClassDept, "种子,许可", 'b', false},
		{"{P}农业社会化服务组织名录", "agriculture", "directory", "agriservice", "u", "quarterly", demoClassBase, "社会化服务,农机作业", 'c', false},
	},
	"culture": {
		{"{P}A级旅游景区名录", "culture", "scenic", "", "u", "quarterly", demoClassBase, "旅游景区,A级景区", 'b', false},
		{"{P}景区实时客流数据", "culture", "sensor", "scenic", "c", "realtime", demoClassTopic, "景区客流,实时数据", 'b', false},
		{"{P}星级旅游饭店名录", "culture", "rating", "hotel", "u", "yearly", demoClassBase, "星级饭店,住宿", 'b', false},
		{"{P}旅行社名录", "culture", "directory", "travel", "u", "monthly", demoClassBase, "旅行社,旅游", 'b', false},
		{"{P}公共图书馆名录", "culture", "poi", "library", "u", "yearly", demoClassBase, "图书馆,公共文化", 'b', false},
		{"{P}博物馆名录", "culture", "poi", "museum", "u", "yearly", demoClassBase, "博物馆,纪念馆", 'b', false},
		{"{P}非物质文化遗产代表性项目名录", "culture", "heritage", "ich", "u", "irregular", demoClassBase, "非遗,传统文化", 'b', false},
		{"{P}文物保护单位名录", "culture", "heritage", "", "u", "irregular", demoClassBase, "文物保护,文化遗产", 'b', false},
		{"{P}旅游接待统计", "culture", "stat", "tourism", "u", "monthly", demoClassTopic, "旅游统计,游客", 'b', false},
		{"{P}娱乐场所经营许可信息", "culture", "license", "entertainment", "u", "monthly", demoClassDept, "娱乐场所,许可", 'b', false},
		{"{P}导游人员信息", "culture", "person_cert", "guide", "c", "monthly", demoClassDept, "导游,从业人员", 'p', false},
	},
	"housing": {
		{"{P}建筑业企业资质信息", "housing", "qualification", "", "u", "weekly", demoClassDept, "建筑业企业,资质", 'p', false},
		{"{P}房地产开发企业资质信息", "housing", "qualification", "realestate", "u", "monthly", demoClassDept, "房地产开发,资质", 'p', false},
		{"{P}商品房预售许可信息", "housing", "presale", "", "u", "weekly", demoClassDept, "商品房,预售许可", 'p', false},
		{"{P}商品房网签备案统计", "housing", "stat", "presale_stats", "c", "monthly", demoClassTopic, "商品房,网签备案", 'p', false},
		{"{P}建筑工程施工许可信息", "housing", "construction_permit", "", "u", "weekly", demoClassDept, "施工许可,建设工程", 'p', false},
		{"{P}物业服务企业名录", "housing", "directory", "property", "u", "quarterly", demoClassBase, "物业服务,物业企业", 'p', false},
		{"{P}城镇老旧小区改造项目", "housing", "project", "renovation", "u", "quarterly", demoClassDept, "老旧小区改造,城市更新", 'p', false},
		{"{P}保障性租赁住房项目", "housing", "project", "housing", "u", "quarterly", demoClassDept, "保障性住房,租赁住房", 'p', false},
		{"{P}住房公积金缴存统计", "finance", "stat", "housing_fund", "u", "monthly", demoClassTopic, "住房公积金,统计", 'p', false},
		{"{P}住房公积金缴存单位信息", "finance", "directory", "hfund", "c", "monthly", demoClassDept, "住房公积金,缴存单位", 'p', false},
		{"{P}注册建造师信息", "housing", "person_cert", "constructor", "c", "monthly", demoClassDept, "注册建造师,执业人员", 'p', false},
		{"{P}城市供水企业名录", "resources", "directory", "watersupply", "u", "yearly", demoClassBase, "城市供水,公用事业", 'p', false},
	},
	"stats": {
		{"{N}地区生产总值", "economy", "stat", "gdp", "u", "quarterly", demoClassTopic, "GDP,国民经济", 'p', false},
		{"{N}居民消费价格指数", "economy", "stat", "cpi", "u", "monthly", demoClassTopic, "CPI,物价", 'p', false},
		{"{N}规模以上工业生产情况", "economy", "stat", "industry", "u", "monthly", demoClassTopic, "工业,规上工业", 'p', false},
		{"{N}统计调查单位基础数据", "economy", "enterprise_annual", "micro", "n:l", "yearly", demoClassDept, "统计调查,微观数据", 'p', false},
		{"{N}固定资产投资情况", "economy", "stat", "fai", "u", "monthly", demoClassTopic, "固定资产投资,统计", 'p', false},
		{"{N}社会消费品零售总额", "economy", "stat", "retail", "u", "monthly", demoClassTopic, "消费,零售", 'p', false},
		{"{N}居民收入和消费支出", "economy", "stat", "income", "u", "quarterly", demoClassTopic, "居民收入,消费支出", 'p', false},
		{"{N}常住人口及城镇化率", "economy", "stat", "resident", "u", "yearly", demoClassTopic, "常住人口,城镇化", 'p', false},
		{"{N}粮食产量", "agriculture", "stat", "grain", "u", "yearly", demoClassTopic, "粮食产量,统计", 'p', false},
		{"{N}规模以上工业企业名录", "economy", "directory", "bigindustry", "c", "yearly", demoClassBase, "规上工业企业,名录", 'p', false},
	},
	"tax": {
		{"{P}纳税信用A级纳税人名单", "credit", "rating", "taxcredit", "u", "yearly", demoClassDept, "纳税信用,A级纳税人", 'p', false},
		{"{P}纳税人基础信息", "finance", "directory", "taxpayer", "c", "monthly", demoClassBase, "纳税人,税务登记", 'p', false},
		{"{P}重大税收违法失信主体信息", "credit", "credit_list", "tax", "u", "monthly", demoClassDept, "税收违法,失信惩戒", 'p', false},
		{"{P}税收收入统计", "finance", "stat", "tax_revenue", "u", "monthly", demoClassTopic, "税收收入,统计", 'p', false},
		{"{P}办税服务厅信息", "finance", "poi", "tax_hall", "u", "yearly", demoClassBase, "办税服务厅,纳税服务", 'p', false},
		{"{P}非正常户认定信息", "credit", "abnormal", "tax", "u", "monthly", demoClassDept, "非正常户,税务管理", 'p', false},
		{"{P}涉税专业服务机构名录", "finance", "directory", "taxagent", "u", "quarterly", demoClassBase, "涉税服务,税务师事务所", 'p', false},
		{"{P}税费优惠政策落实情况统计", "finance", "stat", "tax_incentive", "c", "quarterly", demoClassTopic, "减税降费,税收优惠", 'p', false},
		{"{P}企业纳税申报信息", "finance", "enterprise_annual", "tax", "n:s", "monthly", demoClassDept, "纳税申报,涉税信息", 'p', false},
	},
	"finance": {
		{"{P}一般公共预算收支情况", "finance", "stat", "budget_rev", "u", "monthly", demoClassTopic, "财政收支,预算", 'p', false},
		{"{N}省级部门预算", "finance", "budget", "", "u", "yearly", demoClassDept, "部门预算,预算公开", 'p', false},
		{"{N}省级部门决算", "finance", "budget", "final", "u", "yearly", demoClassDept, "部门决算,决算公开", 'p', false},
		{"{P}政府债务限额及余额", "finance", "stat", "debt", "u", "yearly", demoClassTopic, "政府债务,地方债", 'p', false},
		{"{P}政府采购代理机构名录", "finance", "directory", "procureagent", "u", "quarterly", demoClassBase, "政府采购,代理机构", 'p', false},
		{"{P}政府采购中标成交结果", "finance", "procurement", "", "u", "daily", demoClassDept, "政府采购,中标公告", 'p', false},
		{"{P}政府采购严重违法失信行为记录", "credit", "credit_list", "procurement", "u", "monthly", demoClassDept, "政府采购,失信", 'p', false},
		{"{P}会计师事务所名录", "finance", "directory", "accounting", "u", "yearly", demoClassBase, "会计师事务所,中介机构", 'p', false},
		{"{P}行政事业单位国有资产统计", "finance", "stat", "admin_assets", "c", "yearly", demoClassTopic, "国有资产,行政事业单位", 'p', false},
	},
	"credit": {
		{"{P}行政许可信息（双公示）", "credit", "license", "admin", "u", "daily", demoClassDept, "双公示,行政许可", 'p', false},
		{"{P}市场主体公共信用综合评价结果", "credit", "rating", "credit_eval", "c3", "quarterly", demoClassDept, "公共信用,综合评价", 'p', false},
		{"{P}行政处罚信息（双公示）", "credit", "penalty", "admin", "u", "daily", demoClassDept, "双公示,行政处罚", 'p', false},
		{"{P}守信激励对象名单", "credit", "credit_list", "red", "u", "monthly", demoClassDept, "守信激励,红名单", 'p', false},
		{"{P}失信惩戒对象名单", "credit", "credit_list", "black", "u", "monthly", demoClassDept, "失信惩戒,黑名单", 'p', false},
		{"{P}信用修复结果信息", "credit", "credit_repair", "", "u", "weekly", demoClassDept, "信用修复,信用服务", 'p', false},
		{"{P}政府定价项目价格标准", "economy", "price_std", "", "u", "irregular", demoClassTopic, "政府定价,价格标准", 'p', false},
		{"{P}重点建设项目名单", "economy", "project", "", "u", "yearly", demoClassDept, "重点项目,投资建设", 'p', false},
		{"{P}重要商品价格监测", "economy", "price_monitor", "goods", "u", "weekly", demoClassTopic, "价格监测,重要商品", 'p', false},
		{"{P}能源消费统计", "resources", "stat", "energy", "u", "yearly", demoClassTopic, "能源消费,节能", 'p', false},
		{"{P}企业用电量统计", "resources", "stat", "power", "c", "monthly", demoClassTopic, "用电量,经济运行", 'p', false},
	},
	"water": {
		{"{P}水库基本信息", "resources", "water_project", "reservoir", "u", "yearly", demoClassBase, "水库,水利工程", 'p', false},
		{"{P}水利工程安全监测数据", "public-safety", "sensor", "dam", "c3", "daily", demoClassTopic, "大坝安全,安全监测", 'p', false},
		{"{P}灌区基本信息", "agriculture", "water_project", "irrigation", "u", "yearly", demoClassBase, "灌区,农田水利", 'p', false},
		{"{P}主要江河水情信息", "public-safety", "sensor", "hydro", "u", "realtime", demoClassTopic, "水情,防汛", 'p', false},
		{"{P}取水许可信息", "resources", "license", "water", "c", "monthly", demoClassDept, "取水许可,水资源", 'p', false},
		{"{P}取水口在线计量数据", "resources", "sensor", "intake", "c", "daily", demoClassTopic, "取水计量,在线监测", 'p', false},
		{"{P}水土保持方案审批信息", "environment", "eia", "soilwater", "u", "monthly", demoClassDept, "水土保持,审批", 'p', false},
		{"{P}水资源公报数据", "resources", "stat", "water_res", "u", "yearly", demoClassTopic, "水资源,公报", 'p', false},
		{"{P}农村供水工程信息", "resources", "project", "watersupply", "u", "quarterly", demoClassDept, "农村供水,饮水安全", 'p', false},
	},
	"medins": {
		{"{P}定点医疗机构名录", "health", "medical_institution", "insured", "u", "monthly", demoClassBase, "医保定点,医疗机构", 'p', false},
		{"{P}医保结算明细数据", "health", "person_record", "settlement", "n:p", "daily", demoClassDept, "医保结算,个人信息", 'p', false},
		{"{P}定点零售药店名录", "health", "pharmacy", "insured", "u", "monthly", demoClassBase, "医保定点,药店", 'p', false},
		{"{P}医保药品目录", "health", "drug_catalog", "", "u", "yearly", demoClassBase, "医保目录,药品", 'p', false},
		{"{P}医疗服务项目价格", "health", "price_std", "med", "u", "irregular", demoClassTopic, "医疗服务价格,收费标准", 'p', false},
		{"{P}基本医疗保险参保统计", "social-security", "stat", "medins", "u", "quarterly", demoClassTopic, "医保参保,统计", 'p', false},
		{"{P}医保基金收支统计", "finance", "stat", "medfund", "c", "monthly", demoClassTopic, "医保基金,收支", 'p', false},
		{"{P}定点医药机构医保结算统计", "health", "stat", "settle", "c", "monthly", demoClassTopic, "医保结算,统计", 'p', false},
		{"{P}药品集中带量采购中选结果", "health", "drug_catalog", "bid", "u", "irregular", demoClassDept, "集中带量采购,药品价格", 'p', false},
		{"{P}医疗保障经办服务网点", "social-security", "poi", "medins_office", "u", "yearly", demoClassBase, "医保经办,服务网点", 'p', false},
		{"{P}门诊慢特病定点医疗机构", "health", "medical_institution", "chronic", "u", "quarterly", demoClassBase, "门诊慢特病,定点机构", 'p', false},
	},
	"emergency": {
		{"{P}应急避难场所信息", "public-safety", "shelter", "", "u", "yearly", demoClassBase, "应急避难场所,防灾减灾", 'p', false},
		{"{P}危险化学品重大危险源企业名录", "public-safety", "key_unit", "hazard", "c3", "quarterly", demoClassDept, "重大危险源,危险化学品", 'p', false},
		{"{P}危险化学品经营许可信息", "public-safety", "license", "hazchem", "u", "monthly", demoClassDept, "危险化学品,经营许可", 'p', false},
		{"{P}安全生产许可证信息", "public-safety", "license", "safety", "u", "monthly", demoClassDept, "安全生产许可,行政许可", 'p', false},
		{"{P}生产安全事故统计", "public-safety", "stat", "safety_acc", "u", "monthly", demoClassTopic, "安全生产,事故统计", 'p', false},
		{"{P}自然灾害灾情统计", "public-safety", "stat", "disaster", "u", "yearly", demoClassTopic, "自然灾害,灾情", 'p', false},
		{"{P}安全生产行政处罚信息", "credit", "penalty", "safety", "u", "weekly", demoClassDept, "安全生产,行政处罚", 'p', false},
		{"{P}应急救援队伍信息", "public-safety", "directory", "rescue", "c", "yearly", demoClassBase, "应急救援,救援队伍", 'p', false},
	},
}

var demoNotOpenReasons = map[string]string{
	"p": "涉及个人隐私，依据《中华人民共和国个人信息保护法》不予开放",
	"s": "涉及商业秘密，依据《中华人民共和国税收征收管理法》第八条及相关规定不予开放",
	"l": "依据《中华人民共和国统计法》第三十九条，能够识别或者推断单个统计调查对象身份的资料属于法律法规禁止开放的数据",
	"x": "涉及公共安全，法律法规禁止开放",
}

var demoConditions = []string{
	"申请人须为依法登记的法人或非法人组织，说明数据用途并签署数据安全承诺书；数据仅限用于申请用途，不得转让或向第三方提供。",
	"申请人须为在黑龙江省内依法登记的科研机构、高等学校或企业，提交数据利用方案并经数据提供部门审核；申请人须具备相应的数据安全保护能力。",
	"申请人须说明具体应用场景并签署《公共数据开放利用协议》；数据以接口方式提供，不得用于商业营销或个人画像。",
	"申请人须为依法登记的法人，承诺仅在约定期限（12个月）内使用数据，到期后删除数据并提交销毁说明；利用成果发布时须注明数据来源。",
}

var demoUsageScopes = []string{
	"仅限于科学研究、公益服务和产品研发测试，不得用于营利性转售。",
	"仅限于申请时声明的应用场景，成果对外发布须注明数据来源“黑龙江省公共数据开放平台”。",
	"仅限于本单位内部业务分析，不得对外提供原始数据；对外发布的统计结果须经脱敏处理。",
	"仅限于在数据提供部门审核同意的范围内使用，使用情况接受平台监督和年度评估。",
}

var demoFreqCN = map[string]string{
	"realtime": "实时", "daily": "每日", "weekly": "每周", "monthly": "每月",
	"quarterly": "每季度", "yearly": "每年", "irregular": "不定期",
}

// Demo returns the demo catalog as of its reference day (demoEnd):
// departments, topics and datasets with lazily rendered CSV resources. The
// result is the same on every call. The portal loads DemoAt(its clock).
func Demo() Catalog { return DemoAt(demoEnd) }

// DemoAt returns the demo catalog as loaded at now: publication and update
// dates are drawn relative to now, consistent with each entry's update
// frequency, and a few percent of the entries (never the ones the home page
// shows) are late. The same now gives the same catalog; another now gives
// the same catalog shifted in time.
//
// Datasets are ordered round-robin across departments (the first of each
// department, then the second, ...) so that any prefix covers many
// departments, topics and open types. The extra entries the demo activity
// revokes (DemoActivityPlan) come last.
func DemoAt(now time.Time) Catalog {
	cat := Catalog{Topics: append([]Topic(nil), demoTopics...)}
	slots := demoSlotList()
	late := demoLateSet(slots)
	timing := demoActivityTiming()
	perDept := make([][]Dataset, len(demoDepts))
	var extras []Dataset
	for _, d := range demoDepts {
		region := "黑龙江省"
		level := "province"
		if d.city != "" {
			region = d.city
			level = "city"
		}
		cat.Departments = append(cat.Departments, Department{ID: d.id, Name: d.name, RegionLevel: level, Region: region, Code: demoDeptCode(d)})
	}
	for _, s := range slots {
		at := timing[s.id]
		at.now, at.late = now, late[s.id]
		ds := demoDataset(demoDepts[s.dept], s.tmpl, s.n, at)
		demoRecord(&ds, s.tmpl, s.dept+1, s.n)
		if s.extra {
			extras = append(extras, ds)
		} else {
			perDept[s.dept] = append(perDept[s.dept], ds)
		}
	}
	for round := 0; ; round++ {
		added := false
		for _, list := range perDept {
			if round < len(list) {
				cat.Datasets = append(cat.Datasets, list[round])
				added = true
			}
		}
		if !added {
			break
		}
	}
	cat.Datasets = append(cat.Datasets, extras...)
	return cat
}

// demoSlot is one entry to generate: its department (index into
// demoDepts), template and number within the department.
type demoSlot struct {
	dept  int
	tmpl  demoTmpl
	n     int
	id    string
	title string
	extra bool // an entry of demoExtras
}

// demoSlotList lists every entry in department order: the templates that
// fit each department's level, then the extra entries.
var demoSlotList = sync.OnceValue(func() []demoSlot {
	var out []demoSlot
	count := make([]int, len(demoDepts))
	add := func(i int, t demoTmpl, extra bool) {
		count[i]++
		d := demoDepts[i]
		out = append(out, demoSlot{dept: i, tmpl: t, n: count[i], id: demoID(d, count[i]), title: demoTitle(d, t), extra: extra})
	}
	for i, d := range demoDepts {
		for _, t := range demoDomains[d.domain] {
			if (d.city == "" && t.scope == 'c') || (d.city != "" && t.scope == 'p') {
				continue
			}
			add(i, t, false)
		}
	}
	for _, x := range demoExtras {
		i := slices.IndexFunc(demoDepts, func(d demoDept) bool { return d.id == x.dept })
		if i < 0 {
			panic("seed: extra entry of unknown department " + x.dept)
		}
		add(i, x.tmpl, true)
	}
	return out
})

func demoID(d demoDept, n int) string { return "ds-" + d.id + "-" + demoPad(n, 3) }

// demoTitle: {P} becomes 全省 or the city, {N} 黑龙江省 or the city.
func demoTitle(d demoDept, t demoTmpl) string {
	prefix, named := "全省", "黑龙江省"
	if d.city != "" {
		prefix, named = d.city, d.city
	}
	return strings.NewReplacer("{P}", prefix, "{N}", named).Replace(t.title)
}

// DemoDatasetID returns the id of the demo entry with this title, "" when
// there is none.
func DemoDatasetID(title string) string {
	for _, s := range demoSlotList() {
		if s.title == title {
			return s.id
		}
	}
	return ""
}

func demoDataset(d demoDept, t demoTmpl, n int, at demoTiming) Dataset {
	id := demoID(d, n)
	region, prefix, named := "黑龙江省", "全省", "黑龙江省"
	pool := demoProvincePool
	if d.city != "" {
		region, prefix, named = d.city, d.city, d.city
		pool = []*demoCity{demoCityByName(d.city)}
	}
	title := demoTitle(d, t)
	subject := strings.TrimPrefix(strings.TrimPrefix(title, prefix), named)
	r := demoRand("dataset", id)
	schema := demoSchemas[t.schema]
	if schema == nil {
		panic("seed: unknown schema " + t.schema + " for " + title)
	}

	ds := Dataset{
		ID:              id,
		Title:           title,
		DepartmentID:    d.id,
		TopicCode:       t.topic,
		UpdateFrequency: t.freq,
		Classification:  t.class,
		Region:          region,
		DataItems:       append([]DataItem(nil), schema.items...),
	}
	ds.Tags = strings.Split(t.tags, ",")
	if d.city != "" && len(ds.Tags) < 5 {
		ds.Tags = append(ds.Tags, strings.TrimSuffix(d.city, "市"))
	}

	switch {
	case strings.HasPrefix(t.open, "n:"):
		ds.OpenType = "not_open"
		ds.NotOpenReason = demoNotOpenReasons[t.open[2:]]
		ds.Grade = "L4"
	case strings.HasPrefix(t.open, "c"):
		ds.OpenType = "conditional"
		ds.OpenConditions = demoConditions[r.IntN(len(demoConditions))]
		ds.UsageScope = demoUsageScopes[r.IntN(len(demoUsageScopes))]
		ds.Grade = "L2"
		if t.open == "c3" {
			ds.Grade = "L3"
		}
	default:
		ds.OpenType = "unconditional"
		ds.Grade = "L1"
		if t.open == "u2" || t.freq == "realtime" {
			ds.Grade = "L2"
		}
	}

	var pubAgo int
	ds.PublishedAt, ds.UpdatedAt, pubAgo = demoDates(demoRand("dates", id), t.freq, at)

	labels := make([]string, 0, 4)
	for _, it := range schema.items {
		if len(labels) == 4 {
			break
		}
		labels = append(labels, it.Label)
	}
	ds.Description = title + "，由" + d.name + "提供，包含" + prefix + "范围内的" + subject + "。主要数据项包括" +
		strings.Join(labels, "、") + "等，共" + strconv.Itoa(len(schema.items)) + "项；更新频率：" + demoFreqCN[t.freq] + "。"

	ds.Downloads = demoDownloads(demoRand("downloads", id), ds.OpenType, title, pubAgo, at.late)

	// Resources: one file, or one per year for split datasets.
	hiDate := time.Date(ds.UpdatedAt.Year(), ds.UpdatedAt.Month(), ds.UpdatedAt.Day(), 0, 0, 0, 0, time.UTC)
	if t.split {
		for k, y := range []int{hiDate.Year() - 1, hiDate.Year()} {
			lo := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
			hi := time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)
			if hi.After(hiDate) {
				hi = hiDate
			}
			res := demoResource(id, k+1, title+"("+strconv.Itoa(y)+")", schema, t.variant, pool, lo, hi, y, d.city != "")
			ds.Resources = append(ds.Resources, res)
		}
	} else {
		lo := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
		ds.Resources = append(ds.Resources, demoResource(id, 1, title, schema, t.variant, pool, lo, hiDate, 0, d.city != ""))
	}
	return ds
}

func demoPad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// demoResource plans one CSV resource: the row count is fixed here, the
// rows themselves are generated by Write from a seed derived from the
// resource id.
func demoResource(dsID string, k int, name string, s *demoSchema, variant string, pool []*demoCity, lo, hi time.Time, year int, city bool) Resource {
	id := "res-" + strings.TrimPrefix(dsID, "ds-") + "-" + strconv.Itoa(k)
	plan := &demoGen{r: demoRand("rows", id), pool: pool, lo: lo, hi: hi, year: year, variant: variant}
	rows := demoRowCount(plan, s, city)
	return Resource{
		ID:     id,
		Name:   name,
		Format: "CSV",
		Rows:   rows,
		Write: func(w io.Writer) error {
			g := &demoGen{r: demoRand("data", id), pool: pool, lo: lo, hi: hi, year: year, variant: variant, n: rows}
			return demoWriteCSV(w, s, g)
		},
	}
}

func demoRowCount(plan *demoGen, s *demoSchema, city bool) int {
	if s.rows != nil {
		return s.rows(plan)
	}
	lo, hi := s.minRows, s.maxRows
	if lo < 50 {
		lo = 50
	}
	if city {
		hi = max(lo, hi/2)
	}
	u := plan.r.Float64()
	return lo + int(float64(hi-lo)*u*u*u)
}

func demoWriteCSV(w io.Writer, s *demoSchema, g *demoGen) error {
	cw := csv.NewWriter(w)
	rec := make([]string, len(s.items))
	for i, it := range s.items {
		rec[i] = it.Name
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for g.i = 0; g.i < g.n; g.i++ {
		clear(rec)
		s.fill(g, rec)
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// demoDeptCode is a department's synthetic 统一社会信用代码: 1 (机构编制) 1
// (机关), the division of its province or city, a 9-character organisation
// code with its GB 11714 check character, and the GB 32100 check character.
func demoDeptCode(d demoDept) string {
	division := "230000"
	if d.city != "" {
		division = demoCityByName(d.city).Code
	}
	org := fmt.Sprintf("%08d", demoHash("department-code", d.id)%100000000)
	oc, _ := orgCodeCheck(org)
	code := "11" + division + org + string(oc)
	cc, _ := CreditCodeCheckDigit(code)
	return code + string(cc)
}

// demoClassDigits is the resource code's 类 of each classification.
var demoClassDigits = map[string]string{demoClassBase: "1", demoClassTopic: "2", demoClassDept: "3"}

// demoShareConditions are conditions of conditionally shared entries (001
// Art 15: scope and use).
var demoShareConditions = []string{
	"仅限政府部门履行法定职责使用，需经数据提供部门审核同意；不得向第三方提供或用于其他用途。",
	"仅限本级及下级政府部门在行政审批、监管执法中核验使用，按需调用，不得批量留存。",
	"仅限经共享主管部门批准的业务场景使用，使用部门须落实数据安全保护措施并接受年度评估。",
}

// demoNotSharedReason: the reason and legal basis of entries not shared.
var demoNotSharedReason = "依据《中华人民共和国统计法》，统计调查中获得的能够识别或者推断单个统计调查对象身份的资料，任何单位和个人不得对外提供、泄露，不予共享"

// demoRecord fills the catalog record of the national guide: a resource
// code whose 类 follows the classification and whose 项 is the topic (目
// the department, then the entry's number), a share type that fits the
// data (personal and commercial data shared on conditions, statistical
// microdata not at all), a method that fits its update frequency, and the
// formats of its files. Its own random stream keeps the other fields as
// they were.
func demoRecord(ds *Dataset, t demoTmpl, dept, n int) {
	topic := 0
	for i, tp := range demoTopics {
		if tp.Code == ds.TopicCode {
			topic = i + 1
		}
	}
	ds.ResourceCode = fmt.Sprintf("%s%02d%03d/%06d", demoClassDigits[ds.Classification], topic, dept, n)
	r := demoRand("share", ds.ID)
	method := "file"
	switch t.freq {
	case "realtime", "daily":
		method = "api"
	}
	switch t.open {
	case "n:l":
		ds.ShareType, ds.ShareConditions, method = "not_shared", demoNotSharedReason, ""
	case "n:p", "n:s", "n:x", "c3":
		ds.ShareType = "conditional"
		ds.ShareConditions = demoShareConditions[r.IntN(len(demoShareConditions))]
		if t.open != "c3" {
			method = "api" // personal and secret data: checked one record at a time
		}
	default:
		ds.ShareType = "unconditional"
		if method == "file" && r.IntN(4) == 0 {
			method = "database"
		}
	}
	ds.ShareMethod = method
	for _, res := range ds.Resources {
		if f := strings.ToUpper(res.Format); !slices.Contains(ds.Formats, f) {
			ds.Formats = append(ds.Formats, f)
		}
	}
}
