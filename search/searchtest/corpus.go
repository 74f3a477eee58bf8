package searchtest

import (
	"time"

	"github.com/hlj-opendata/portal/search"
)

// Corpus returns a small fixed catalog of realistic entries. It is built to
// exercise specific behaviour; see the comments before editing it:
//   - ds-001 has 企业登记 in its title, ds-002 only in its description,
//     ds-003 mentions 企业 but never 登记;
//   - only ds-004 and ds-005 contain 公交;
//   - 哈尔滨市交通运输局 runs ds-004/005/006/013, while 哈尔滨市教育局
//     (ds-008) shares 哈尔滨市 but not the rest of the name;
//   - the data item 统一社会信用代码 is on ds-001, ds-011 and ds-012 only;
//   - updated/published/downloads have ties, to test tie-breaking by id;
//   - ds-009's title carries markup, to test escaping;
//   - quality scores (corpusQuality) tie too: ds-004/ds-007 at 100 differ
//     in updated_at, ds-001/ds-003 at 85 and ds-002/ds-011 at 72 share it;
//     ds-012 sits just under 60, ds-009 and ds-015 are unscored (0).
func Corpus() []search.Document {
	docs := corpusDocs()
	for i := range docs {
		docs[i].Quality = corpusQuality[docs[i].ID]
	}
	return docs
}

// corpusQuality is each corpus entry's quality score.
var corpusQuality = map[string]int{
	"ds-001": 85, "ds-002": 72, "ds-003": 85, "ds-004": 100, "ds-005": 60, "ds-006": 45,
	"ds-007": 100, "ds-008": 90, "ds-009": 0, "ds-010": 60, "ds-011": 72, "ds-012": 59,
	"ds-013": 30, "ds-014": 88, "ds-015": 0, "ds-016": 95,
}

