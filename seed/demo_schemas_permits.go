package seed

import (
	"strconv"
	"strings"
	"time"
)

// demoLicenseKind describes one kind of administrative licence.
type demoLicenseKind struct {
	number    func(g *demoGen, c *demoCity, d demoDistrict, issued time.Time) string
	holders   []string // name suffixes appended to city + trade name
	credit    string   // credit code prefix of holders
	items     []string // licensed items, 1-3 are listed
	years     int      // validity
	authLevel int
	authority string
}

var demoLicenseKinds = map[string]demoLicenseKind{
	"food": {
		number: func(g *demoGen, c *demoCity, d demoDistrict, _ time.Time) string {
			return "JY" + strconv.Itoa(1+g.intn(3)) + d.Code + g.digits(7)
		},
		holders: []string{"餐饮管理有限公司", "饭店", "食品超市", "面馆", "饺子馆", "便利店", "烧烤店", "商贸有限公司"},
		credit:  "91", items: []string{"预包装食品（含冷藏冷冻食品）销售", "散装食品（含冷藏冷冻食品）销售", "热食类食品制售", "冷食类食品制售", "自制饮品制售", "保健食品销售"},
		years: 5, authLevel: 2, authority: "市场监督管理局",
	},
	"foodprod": {
		number: func(g *demoGen, c *demoCity, d demoDistrict, _ time.Time) string {
			return "SC" + g.pick([]string{"101", "102", "103", "105", "106", "115", "124"}) + d.Code + g.digits(5)
		},
		holders: []string{"食品有限公司", "米业有限公司", "粮油有限公司", "乳业有限公司", "肉类食品有限公司", "酒业有限公司"},
		credit:  "91", items: []string{"粮食加工品", "食用油、油脂及其制品", "调味品", "肉制品", "乳制品", "饮料", "酒类", "糕点", "豆制品"},
		years: 5, authLevel: 1, authority: "市场监督管理局",
	},
	"drug": {
		number: func(g *demoGen, c *demoCity, _ demoDistrict, _ time.Time) string {
			return "黑AA" + c.AreaCode + g.digits(4)
		},
		holders: []string{"大药房连锁有限公司", "大药房", "医药有限公司", "药店"},
		credit:  "91", items: []string{"中药饮片", "中成药", "化学药制剂", "抗生素制剂", "生化药品", "生物制品（除疫苗）"},
		years: 5, authLevel: 1, authority: "市场监督管理局",
	},
	"road": {
		number: func(g *demoGen, c *demoCity, _ demoDistrict, _ time.Time) string {
			return "黑交运管许可" + c.Abbr + "字" + c.Code + g.digits(6) + "号"
		},
		holders: []string{"物流有限公司", "运输有限公司", "汽车运输有限责任公司", "货运有限公司", "客运有限公司"},
		credit:  "91", items: []string{"道路普通货物运输", "货物专用运输（集装箱）", "大型物件运输", "道路旅客运输（班车客运）", "道路旅客运输（包车客运）"},
		years: 4, authLevel: 1, authority: "交通运输局",
	},
	"ridehail": {
		number: func(g *demoGen, c *demoCity, _ demoDistrict, t time.Time) string {
			return "黑网约" + c.Abbr + "〔" + strconv.Itoa(t.Year()) + "〕" + g.digits(4) + "号"
		},
		holders: []string{"出行科技有限公司", "网络科技有限公司", "约车服务有限公司"},
		credit:  "91", items: []string{"网络预约出租汽车经营"},
		years: 4, authLevel: 1, authority: "交通运输局",
	},
	"medical": {
		number: func(g *demoGen, c *demoCity, d demoDistrict, _ time.Time) string {
			return "PDY" + g.digits(5) + d.Code + "1" + g.pick([]string{"A1002", "D2112", "D2212", "A5102"})
		},
		holders: []string{"口腔门诊部", "中医诊所", "医院", "综合门诊部", "眼科诊所", "医学检验实验室"},
		credit:  "52", items: []string{"内科", "外科", "口腔科", "中医科", "医学检验科", "医学影像科", "眼科", "康复医学科"},
		years: 5, authLevel: 1, authority: "卫生健康委员会",
	},
	"publicplace": {
		number: func(g *demoGen, c *demoCity, _ demoDistrict, t time.Time) string {
			return c.Abbr + "卫公证字〔" + strconv.Itoa(t.Year()) + "〕第" + g.digits(6) + "号"
		},
		holders: []string{"宾馆", "洗浴中心", "美容美发店", "游泳馆", "酒店管理有限公司"},
		credit:  "92", items: []string{"住宿", "沐浴", "美容美发", "游泳场所"},
		years: 4, authLevel: 2, authority: "卫生健康局",
	},
	"school": {
		number: func(g *demoGen, c *demoCity, d demoDistrict, _ time.Time) string {
			return "教民" + d.Code + g.digits(9) + "号"
		},
		holders: []string{"培训学校", "幼儿园", "职业技能培训学校", "艺术培训学校"},
		credit:  "52", items: []string{"学前教育", "文化教育培训", "艺术培训", "职业技能培训", "科技类培训"},
		years: 5, authLevel: 2, authority: "教育局",
	},
	"pollution": {
		number:  nil, // the holder's credit code + sequence, see license fill
		holders: []string{"热电有限公司", "化工有限公司", "乳业有限公司", "食品有限公司", "污水处理有限公司", "热力有限公司"},
		credit:  "91", items: []string{"废气", "废水", "工业固体废物", "噪声"},
		years: 5, authLevel: 1, authority: "生态环境局",
	},
	"hazwaste": {
		number: func(g *demoGen, _ *demoCity, _ demoDistrict, _ time.Time) string {
			return "黑危废经字第" + g.digits(3) + "号"
		},
		holders: []string{"环保科技有限公司", "环境工程有限公司", "再生资源有限公司"},
		credit:  "91", items: []string{"HW08废矿物油与含矿物油废物", "HW49其他废物", "HW17表面处理废物", "HW12染料、涂料废物", "HW01医疗废物"},
		years: 5, authLevel: 0, authority: "生态环境厅",
	},
	"radiation": {
		number: func(g *demoGen, c *demoCity, _ demoDistrict, _ time.Time) string {
			return "黑环辐证〔" + c.Code[2:4] + g.digits(3) + "〕"
		},
		holders: []string{"医院", "检测技术有限公司", "医疗器械有限公司", "石油工程有限公司"},
		credit:  "91", items: []string{"使用Ⅲ类射线装置", "使用Ⅱ类射线装置", "使用Ⅴ类放射源", "销售Ⅲ类射线装置"},
		years: 5, authLevel: 0, authority: "生态环境厅",
	},
	"pesticide": {
		number: func(g *demoGen, _ *demoCity, d demoDistrict, t time.Time) string {
			return "农药经许（黑）" + d.Code + strconv.Itoa(t.Year()%100) + g.digits(3)
		},
		holders: []string{"农资有限公司", "农业生产资料有限公司", "种业有限公司", "农资经销处"},
		credit:  "91", items: []string{"农药（不含卫生用农药）", "限制使用农药", "卫生用农药"},
		years: 5, authLevel: 2, authority: "农业农村局",
	},
	"vetdrug": {
		number: func(g *demoGen, _ *demoCity, _ demoDistrict, t time.Time) string {
			return "（" + strconv.Itoa(t.Year()) + "）兽药经营证字08" + g.digits(7) + "号"
		},
		holders: []string{"兽药有限公司", "动物药品经销部", "牧业科技有限公司"},
		credit:  "91", items: []string{"兽用化学药品", "中兽药", "兽用生物制品（不含强制免疫用）", "兽用消毒剂"},
		years: 5, authLevel: 2, authority: "农业农村局",
	},
	"seed": {
		number: func(g *demoGen, c *demoCity, _ demoDistrict, t time.Time) string {
			return "D（黑" + c.Abbr + "）农种许字（" + strconv.Itoa(t.Year()) + "）第" + g.digits(4) + "号"
		},
		holders: []string{"种业有限公司", "农业科技有限公司", "种子经销有限公司"},
		credit:  "91", items: []string{"玉米", "水稻", "大豆", "小麦", "马铃薯"},
		years: 5, authLevel: 1, authority: "农业农村局",
	},
	"entertainment": {
		number: func(g *demoGen, _ *demoCity, d demoDistrict, _ time.Time) string {
			return "娱经字" + d.Code + g.digits(5) + "号"
		},
		holders: []string{"KTV", "歌舞娱乐有限公司", "电子游艺厅", "娱乐城"},
		credit:  "91", items: []string{"歌舞娱乐场所", "游艺娱乐场所"},
		years: 2, authLevel: 2, authority: "文化广电和旅游局",
	},
	"water": {
		number: func(g *demoGen, c *demoCity, _ demoDistrict, t time.Time) string {
			return "D" + c.Code + g.pick([]string{"S", "G"}) + strconv.Itoa(t.Year()) + "-" + g.digits(4)
		},
		holders: []string{"热电有限公司", "供水有限公司", "米业有限公司", "农业发展有限公司", "化工有限公司"},
		credit:  "91", items: []string{"取用地表水（工业用水）", "取用地下水（生活用水）", "取用地表水（农业灌溉）", "取用地下水（工业用水）"},
		years: 5, authLevel: 1, authority: "水务局",
	},
	"hazchem": {
		number: func(g *demoGen, c *demoCity, _ demoDistrict, t time.Time) string {
			return "黑" + c.Abbr + "危化经字〔" + strconv.Itoa(t.Year()) + "〕" + g.digits(6)
		},
		holders: []string{"石油化工有限公司", "化工产品经销有限公司", "加油站", "燃气有限公司"},
		credit:  "91", items: []string{"汽油", "柴油（闭杯闪点≤60℃）", "液化石油气", "甲醇", "乙醇[无水]", "氧[压缩的或液化的]"},
		years: 3, authLevel: 1, authority: "应急管理局",
	},
	"safety": {
		number: func(g *demoGen, _ *demoCity, _ demoDistrict, t time.Time) string {
			return "（黑）" + g.pick([]string{"JZ", "FM", "MK", "WH"}) + "安许证字〔" + strconv.Itoa(t.Year()) + "〕" + g.digits(6)
		},
		holders: []string{"建筑工程有限公司", "矿业有限公司", "化工有限公司", "爆破工程有限公司"},
		credit:  "91", items: []string{"建筑施工", "非煤矿矿山开采", "危险化学品生产", "烟花爆竹生产"},
		years: 3, authLevel: 0, authority: "应急管理厅",
	},
}

