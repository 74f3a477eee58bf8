package seed

import (
	"strconv"
	"strings"
	"time"
)

// Schemas for public services: people-related registers (always masked),
// health, education, social affairs.

type demoCertKind struct {
	category []string
	level    []string
	org      func(g *demoGen, c *demoCity) string
	years    int
}

var demoCertKinds = map[string]demoCertKind{
	"driver": {[]string{"巡游出租汽车驾驶员", "网络预约出租汽车驾驶员"}, []string{"从业资格"},
		func(g *demoGen, c *demoCity) string { return c.Name + "交通运输局" }, 6},
	"physician": {[]string{"临床", "中医", "口腔", "公共卫生"}, []string{"执业医师", "执业医师", "执业助理医师"},
		func(g *demoGen, c *demoCity) string {
			return c.Short + g.word() + g.pick([]string{"医院", "中医医院", "社区卫生服务中心"})
		}, 0},
	"teacher": {[]string{"高级中学教师资格", "初级中学教师资格", "小学教师资格", "幼儿园教师资格", "中等职业学校教师资格"},
		[]string{"语文", "数学", "英语", "物理", "化学", "生物", "道德与法治", "体育与健康", "音乐", "美术", "信息技术"},
		func(g *demoGen, c *demoCity) string { return c.Name + "教育局" }, 0},
	"skill": {[]string{"电工", "焊工", "育婴员", "中式烹调师", "养老护理员", "保育师", "汽车维修工", "农业技术员"},
		[]string{"五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "一级/高级技师"},
		func(g *demoGen, c *demoCity) string { return c.Short + g.tradeName() + "职业技能培训学校" }, 0},
	"guide": {[]string{"普通话", "英语", "俄语", "日语", "韩语"}, []string{"初级", "初级", "中级", "高级"},
		func(g *demoGen, c *demoCity) string { return c.Short + g.tradeName() + "旅行社有限公司" }, 0},
	"constructor": {[]string{"建筑工程", "市政公用工程", "机电工程", "公路工程", "水利水电工程"}, []string{"一级注册建造师", "二级注册建造师", "二级注册建造师"},
		func(g *demoGen, c *demoCity) string { return c.Short + g.tradeName() + "建筑工程有限公司" }, 3},
}

type demoRecordKind struct {
	category []string
	detail   func(g *demoGen, c *demoCity) string
}

var demoRecordKinds = map[string]demoRecordKind{
	"health_record": {[]string{"高血压患者健康管理", "2型糖尿病患者健康管理", "65岁及以上老年人健康管理", "0-6岁儿童健康管理", "孕产妇健康管理"},
		func(g *demoGen, c *demoCity) string {
			return "随访：血压 " + g.intStr(110, 160) + "/" + g.intStr(65, 100) + "mmHg，空腹血糖 " + g.num(4.2, 9.8, 1) + "mmol/L"
		}},
	"insured": {[]string{"城镇职工基本养老保险", "城乡居民基本养老保险", "失业保险", "工伤保险"},
		func(g *demoGen, c *demoCity) string {
			return "参保状态：" + g.pick([]string{"正常参保", "正常参保", "暂停缴费", "终止参保"}) + "，缴费基数 " + g.intStr(3000, 12000) + " 元"
		}},
	"assistance": {[]string{"城市最低生活保障", "农村最低生活保障", "特困人员供养", "临时救助"},
		func(g *demoGen, c *demoCity) string {
			return "保障人口 " + g.intStr(1, 4) + " 人，月保障金 " + g.intStr(300, 2200) + " 元"
		}},
	"hotel_guest": {[]string{"境内旅客住宿登记", "境外旅客住宿登记"},
		func(g *demoGen, c *demoCity) string {
			return c.Short + g.word() + g.pick([]string{"宾馆", "大酒店", "快捷酒店"}) + "，入住 " + g.intStr(1, 6) + " 晚"
		}},
	"property": {[]string{"住宅", "商业服务", "办公", "车库"},
		func(g *demoGen, c *demoCity) string {
			d := g.district(c)
			return d.Name + g.word() + "小区，建筑面积 " + g.num(35, 180, 2) + "㎡"
		}},
	"settlement": {[]string{"普通门诊", "门诊慢特病", "住院"},
		func(g *demoGen, c *demoCity) string {
			total := 50 + 20000*g.r.Float64()*g.r.Float64()
			return "医疗总费用 " + demoFmtF(total, 2) + " 元，统筹基金支付 " + demoFmtF(total*(0.4+0.3*g.r.Float64()), 2) + " 元"
		}},
	"subsidy": {[]string{"玉米收获机", "水稻插秧机", "轮式拖拉机", "植保无人飞机", "谷物烘干机", "免耕播种机"},
		func(g *demoGen, c *demoCity) string {
			return "型号 " + string(rune('A'+g.intn(26))) + g.digits(3) + "-" + g.intStr(2, 8) + "，购机数量 1 台，补贴额 " + g.intStr(3000, 90000) + " 元"
		}},
}

func init() {
	demoRegister("person_cert", &demoSchema{
		items: demoItems(
			demoCol{"cert_no", "证书编号（脱敏）", "string", "!", ""},
			demoCol{"holder", "姓名（脱敏）", "string", "!", ""},
			demoCol{"gender", "性别", "string", "", ""},
			demoCol{"category", "资格类别", "string", "!", ""},
			demoCol{"level", "级别/专业", "string", "", ""},
			demoCol{"org", "所在（注册）单位或发证机关", "string", "", ""},
			demoCol{"issue_date", "发证日期", "date", "!", ""},
			demoCol{"valid_until", "有效期至", "date", "", "长期有效的为空"},
		),
		minRows: 300, maxRows: 4000,
		fill: func(g *demoGen, rec []string) {
			k, ok := demoCertKinds[g.variant]
			if !ok {
				k = demoCertKinds["skill"]
			}
			c := g.city()
			t := g.pastDate(2008)
			rec[0] = c.Code[:4] + "********" + g.digits(4)
			rec[1] = g.maskedPerson()
			rec[2] = g.gender()
			rec[3] = g.pick(k.category)
			rec[4] = g.pick(k.level)
			rec[5] = k.org(g, c)
			rec[6] = demoFmtDate(t)
			if k.years > 0 {
				rec[7] = demoFmtDate(t.AddDate(k.years, 0, -1))
			} else {
				rec[7] = ""
			}
		},
	})

	demoRegister("person_record", &demoSchema{
		items: demoItems(
			demoCol{"record_id", "记录编号", "string", "!", "不可逆脱敏编号"},
			demoCol{"holder", "姓名（脱敏）", "string", "!", ""},
			demoCol{"gender", "性别", "string", "", ""},
			demoCol{"birth_year", "出生年份", "integer", "", ""},
			demoCol{"district", "所属区县", "string", "!", ""},
			demoCol{"category", "类别", "string", "!", ""},
			demoCol{"detail", "明细", "string", "", ""},
			demoCol{"record_date", "记录日期", "date", "!", ""},
		),
		minRows: 500, maxRows: 5000,
		fill: func(g *demoGen, rec []string) {
			k, ok := demoRecordKinds[g.variant]
			if !ok {
				k = demoRecordKinds["insured"]
			}
			c, d := g.place()
			rec[0] = "R" + g.digits(12)
			rec[1] = g.maskedPerson()
			rec[2] = g.gender()
			rec[3] = g.intStr(1940, 2006)
			rec[4] = c.Name + d.Name
			rec[5] = g.pick(k.category)
			rec[6] = k.detail(g, c)
			rec[7] = demoFmtDate(g.eventDate())
		},
	})

	demoRegister("medical_institution", &demoSchema{
		items: demoItems(
			demoCol{"credit_code", "统一社会信用代码", "string", "!", ""},
			demoCol{"name", "机构名称", "string", "!", ""},
			demoCol{"inst_type", "机构类别", "string", "!", ""},
			demoCol{"grade", "医院等级", "string", "", ""},
			demoCol{"ownership", "经营性质", "string", "!", "公立、民营"},
			demoCol{"district", "所在区县", "string", "!", ""},
			demoCol{"address", "地址", "string", "!", ""},
			demoCol{"beds", "核定床位数", "integer", "", ""},
			demoCol{"phone", "联系电话", "string", "", ""},
			demoCol{"insurance_designated", "是否医保定点", "boolean", "!", ""},
		),
		minRows: 150, maxRows: 3000,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			grassroots := g.variant == "grassroots" || (g.variant == "" && g.chance(0.6))
			if grassroots {
				switch g.intn(4) {
				case 0:
					rec[1] = d.Name + g.word() + "社区卫生服务中心"
					rec[2] = "社区卫生服务中心"
				case 1:
					rec[1] = demoTrimAdmin(d.Name) + g.word() + "镇卫生院"
					rec[2] = "乡镇卫生院"
				case 2:
					rec[1] = g.word() + "村卫生室"
					rec[2] = "村卫生室"
				default:
					rec[1] = c.Short + g.person() + g.pick([]string{"诊所", "中医诊所", "口腔诊所"})
					rec[2] = "诊所"
				}
				rec[3] = g.pick([]string{"未定级", "一级"})
				rec[7] = strconv.Itoa(g.intn(40))
			} else {
				t := g.pick([]string{"综合医院", "中医医院", "妇幼保健院", "专科医院", "专科医院"})
				switch t {
				case "综合医院":
					rec[1] = c.Name + "第" + g.pick(demoChineseNumerals) + "医院"
					if g.chance(0.5) {
						rec[1] = c.Short + g.word() + "医院"
					}
				case "中医医院":
					rec[1] = c.Name + d.Name + "中医医院"
				case "妇幼保健院":
					rec[1] = c.Name + d.Name + "妇幼保健院"
				default:
					rec[1] = c.Short + g.word() + g.pick([]string{"口腔医院", "眼科医院", "骨科医院", "康复医院", "精神卫生中心"})
				}
				rec[2] = t
				rec[3] = g.pick([]string{"三级甲等", "三级乙等", "二级甲等", "二级甲等", "二级乙等", "一级", "未定级"})
				rec[7] = strconv.Itoa(g.intIn(30, 2500))
			}
			if strings.Contains(rec[1], "诊所") || g.chance(0.2) {
				rec[4] = "民营"
				rec[0] = g.creditCode("52", d.Code)
			} else {
				rec[4] = "公立"
				rec[0] = g.creditCode("12", d.Code)
			}
			rec[5] = d.Name
			rec[6] = g.address(c, d)
			rec[8] = g.phone(c)
			switch g.variant {
			case "insured", "chronic":
				rec[9] = "true"
			default:
				rec[9] = g.boolStr(0.85)
			}
		},
	})

	demoRegister("pharmacy", &demoSchema{
		items: demoItems(
			demoCol{"name", "药店名称", "string", "!", ""},
			demoCol{"credit_code", "统一社会信用代码", "string", "!", ""},
			demoCol{"license_no", "药品经营许可证号", "string", "!", ""},
			demoCol{"legal_rep", "企业负责人", "string", "", ""},
			demoCol{"district", "所在区县", "string", "!", ""},
			demoCol{"address", "地址", "string", "!", ""},
			demoCol{"insurance_designated", "是否医保定点", "boolean", "!", ""},
			demoCol{"open_24h", "是否24小时营业", "boolean", "", ""},
			demoCol{"phone", "联系电话", "string", "", ""},
		),
		minRows: 200, maxRows: 3500,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			rec[0] = c.Short + g.tradeName() + g.pick([]string{"大药房", "大药房连锁有限公司" + g.word() + "店", "药店", "医药商店"})
			rec[1] = g.creditCode(g.pick([]string{"91", "92"}), d.Code)
			rec[2] = "黑AA" + c.AreaCode + g.digits(4)
			rec[3] = g.person()
			rec[4] = d.Name
			rec[5] = g.address(c, d)
			if g.variant == "insured" {
				rec[6] = "true"
			} else {
				rec[6] = g.boolStr(0.7)
			}
			rec[7] = g.boolStr(0.1)
			rec[8] = g.phone(c)
		},
	})

	demoRegister("drug_catalog", &demoSchema{
		items: demoItems(
			demoCol{"drug_code", "药品代码", "string", "!", ""},
			demoCol{"name", "药品通用名", "string", "!", ""},
			demoCol{"dosage_form", "剂型", "string", "!", ""},
			demoCol{"spec", "规格", "string", "", ""},
			demoCol{"manufacturer", "生产企业", "string", "", ""},
			demoCol{"category", "医保类别", "string", "!", "甲类或乙类"},
			demoCol{"restricted", "是否限定支付范围", "boolean", "!", ""},
			demoCol{"price", "价格(元)", "number", "", "最小包装价格，带量采购为中选价格"},
		),
		minRows: 300, maxRows: 3000,
		fill: func(g *demoGen, rec []string) {
			drugs := [][2]string{{"阿莫西林", "胶囊"}, {"头孢呋辛酯", "片剂"}, {"二甲双胍", "缓释片"}, {"硝苯地平", "控释片"}, {"阿托伐他汀钙", "片剂"},
				{"奥美拉唑", "肠溶胶囊"}, {"布洛芬", "缓释胶囊"}, {"氨氯地平", "片剂"}, {"阿司匹林", "肠溶片"}, {"左氧氟沙星", "注射液"},
				{"甲钴胺", "片剂"}, {"厄贝沙坦", "片剂"}, {"连花清瘟", "胶囊"}, {"复方丹参", "滴丸"}, {"蒙脱石", "散剂"},
				{"氯化钠", "注射液"}, {"胰岛素（甘精）", "注射液"}, {"瑞舒伐他汀钙", "片剂"}, {"美托洛尔", "缓释片"}, {"板蓝根", "颗粒"}}
			x := drugs[g.intn(len(drugs))]
			prefix := "X"
			if strings.Contains("连花清瘟复方丹参板蓝根", x[0]) {
				prefix = "Z"
			}
			rec[0] = prefix + string(rune('A'+g.intn(14))) + g.digits(2) + string(rune('A'+g.intn(26))) + string(rune('A'+g.intn(26))) + g.digits(4)
			rec[1] = x[0]
			rec[2] = x[1]
			rec[3] = g.pick([]string{"0.25g×24粒", "10mg×30片", "0.5g×20片", "5ml:0.5g", "20mg×14粒", "0.3g×10粒", "100ml:0.9g"})
			rec[4] = g.company(g.city(), g.pick([]string{"制药", "药业", "生物制药"}), "有限公司")
			rec[5] = g.pick([]string{"甲类", "甲类", "乙类"})
			rec[6] = g.boolStr(0.25)
			if g.variant == "bid" {
				rec[7] = g.skewNum(0.5, 60, 2)
			} else {
				rec[7] = g.skewNum(2, 300, 2)
			}
		},
	})

	demoRegister("school", &demoSchema{
		items: demoItems(
			demoCol{"school_code", "学校标识码", "string", "!", "10位学校标识码"},
			demoCol{"name", "学校名称", "string", "!", ""},
			demoCol{"school_type", "办学类型", "string", "!", ""},
			demoCol{"run_by", "举办者类型", "string", "!", "公办或民办"},
			demoCol{"district", "所在区县", "string", "!", ""},
			demoCol{"address", "地址", "string", "!", ""},
			demoCol{"students", "在校生数", "integer", "", ""},
			demoCol{"teachers", "专任教师数", "integer", "", ""},
			demoCol{"founded_year", "建校年份", "integer", "", ""},
			demoCol{"phone", "联系电话", "string", "", ""},
		),
		minRows: 150, maxRows: 3500,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			rec[0] = "1" + c.Code[:2] + g.digits(7)
			public := g.chance(0.85)
			var students int
			switch g.variant {
			case "kindergarten":
				rec[1] = c.Short + g.word() + g.pick([]string{"幼儿园", "实验幼儿园", "第" + g.pick(demoChineseNumerals) + "幼儿园"})
				rec[2] = "幼儿园"
				public = g.chance(0.5)
				students = g.intIn(40, 450)
			case "university":
				if g.chance(0.5) {
					rec[1] = "黑龙江" + g.word() + g.pick([]string{"工程", "商业", "科技", "财经", "农业工程", "师范"}) + g.pick([]string{"学院", "大学"})
					rec[2] = "普通本科学校"
				} else {
					rec[1] = "黑龙江" + g.word() + g.pick([]string{"交通", "建筑", "信息", "农业", "旅游", "护理"}) + "职业技术学院"
					rec[2] = "高等职业学校"
				}
				students = g.intIn(3000, 30000)
			case "vocational":
				rec[1] = c.Name + g.pick([]string{"工业", "商业", "农业", "卫生", "旅游", "机电", "信息"}) + g.pick([]string{"职业技术学校", "中等专业学校", "职业技术学院附属中专"})
				rec[2] = "中等职业学校"
				students = g.intIn(300, 5000)
			default:
				switch g.intn(4) {
				case 0:
					rec[1] = c.Name + "第" + strconv.Itoa(1+g.intn(80)) + "中学校"
					rec[2] = g.pick([]string{"完全中学", "初级中学", "高级中学"})
				case 1:
					rec[1] = c.Name + d.Name + g.word() + "小学校"
					rec[2] = "小学"
				case 2:
					rec[1] = c.Short + g.word() + "实验学校"
					rec[2] = "九年一贯制学校"
				default:
					rec[1] = c.Name + g.word() + "小学校"
					rec[2] = "小学"
				}
				students = g.intIn(150, 3500)
			}
			if public {
				rec[3] = "公办"
			} else {
				rec[3] = "民办"
			}
			rec[4] = d.Name
			rec[5] = g.address(c, d)
			rec[6] = strconv.Itoa(students)
			rec[7] = strconv.Itoa(max(3, students/g.intIn(10, 16)))
			rec[8] = g.intStr(1950, 2020)
			rec[9] = g.phone(c)
		},
	})

	demoRegister("enroll_zone", &demoSchema{
		items: demoItems(
			demoCol{"school_name", "学校名称", "string", "!", ""},
			demoCol{"district", "所在区县", "string", "!", ""},
			demoCol{"stage", "学段", "string", "!", "小学或初中"},
			demoCol{"zone", "招生范围", "string", "!", ""},
			demoCol{"plan_classes", "计划招生班数", "integer", "", ""},
			demoCol{"plan_count", "计划招生人数", "integer", "", ""},
			demoCol{"year", "招生年度", "integer", "!", ""},
		),
		minRows: 100, maxRows: 900,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			if g.chance(0.6) {
				rec[0] = c.Name + d.Name + g.word() + "小学校"
				rec[2] = "小学"
			} else {
				rec[0] = c.Name + "第" + strconv.Itoa(1+g.intn(80)) + "中学校"
				rec[2] = "初中"
			}
			rec[1] = d.Name
			n := 1 + g.intn(3)
			parts := make([]string, n)
			for k := range n {
				a := 1 + g.intn(150)
				parts[k] = g.pick(demoRoads) + strconv.Itoa(a) + "-" + strconv.Itoa(a+2*g.intIn(5, 60)) + "号" + g.pick([]string{"", "（单号）", "（双号）"})
			}
			rec[3] = strings.Join(parts, "；")
			cls := g.intIn(2, 12)
			rec[4] = strconv.Itoa(cls)
			rec[5] = strconv.Itoa(cls * g.intIn(38, 45))
			rec[6] = strconv.Itoa(g.hi.Year())
		},
	})

	demoRegister("score_line", &demoSchema{
		items: demoItems(
			demoCol{"year", "年份", "integer", "!", ""},
			demoCol{"batch", "批次", "string", "!", ""},
			demoCol{"subject_group", "科类", "string", "!", "2024年起为物理类、历史类"},
			demoCol{"line_type", "线类", "string", "!", ""},
			demoCol{"score", "分数线", "integer", "!", ""},
		),
		rows: func(g *demoGen) int { return (g.hi.Year() - 2015) * 3 * 2 * 2 },
		fill: func(g *demoGen, rec []string) {
			// year-major, most recent year first
			per := 3 * 2 * 2
			year := g.hi.Year() - 1 - g.i/per
			if g.hi.Month() >= 7 {
				year++
			}
			k := g.i % per
			batch := []string{"本科提前批", "本科批", "高职（专科）批"}[k/4]
			lineType := []string{"批次线", "特殊类型招生控制线"}[k/2%2]
			groups := []string{"物理类", "历史类"}
			if year < 2024 {
				groups = []string{"理科", "文科"}
			}
			group := groups[k%2]
			base := []int{420, 400, 160}[k/4]
			if lineType == "特殊类型招生控制线" {
				base += 80
			}
			if k%2 == 1 {
				base += 15
			}
			rec[0] = strconv.Itoa(year)
			rec[1] = batch
			rec[2] = group
			rec[3] = lineType
			rec[4] = strconv.Itoa(base + g.intIn(-20, 30))
		},
	})

	demoRegister("social_org", &demoSchema{
		items: demoItems(
			demoCol{"credit_code", "统一社会信用代码", "string", "!", ""},
			demoCol{"name", "社会组织名称", "string", "!", ""},
			demoCol{"org_type", "组织类型", "string", "!", "社会团体、民办非企业单位、基金会"},
			demoCol{"legal_rep", "法定代表人", "string", "!", ""},
			demoCol{"reg_authority", "登记管理机关", "string", "!", ""},
			demoCol{"supervisor", "业务主管单位", "string", "", ""},
			demoCol{"reg_date", "成立登记日期", "date", "!", ""},
			demoCol{"address", "住所", "string", "!", ""},
			demoCol{"scope", "业务范围", "string", "", ""},
			demoCol{"charity", "是否认定为慈善组织", "boolean", "", ""},
		),
		minRows: 200, maxRows: 3000,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			switch g.intn(3) {
			case 0:
				rec[1] = c.Name + g.pick([]string{"餐饮行业协会", "摄影家协会", "老年体育协会", "青年企业家商会", "计算机学会", "物流协会", "冰雪运动协会", "书法家协会"})
				rec[2] = "社会团体"
				rec[0] = g.creditCode("51", c.Code)
			case 1:
				rec[1] = c.Short + g.word() + g.pick([]string{"养老服务中心", "社会工作服务中心", "康复中心", "志愿服务中心"})
				rec[2] = "民办非企业单位"
				rec[0] = g.creditCode("52", d.Code)
			default:
				rec[1] = "黑龙江省" + g.word() + g.pick([]string{"公益基金会", "教育发展基金会", "助学基金会"})
				rec[2] = "基金会"
				rec[0] = g.creditCode("53", "230000")
			}
			rec[3] = g.person()
			if rec[2] == "基金会" {
				rec[4] = "黑龙江省民政厅"
			} else {
				rec[4] = demoAuthority(g.intIn(1, 2), "民政局", c, d)
			}
			rec[5] = g.pick([]string{"", "无", c.Name + "教育局", c.Name + "文化广电和旅游局", c.Name + "体育局"})
			rec[6] = demoFmtDate(g.pastDate(1995))
			rec[7] = g.address(c, d)
			rec[8] = g.pick([]string{"开展公益活动，提供社会服务", "行业自律、交流培训、咨询服务", "资助贫困学生、奖励优秀教师", "社区养老、助餐助洁服务"})
			if g.variant == "charity" {
				rec[9] = "true"
			} else {
				rec[9] = g.boolStr(0.1)
			}
		},
	})

	demoRegister("elderly_care", &demoSchema{
		items: demoItems(
			demoCol{"name", "机构名称", "string", "!", ""},
			demoCol{"credit_code", "统一社会信用代码", "string", "!", ""},
			demoCol{"nature", "机构性质", "string", "!", "公办、民办、公建民营"},
			demoCol{"district", "所在区县", "string", "!", ""},
			demoCol{"address", "地址", "string", "!", ""},
			demoCol{"beds", "床位数", "integer", "!", ""},
			demoCol{"nursing_beds", "护理型床位数", "integer", "", ""},
			demoCol{"residents", "在住老人数", "integer", "", ""},
			demoCol{"phone", "联系电话", "string", "", ""},
			demoCol{"filed_date", "备案日期", "date", "", ""},
		),
		minRows: 100, maxRows: 2000,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			rec[0] = c.Short + g.word() + g.pick([]string{"养老院", "老年公寓", "颐养中心", "康养中心", "敬老院", "护理院"})
			rec[1] = g.creditCode(g.pick([]string{"52", "12", "91"}), d.Code)
			rec[2] = g.pick([]string{"公办", "民办", "民办", "公建民营"})
			rec[3] = d.Name
			rec[4] = g.address(c, d)
			beds := g.intIn(20, 500)
			rec[5] = strconv.Itoa(beds)
			rec[6] = strconv.Itoa(beds * g.intIn(30, 90) / 100)
			rec[7] = strconv.Itoa(beds * g.intIn(40, 95) / 100)
			rec[8] = g.phone(c)
			rec[9] = demoFmtDate(g.pastDate(2013))
		},
	})

	demoRegister("job", &demoSchema{
		items: demoItems(
			demoCol{"job_id", "岗位编号", "string", "!", ""},
			demoCol{"job_title", "岗位名称", "string", "!", ""},
			demoCol{"employer", "招聘单位", "string", "!", ""},
			demoCol{"credit_code", "统一社会信用代码", "string", "!", ""},
			demoCol{"district", "工作地点", "string", "!", ""},
			demoCol{"salary_min", "月薪下限(元)", "integer", "", ""},
			demoCol{"salary_max", "月薪上限(元)", "integer", "", ""},
			demoCol{"headcount", "招聘人数", "integer", "!", ""},
			demoCol{"education", "学历要求", "string", "", ""},
			demoCol{"publish_date", "发布日期", "date", "!", ""},
			demoCol{"valid_until", "有效期至", "date", "", ""},
		),
		minRows: 500, maxRows: 5000,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			ind := demoIndustries[g.intn(len(demoIndustries))]
			t := g.eventDate()
			rec[0] = "J" + t.Format("20060102") + g.digits(5)
			rec[1] = g.pick([]string{"销售代表", "会计", "软件工程师", "电工", "焊工", "行政专员", "仓库管理员", "厨师", "护士", "数控车工", "客服专员", "司机", "农机操作员", "物业管理员"})
			rec[2] = g.company(c, ind.Word, "有限公司")
			rec[3] = g.creditCode("91", d.Code)
			rec[4] = c.Name + d.Name
			lo := g.intIn(20, 60) * 100
			rec[5] = strconv.Itoa(lo)
			rec[6] = strconv.Itoa(lo + g.intIn(5, 60)*100)
			rec[7] = g.intStr(1, 20)
			rec[8] = g.pick([]string{"不限", "初中及以上", "高中/中专及以上", "大专及以上", "本科及以上"})
			rec[9] = demoFmtDate(t)
			rec[10] = demoFmtDate(t.AddDate(0, 1+g.intn(3), 0))
		},
	})

	demoRegister("wage_standard", &demoSchema{
		items: demoItems(
			demoCol{"region", "适用地区", "string", "!", ""},
			demoCol{"tier", "档次", "string", "!", ""},
			demoCol{"monthly_min", "月最低工资标准(元)", "integer", "!", ""},
			demoCol{"hourly_min", "小时最低工资标准(元)", "number", "!", ""},
			demoCol{"effective_date", "执行日期", "date", "!", ""},
			demoCol{"doc_no", "文件文号", "string", "", ""},
		),
		rows: func(g *demoGen) int { return 2 * demoDistrictCount() },
		fill: func(g *demoGen, rec []string) {
			n := demoDistrictCount()
			round := g.i / n
			c, d := demoDistrictAt(g.i % n)
			tier := demoDistrictTier(c, d)
			// two adjustments: an earlier and the current standard
			eff := []time.Time{time.Date(2021, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)}[round%2]
			monthly := []int{1860, 1690, 1580}[tier] + []int{0, 110}[round%2]
			rec[0] = c.Name + d.Name
			rec[1] = []string{"第一档", "第二档", "第三档"}[tier]
			rec[2] = strconv.Itoa(monthly)
			rec[3] = demoFmtF(float64(monthly)/100, 1)
			rec[4] = demoFmtDate(eff)
			rec[5] = "黑人社规〔" + strconv.Itoa(eff.Year()) + "〕" + strconv.Itoa(3+round) + "号"
		},
	})
}

func demoDistrictCount() int {
	n := 0
	for _, c := range demoCities {
		n += len(c.Districts)
	}
	return n
}

func demoDistrictAt(i int) (*demoCity, demoDistrict) {
	for _, c := range demoCities {
		if i < len(c.Districts) {
			return c, c.Districts[i]
		}
		i -= len(c.Districts)
	}
	panic("seed: district index out of range")
}

func demoDistrictTier(c *demoCity, d demoDistrict) int {
	switch {
	case c.Name == "哈尔滨市" && (d.Name == "道里区" || d.Name == "南岗区" || d.Name == "道外区" || d.Name == "香坊区" || d.Name == "松北区" || d.Name == "平房区"):
		return 0
	case c.Name == "大庆市" || c.Name == "哈尔滨市" || c.Name == "齐齐哈尔市" || c.Name == "牡丹江市":
		return 1
	default:
		return 2
	}
}