func corpusDocs() []search.Document {
	return []search.Document{
		doc("ds-001", "全省企业登记信息", "全省各类市场主体的注册登记基本信息，按月更新。",
			"scjg", "黑龙江省市场监督管理局", "econ", "经济建设", "unconditional", []string{"csv", "xlsx"}, "monthly", "A",
			[]string{"市场主体", "营商环境"}, "230000", []string{"统一社会信用代码", "企业名称", "法定代表人", "成立日期", "登记机关"},
			"2024-06-01", "2021-03-01", 5200),
		doc("ds-002", "市场主体年度报告公示", "本数据集包含全省市场主体年度报告公示信息，涉及企业登记事项变更及经营状况等内容。",
			"scjg", "黑龙江省市场监督管理局", "econ", "经济建设", "unconditional", []string{"csv"}, "yearly", "A",
			[]string{"年报", "市场主体"}, "230000", []string{"企业名称", "年报年度", "经营状态"},
			"2024-05-20", "2021-06-15", 3100),
		doc("ds-003", "企业信用信息公示", "全省企业信用信息，包括行政许可、行政处罚等。",
			"fgw", "黑龙江省发展和改革委员会", "credit", "信用服务", "conditional", []string{"json", "api"}, "daily", "B",
			[]string{"信用", "企业"}, "230000", []string{"企业名称", "信用等级", "处罚决定书文号"},
			"2024-06-01", "2022-01-10", 5200),
		doc("ds-004", "哈尔滨市公交线路", "哈尔滨市运营公交线路的线路编号、走向及首末班时间。",
			"hrb_jt", "哈尔滨市交通运输局", "traffic", "交通出行", "unconditional", []string{"csv", "json"}, "quarterly", "A",
			[]string{"公共交通", "出行"}, "230100", []string{"线路名称", "线路走向", "首末班时间", "票价"},
			"2024-03-15", "2020-09-01", 8800),
		doc("ds-005", "哈尔滨市公交站点", "哈尔滨市公交站点名称及经纬度坐标。",
			"hrb_jt", "哈尔滨市交通运输局", "traffic", "交通出行", "unconditional", []string{"csv", "api"}, "quarterly", "A",
			[]string{"公共交通"}, "230100", []string{"站点名称", "经度", "纬度"},
			"2024-03-15", "2020-09-01", 4100),
		doc("ds-006", "哈尔滨市出租汽车企业名录", "全市出租汽车经营企业名称、车辆数及联系方式。",
			"hrb_jt", "哈尔滨市交通运输局", "traffic", "交通出行", "unconditional", []string{"xlsx"}, "yearly", "B",
			[]string{"出租车"}, "230100", []string{"企业名称", "车辆数", "联系电话"},
			"2023-12-01", "2021-01-20", 950),
		doc("ds-007", "全省医疗机构名录", "全省各级医疗机构的名称、地址、等级和床位数。",
			"wjw", "黑龙江省卫生健康委员会", "health", "医疗卫生", "unconditional", []string{"csv", "xlsx"}, "monthly", "A",
			[]string{"医院", "医疗"}, "230000", []string{"机构名称", "机构地址", "医院等级", "床位数"},
			"2024-04-10", "2019-11-11", 6100),
		doc("ds-008", "哈尔滨市中小学校基本信息", "哈尔滨市中小学校名称、地址、学段及办学性质。",
			"hrb_jy", "哈尔滨市教育局", "edu", "教育文化", "unconditional", []string{"csv"}, "yearly", "A",
			[]string{"学校", "教育"}, "230100", []string{"学校名称", "学校地址", "学段", "办学性质"},
			"2024-02-01", "2020-04-01", 2300),
		doc("ds-009", "<script>alert(1)</script>测试数据集", "用于验证页面转义的测试数据。",
			"yshj", "黑龙江省营商环境建设监督局", "other", "其他", "unconditional", []string{"json"}, "irregular", "C",
			[]string{"测试"}, "230000", []string{"字段一"},
			"2023-01-01", "2023-01-01", 0),
		doc("ds-010", "齐齐哈尔市空气质量监测数据", "齐齐哈尔市各监测站点每小时空气质量指数（AQI）及细颗粒物浓度。",
			"qqhr_hb", "齐齐哈尔市生态环境局", "env", "生态环境", "unconditional", []string{"json", "api"}, "realtime", "A",
			[]string{"空气质量", "环境监测"}, "230200", []string{"监测站点", "AQI", "细颗粒物浓度", "监测时间"},
			"2024-06-10", "2022-05-05", 7300),
		doc("ds-011", "社会组织登记信息", "全省社会团体、社会服务机构和基金会的登记信息。",
			"mz", "黑龙江省民政厅", "civil", "民政服务", "unconditional", []string{"csv"}, "monthly", "A",
			[]string{"社会组织"}, "230000", []string{"统一社会信用代码", "组织名称", "登记管理机关", "成立登记日期"},
			"2024-05-20", "2021-06-15", 1800),
		doc("ds-012", "个体工商户登记信息", "全省个体工商户的注册登记信息。",
			"scjg", "黑龙江省市场监督管理局", "econ", "经济建设", "conditional", []string{"csv", "xlsx"}, "monthly", "B",
			[]string{"市场主体", "个体户"}, "230000", []string{"统一社会信用代码", "经营者姓名", "经营场所", "登记日期"},
			"2024-01-15", "2021-03-01", 2300),
		doc("ds-013", "哈尔滨市公共自行车租赁点", "公共自行车租赁点位置和车桩数量。",
			"hrb_jt", "哈尔滨市交通运输局", "traffic", "交通出行", "unconditional", []string{"csv"}, "monthly", "B",
			[]string{"公共交通", "骑行"}, "230100", []string{"租赁点名称", "车桩数", "经度", "纬度"},
			"2023-10-01", "2022-08-08", 1200),
		doc("ds-014", "全省旅游景区名录", "全省A级旅游景区名称、等级、地址和开放时间。",
			"wlt", "黑龙江省文化和旅游厅", "culture", "文化旅游", "unconditional", []string{"csv", "xlsx"}, "quarterly", "A",
			[]string{"旅游", "景区"}, "230000", []string{"景区名称", "景区等级", "地址", "开放时间"},
			"2024-04-10", "2020-02-02", 6100),
		doc("ds-015", "大庆市不动产登记办理指南", "大庆市不动产登记业务的办理流程、材料和时限说明。",
			"dq_zrzy", "大庆市自然资源局", "land", "自然资源", "conditional", []string{"pdf"}, "irregular", "C",
			[]string{"不动产"}, "230600", []string{"事项名称", "办理地点", "办理时限"},
			"2022-12-12", "2022-12-12", 300),
		doc("ds-016", "全省农产品价格监测", "本数据集汇集全省各市县农贸市场的主要农产品零售价格，包括粮食、蔬菜、水果、肉禽蛋、水产品等品类，"+
			"由各级价格监测机构每周采集并审核上报，数据经过清洗、去重与异常值校验后统一发布，可用于分析市场运行态势。"+
			"数据同时提供以二〇二〇年为基期计算的农产品价格指数，便于比较不同时期的价格变化情况。",
			"fgw", "黑龙江省发展和改革委员会", "econ", "经济建设", "unconditional", []string{"xlsx"}, "weekly", "A",
			[]string{"农产品", "价格"}, "230000", []string{"品种", "规格", "零售价格", "采集日期", "价格指数"},
			"2024-06-10", "2023-03-03", 2900),
	}
}

func doc(id, title, desc, dept, deptName, topic, topicName, openType string, formats []string, freq, grade string,
	tags []string, region string, items []string, updated, published string, downloads int64) search.Document {
	return search.Document{
		ID: id, Title: title, Description: desc,
		Department: dept, DepartmentName: deptName,
		Topic: topic, TopicName: topicName,
		OpenType: openType, Formats: formats, UpdateFrequency: freq, Grade: grade,
		Tags: tags, Region: region, DataItems: items,
		UpdatedAt: day(updated), PublishedAt: day(published), Downloads: downloads,
	}
}

func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", s, time.FixedZone("CST", 8*3600))
	if err != nil {
		panic(err)
	}
	return t
}