// demoLicenseMix is used by the 双公示 variant, which spans all kinds.
var demoLicenseMix = []string{"food", "drug", "road", "medical", "publicplace", "school", "pesticide", "water", "hazchem", "entertainment"}

type demoPenaltyKind struct {
	abbr, auth string
	level      int
	viol       [][2]string
}

var demoPenaltyKinds = map[string]demoPenaltyKind{
	"market": {"市监罚", "市场监督管理局", 2, [][2]string{
		{"经营不符合食品安全标准的食品", "《中华人民共和国食品安全法》第一百二十四条"},
		{"经营超过保质期的食品", "《中华人民共和国食品安全法》第一百二十四条"},
		{"发布虚假广告", "《中华人民共和国广告法》第五十五条"},
		{"虚假宣传", "《中华人民共和国反不正当竞争法》第二十条"},
		{"未取得营业执照从事经营活动", "《无证无照经营查处办法》第十三条"},
		{"使用未经检定的计量器具", "《中华人民共和国计量法实施细则》第四十三条"}}},
	"env": {"环罚", "生态环境局", 1, [][2]string{
		{"超过大气污染物排放标准排放大气污染物", "《中华人民共和国大气污染防治法》第九十九条"},
		{"超标排放水污染物", "《中华人民共和国水污染防治法》第八十三条"},
		{"建设项目未依法报批环境影响报告表擅自开工建设", "《中华人民共和国环境影响评价法》第三十一条"},
		{"未按规定贮存危险废物", "《中华人民共和国固体废物污染环境防治法》第一百一十二条"}}},
	"labor": {"人社监罚", "人力资源和社会保障局", 1, [][2]string{
		{"拖欠劳动者工资", "《保障农民工工资支付条例》第五十五条"},
		{"未按规定缴纳社会保险费", "《中华人民共和国社会保险法》第八十六条"},
		{"违反工作时间和休息休假规定", "《劳动保障监察条例》第二十五条"}}},
	"safety": {"应急罚", "应急管理局", 1, [][2]string{
		{"未按规定对从业人员进行安全生产教育和培训", "《中华人民共和国安全生产法》第九十七条"},
		{"未建立事故隐患排查治理制度", "《中华人民共和国安全生产法》第一百零一条"},
		{"特种作业人员未持证上岗", "《中华人民共和国安全生产法》第九十七条"}}},
}

var demoPenaltyMix = []string{"market", "env", "labor", "safety"}

func init() {
	demoRegister("license", &demoSchema{
		items: demoItems(
			demoCol{"license_no", "许可证编号", "string", "!", ""},
			demoCol{"holder_name", "许可对象名称", "string", "!", ""},
			demoCol{"credit_code", "统一社会信用代码", "string", "!", ""},
			demoCol{"legal_rep", "法定代表人（负责人）", "string", "!", ""},
			demoCol{"address", "经营（生产）场所", "string", "!", ""},
			demoCol{"license_items", "许可内容", "string", "!", "许可项目或经营范围，多项以“；”分隔"},
			demoCol{"issue_date", "发证日期", "date", "!", ""},
			demoCol{"valid_until", "有效期至", "date", "!", ""},
			demoCol{"authority", "发证机关", "string", "!", ""},
		),
		minRows: 150, maxRows: 4000,
		fill: func(g *demoGen, rec []string) {
			v := g.variant
			if v == "admin" || v == "" {
				v = demoLicenseMix[g.intn(len(demoLicenseMix))]
			}
			k := demoLicenseKinds[v]
			c, d := g.place()
			t := g.eventDate()
			rec[1] = c.Short + g.tradeName() + g.pick(k.holders)
			rec[2] = g.creditCode(k.credit, d.Code)
			if k.number == nil {
				rec[0] = rec[2] + "001" + g.pick([]string{"P", "V", "U", "R"})
			} else {
				rec[0] = k.number(g, c, d, t)
			}
			rec[3] = g.person()
			rec[4] = g.address(c, d)
			rec[5] = g.pickN(k.items, 1+g.intn(3), "；")
			rec[6] = demoFmtDate(t)
			rec[7] = demoFmtDate(t.AddDate(k.years, 0, -1))
			rec[8] = demoAuthority(k.authLevel, k.authority, c, d)
		},
	})

	demoRegister("qualification", &demoSchema{
		items: demoItems(
			demoCol{"cert_no", "证书编号", "string", "!", ""},
			demoCol{"company_name", "企业名称", "string", "!", ""},
			demoCol{"credit_code", "统一社会信用代码", "string", "!", ""},
			demoCol{"legal_rep", "法定代表人", "string", "!", ""},
			demoCol{"qualification", "资质类别及等级", "string", "!", ""},
			demoCol{"address", "企业地址", "string", "", ""},
			demoCol{"issue_date", "发证日期", "date", "!", ""},
			demoCol{"valid_until", "有效期至", "date", "!", ""},
			demoCol{"authority", "发证机关", "string", "!", ""},
		),
		minRows: 200, maxRows: 3500,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			t := g.eventDate()
			rec[2] = g.creditCode("91", d.Code)
			if g.variant == "realestate" {
				rec[0] = c.Code + "-" + strconv.Itoa(t.Year()) + "-" + g.digits(4)
				rec[1] = c.Short + g.tradeName() + g.pick([]string{"房地产开发有限公司", "置业有限公司", "房地产开发集团有限公司"})
				rec[4] = "房地产开发企业" + g.pick([]string{"二级", "二级", "二级", "一级"}) + "资质"
				rec[8] = demoAuthority(1, "住房和城乡建设局", c, d)
			} else {
				rec[0] = "D" + strconv.Itoa(2+g.intn(2)) + c.Code[:2] + g.digits(6)
				rec[1] = c.Short + g.tradeName() + g.pick([]string{"建筑工程有限公司", "建设集团有限公司", "市政工程有限公司", "路桥工程有限公司", "装饰工程有限公司"})
				rec[4] = g.pick([]string{"建筑工程施工总承包", "市政公用工程施工总承包", "公路工程施工总承包", "水利水电工程施工总承包", "建筑装修装饰工程专业承包", "地基基础工程专业承包"}) +
					g.pick([]string{"甲级", "乙级", "乙级", "乙级"})
				rec[8] = "黑龙江省住房和城乡建设厅"
			}
			rec[3] = g.person()
			rec[5] = g.address(c, d)
			rec[6] = demoFmtDate(t)
			rec[7] = demoFmtDate(t.AddDate(5, 0, -1))
		},
	})

	demoRegister("inspection", &demoSchema{
		items: demoItems(
			demoCol{"sample_no", "抽样编号", "string", "!", ""},
			demoCol{"product_name", "样品名称", "string", "!", ""},
			demoCol{"category", "产品类别", "string", "!", ""},
			demoCol{"spec", "规格型号", "string", "", ""},
			demoCol{"producer", "标称生产企业名称", "string", "!", ""},
			demoCol{"sampled_unit", "被抽样单位名称", "string", "!", ""},
			demoCol{"production_date", "生产日期/批号日期", "date", "!", ""},
			demoCol{"result", "检验结论", "string", "!", "合格或不合格"},
			demoCol{"failed_items", "不合格项目", "string", "", "合格样品为空"},
			demoCol{"agency", "检验机构", "string", "!", ""},
			demoCol{"announce_date", "公告日期", "date", "!", ""},
		),
		minRows: 200, maxRows: 3000,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			ann := g.eventDate()
			prod := ann.AddDate(0, 0, -g.intIn(20, 200))
			if g.variant == "product" {
				p := [][4]string{
					{"电线电缆", "电线电缆", "BV 2.5mm²", "电缆"}, {"儿童服装", "纺织品", "110cm", "服饰"}, {"电动自行车", "电动自行车", "TDT-48V", "车业"},
					{"家用燃气灶具", "燃气器具", "JZT-2", "燃具"}, {"学生文具（书写笔）", "学生用品", "0.5mm", "文具"}, {"插头插座", "电器附件", "10A 250V", "电器"},
					{"复混肥料", "化肥", "40kg/袋", "肥业"}, {"钢筋混凝土用热轧带肋钢筋", "建筑钢材", "HRB400E Φ16", "钢铁"},
					{"防水卷材", "建筑防水卷材", "SBS Ⅰ 4mm", "建材"}, {"安全帽", "劳动防护用品", "ABS", "防护用品"}, {"汽车轮胎", "轮胎", "205/55R16", "轮胎"},
				}
				x := p[g.intn(len(p))]
				rec[0] = "XC" + strconv.Itoa(ann.Year()%100) + d.Code + g.digits(5)
				rec[1], rec[2], rec[3] = x[0], x[1], x[2]
				rec[4] = g.company(g.city(), x[3], "有限公司")
				rec[5] = c.Short + g.tradeName() + g.pick([]string{"建材商店", "商贸有限公司", "百货商店", "五金机电商行", "电动车经销部"})
				if g.chance(0.08) {
					rec[7] = "不合格"
					rec[8] = g.pick([]string{"导体电阻", "绝缘厚度", "标识和使用说明", "纤维含量", "pH值", "耐磨性能", "总养分", "屈服强度"})
				} else {
					rec[7] = "合格"
					rec[8] = ""
				}
				rec[9] = g.pick([]string{"黑龙江省产品质量检验检测研究院", c.Name + "产品质量检验所", "黑龙江省计量检定测试研究院"})
			} else {
				p := [][4]string{
					{"东北大米", "粮食加工品", "5kg/袋", "米业"}, {"小麦粉", "粮食加工品", "2.5kg/袋", "面业"}, {"大豆油", "食用油、油脂及其制品", "5L/桶", "粮油"},
					{"酿造酱油", "调味品", "500mL/瓶", "酿造"}, {"食醋", "调味品", "420mL/瓶", "酿造"}, {"纯牛奶", "乳制品", "250mL/盒", "乳业"},
					{"风味发酵乳", "乳制品", "200g/袋", "乳业"}, {"红肠", "肉制品", "500g/袋", "肉类食品"}, {"速冻水饺", "速冻食品", "1kg/袋", "食品"},
					{"白酒", "酒类", "500mL/瓶 52%vol", "酒业"}, {"啤酒", "酒类", "500mL/罐", "啤酒"}, {"饮用天然矿泉水", "饮料", "550mL/瓶", "饮品"},
					{"椴树蜜", "蜂产品", "500g/瓶", "蜂业"}, {"黑木耳", "食用农产品", "散装称重", ""}, {"月饼", "糕点", "100g/个", "食品"},
					{"大列巴面包", "糕点", "1kg/个", "食品"}, {"豆腐", "豆制品", "散装称重", "豆制品"}, {"韭菜", "食用农产品", "散装称重", ""},
				}
				x := p[g.intn(len(p))]
				rec[0] = "DC" + strconv.Itoa(ann.Year()%100) + "230000" + g.digits(8)
				rec[1], rec[2], rec[3] = x[0], x[1], x[2]
				if x[3] == "" {
					rec[4] = "/"
				} else {
					rec[4] = g.company(g.city(), x[3], "有限公司")
				}
				rec[5] = c.Short + g.tradeName() + g.pick([]string{"超市有限公司", "食品超市", "农贸市场", "便利店", "商贸有限公司", "百货大楼"})
				if g.chance(0.05) {
					rec[7] = "不合格"
					rec[8] = g.pick([]string{"大肠菌群", "菌落总数", "苯甲酸及其钠盐（以苯甲酸计）", "过氧化值（以脂肪计）", "酸价（KOH）", "铅（以Pb计）", "二氧化硫残留量"})
				} else {
					rec[7] = "合格"
					rec[8] = ""
				}
				rec[9] = g.pick([]string{"黑龙江省食品检验检测所", c.Name + "食品药品检验检测中心", "黑龙江省产品质量检验检测研究院"})
			}
			rec[6] = demoFmtDate(prod)
			rec[10] = demoFmtDate(ann)
		},
	})

	demoRegister("penalty", &demoSchema{
		items: demoItems(
			demoCol{"decision_no", "行政处罚决定书文号", "string", "!", ""},
			demoCol{"party_name", "当事人名称", "string", "!", ""},
			demoCol{"credit_code", "统一社会信用代码", "string", "!", ""},
			demoCol{"legal_rep", "法定代表人", "string", "", ""},
			demoCol{"violation", "违法行为类型", "string", "!", ""},
			demoCol{"basis", "处罚依据", "string", "!", ""},
			demoCol{"penalty_type", "处罚类别", "string", "!", ""},
			demoCol{"fine", "罚款金额(万元)", "number", "!", "未处罚款的为 0"},
			demoCol{"confiscated", "没收违法所得(万元)", "number", "", ""},
			demoCol{"decision_date", "处罚决定日期", "date", "!", ""},
			demoCol{"authority", "处罚机关", "string", "!", ""},
		),
		minRows: 150, maxRows: 3000,
		fill: func(g *demoGen, rec []string) {
			v := g.variant
			if _, ok := demoPenaltyKinds[v]; !ok {
				v = demoPenaltyMix[g.intn(len(demoPenaltyMix))]
			}
			k := demoPenaltyKinds[v]
			c, d := g.place()
			t := g.eventDate()
			ind := demoIndustries[g.intn(len(demoIndustries))]
			rec[0] = c.Abbr + k.abbr + "〔" + strconv.Itoa(t.Year()) + "〕" + strconv.Itoa(1+g.intn(999)) + "号"
			rec[1] = g.company(c, ind.Word, "有限公司")
			rec[2] = g.creditCode("91", d.Code)
			rec[3] = g.person()
			vb := k.viol[g.intn(len(k.viol))]
			rec[4], rec[5] = vb[0], vb[1]
			switch p := g.intn(10); {
			case p < 2:
				rec[6] = "警告"
				rec[7] = "0"
				rec[8] = "0"
			case p < 8:
				rec[6] = "罚款"
				rec[7] = g.skewNum(0.2, 50, 2)
				rec[8] = "0"
			default:
				rec[6] = "没收违法所得、罚款"
				rec[7] = g.skewNum(0.5, 80, 2)
				rec[8] = g.skewNum(0.01, 20, 2)
			}
			rec[9] = demoFmtDate(t)
			rec[10] = demoAuthority(k.level, k.auth, c, d)
		},
	})

	demoRegister("eia", &demoSchema{
		items: demoItems(
			demoCol{"approval_no", "批复文号", "string", "!", ""},
			demoCol{"project_name", "项目名称", "string", "!", ""},
			demoCol{"builder", "建设单位", "string", "!", ""},
			demoCol{"location", "建设地点", "string", "!", ""},
			demoCol{"industry", "行业类别", "string", "", ""},
			demoCol{"total_invest", "总投资(万元)", "number", "", ""},
			demoCol{"env_invest", "环保（水保）投资(万元)", "number", "", ""},
			demoCol{"approval_date", "批复日期", "date", "!", ""},
			demoCol{"authority", "审批部门", "string", "!", ""},
		),
		minRows: 80, maxRows: 1500,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			t := g.eventDate()
			projects := [][2]string{
				{"年产10万吨玉米深加工项目", "淀粉及淀粉制品制造"}, {"热源厂扩建工程", "热力生产和供应"}, {"生活垃圾焚烧发电项目", "生物质能发电"},
				{"城镇污水处理厂提标改造工程", "污水处理及其再生利用"}, {"50MW光伏发电项目", "太阳能发电"}, {"风电场工程", "风力发电"},
				{"乳制品加工项目", "乳制品制造"}, {"物流园区建设项目", "仓储业"}, {"水稻育秧大棚及加工项目", "谷物磨制"},
				{"石墨深加工产业化项目", "石墨及碳素制品制造"}, {"商品混凝土搅拌站项目", "水泥制品制造"},
			}
			p := projects[g.intn(len(projects))]
			name := c.Short + g.tradeName() + "有限公司"
			rec[1] = name[:len(name)-len("有限公司")] + p[0]
			rec[2] = name
			rec[3] = g.address(c, d)
			rec[4] = p[1]
			inv := 500 + 60000*g.r.Float64()*g.r.Float64()
			rec[5] = demoFmtF(inv, 2)
			rec[6] = demoFmtF(inv*(0.01+0.08*g.r.Float64()), 2)
			rec[7] = demoFmtDate(t)
			if g.variant == "soilwater" {
				rec[0] = "黑水保许可〔" + strconv.Itoa(t.Year()) + "〕" + strconv.Itoa(1+g.intn(200)) + "号"
				rec[8] = g.pick([]string{"黑龙江省水利厅", c.Name + "水务局"})
			} else {
				rec[0] = c.Abbr + "环审〔" + strconv.Itoa(t.Year()) + "〕" + strconv.Itoa(1+g.intn(300)) + "号"
				rec[8] = g.pick([]string{"黑龙江省生态环境厅", c.Name + "生态环境局"})
			}
		},
	})

	demoRegister("presale", &demoSchema{
		items: demoItems(
			demoCol{"permit_no", "预售许可证号", "string", "!", ""},
			demoCol{"project_name", "项目名称", "string", "!", ""},
			demoCol{"developer", "开发企业", "string", "!", ""},
			demoCol{"district", "所在区县", "string", "!", ""},
			demoCol{"location", "项目坐落", "string", "!", ""},
			demoCol{"buildings", "预售楼栋", "string", "!", ""},
			demoCol{"area_sqm", "预售面积(平方米)", "number", "!", ""},
			demoCol{"units", "预售套数", "integer", "!", ""},
			demoCol{"issue_date", "发证日期", "date", "!", ""},
		),
		minRows: 80, maxRows: 1500,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			t := g.eventDate()
			rec[0] = c.Abbr + "房预售字〔" + strconv.Itoa(t.Year()) + "〕第" + g.digits(4) + "号"
			w := g.word()
			rec[1] = w + g.pick([]string{"花园", "家园", "华府", "雅苑", "新城", "壹号院", "公馆"}) + g.pick([]string{"", "一期", "二期", "三期"})
			rec[2] = c.Short + w + g.pick([]string{"房地产开发有限公司", "置业有限公司"})
			rec[3] = d.Name
			rec[4] = g.address(c, d)
			nb := 1 + g.intn(4)
			first := 1 + g.intn(20)
			var b strings.Builder
			for k := range nb {
				if k > 0 {
					b.WriteString("、")
				}
				b.WriteString(strconv.Itoa(first+k) + "号楼")
			}
			rec[5] = b.String()
			units := nb * g.intIn(40, 180)
			rec[6] = demoFmtF(float64(units)*(70+60*g.r.Float64()), 2)
			rec[7] = strconv.Itoa(units)
			rec[8] = demoFmtDate(t)
		},
	})

	demoRegister("construction_permit", &demoSchema{
		items: demoItems(
			demoCol{"permit_no", "施工许可证编号", "string", "!", ""},
			demoCol{"project_name", "工程名称", "string", "!", ""},
			demoCol{"builder", "建设单位", "string", "!", ""},
			demoCol{"contractor", "施工单位", "string", "!", ""},
			demoCol{"supervisor", "监理单位", "string", "", ""},
			demoCol{"location", "建设地址", "string", "!", ""},
			demoCol{"area_sqm", "建筑面积(平方米)", "number", "", ""},
			demoCol{"contract_price", "合同价格(万元)", "number", "!", ""},
			demoCol{"planned_start", "计划开工日期", "date", "", ""},
			demoCol{"planned_finish", "计划竣工日期", "date", "", ""},
			demoCol{"issue_date", "发证日期", "date", "!", ""},
		),
		minRows: 100, maxRows: 2500,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			t := g.eventDate()
			rec[0] = d.Code + t.Format("20060102") + g.digits(4)
			rec[1] = g.word() + g.pick([]string{"小区住宅楼", "综合楼", "学校教学楼", "医院门诊楼", "厂房", "物流仓库", "社区服务中心"}) + g.pick([]string{"工程", "新建工程", "改扩建工程"})
			rec[2] = c.Short + g.tradeName() + g.pick([]string{"置业有限公司", "房地产开发有限公司", "投资有限公司"})
			rec[3] = c.Short + g.tradeName() + g.pick([]string{"建筑工程有限公司", "建设集团有限公司"})
			rec[4] = c.Short + g.tradeName() + "工程监理有限公司"
			rec[5] = g.address(c, d)
			area := 1000 + 80000*g.r.Float64()*g.r.Float64()
			rec[6] = demoFmtF(area, 2)
			rec[7] = demoFmtF(area*(0.18+0.12*g.r.Float64()), 2)
			rec[8] = demoFmtDate(t.AddDate(0, 0, g.intIn(3, 40)))
			rec[9] = demoFmtDate(t.AddDate(1+g.intn(2), g.intn(12), 0))
			rec[10] = demoFmtDate(t)
		},
	})
}
