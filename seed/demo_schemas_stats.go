package seed

import (
	"math"
	"strconv"
	"time"
)

// Statistics, finance, culture, projects and reference tables.

func (g *demoGen) prov() bool { return len(g.pool) > 1 }

type demoStatInd struct {
	name, unit string
	base       float64 // province value per period (kind 0/1) or centre (kind 2)
	kind       int     // 0 extensive (scales with region), 1 per-capita/intensive, 2 rate or index
}

type demoStatVariant struct {
	period byte // 'M' month, 'Q' quarter, 'Y' year
	inds   []demoStatInd
}

var demoStatVariants = map[string]demoStatVariant{
	"market":         {'M', []demoStatInd{{"新设市场主体", "户", 26000, 0}, {"新设企业", "户", 8000, 0}, {"实有市场主体", "户", 3200000, 0}}},
	"complaints":     {'M', []demoStatInd{{"受理消费投诉", "件", 9000, 0}, {"受理消费举报", "件", 2500, 0}, {"为消费者挽回经济损失", "万元", 600, 0}}},
	"highway":        {'Y', []demoStatInd{{"公路总里程", "公里", 168000, 0}, {"高速公路里程", "公里", 4600, 0}, {"农村公路里程", "公里", 140000, 0}}},
	"health_service": {'Y', []demoStatInd{{"医疗卫生机构床位数", "张", 280000, 0}, {"总诊疗人次", "万人次", 14000, 0}, {"出院人数", "万人", 520, 0}}},
	"epidemic":       {'M', []demoStatInd{{"甲乙类法定传染病报告发病数", "例", 6000, 0}, {"丙类法定传染病报告发病数", "例", 9000, 0}}},
	"health_staff":   {'Y', []demoStatInd{{"卫生技术人员", "人", 280000, 0}, {"执业（助理）医师", "人", 100000, 0}, {"注册护士", "人", 120000, 0}}},
	"edu":            {'Y', []demoStatInd{{"普通中小学校数", "所", 3600, 0}, {"在校学生数", "人", 2800000, 0}, {"专任教师数", "人", 220000, 0}}},
	"student_aid":    {'Y', []demoStatInd{{"资助学生人次", "人次", 1800000, 0}, {"资助金额", "万元", 550000, 0}}},
	"land_use":       {'Y', []demoStatInd{{"耕地面积", "万亩", 25800, 0}, {"林地面积", "万亩", 38000, 0}, {"草地面积", "万亩", 1700, 0}, {"建设用地面积", "万亩", 2400, 0}}},
	"minerals":       {'Y', []demoStatInd{{"煤炭保有资源量", "亿吨", 210, 0}, {"晶质石墨保有矿物量", "万吨", 35000, 0}, {"岩金保有金属量", "吨", 600, 0}}},
	"pension":        {'Q', []demoStatInd{{"城镇职工基本养老保险参保人数", "万人", 1500, 0}, {"基金收入", "亿元", 450, 0}, {"基金支出", "亿元", 520, 0}}},
	"unemployment":   {'M', []demoStatInd{{"领取失业保险金人数", "人", 90000, 0}, {"失业保险金发放金额", "万元", 16000, 0}}},
	"startup_loan":   {'M', []demoStatInd{{"创业担保贷款发放笔数", "笔", 1500, 0}, {"创业担保贷款发放金额", "万元", 35000, 0}}},
	"subsistence":    {'M', []demoStatInd{{"城市低保对象", "人", 400000, 0}, {"农村低保对象", "人", 700000, 0}, {"低保资金支出", "万元", 70000, 0}}},
	"vehicles":       {'Q', []demoStatInd{{"机动车保有量", "万辆", 750, 0}, {"汽车保有量", "万辆", 620, 0}, {"新注册登记机动车", "辆", 120000, 0}}},
	"drivers":        {'Q', []demoStatInd{{"机动车驾驶人", "万人", 1050, 0}, {"新领证驾驶人", "人", 150000, 0}}},
	"accidents":      {'M', []demoStatInd{{"道路交通事故起数", "起", 300, 0}, {"死亡人数", "人", 80, 0}, {"受伤人数", "人", 330, 0}, {"直接财产损失", "万元", 120, 0}}},
	"population":     {'Y', []demoStatInd{{"户籍人口", "万人", 3600, 0}, {"出生人口", "人", 150000, 0}, {"死亡人口", "人", 280000, 0}}},
	"sown":           {'Y', []demoStatInd{{"粮食作物播种面积", "万亩", 22000, 0}, {"玉米播种面积", "万亩", 9000, 0}, {"水稻播种面积", "万亩", 5500, 0}, {"大豆播种面积", "万亩", 7400, 0}}},
	"livestock":      {'Q', []demoStatInd{{"生猪存栏", "万头", 1350, 0}, {"牛存栏", "万头", 530, 0}, {"家禽存栏", "万只", 15000, 0}}},
	"tourism":        {'M', []demoStatInd{{"接待国内游客", "万人次", 1800, 0}, {"国内旅游收入", "亿元", 180, 0}}},
	"housing_fund":   {'M', []demoStatInd{{"住房公积金缴存额", "亿元", 70, 0}, {"住房公积金提取额", "亿元", 55, 0}, {"个人住房贷款发放额", "亿元", 25, 0}}},
	"gdp":            {'Q', []demoStatInd{{"地区生产总值", "亿元", 4000, 0}, {"第一产业增加值", "亿元", 800, 0}, {"第二产业增加值", "亿元", 1100, 0}, {"第三产业增加值", "亿元", 2100, 0}}},
	"cpi":            {'M', []demoStatInd{{"居民消费价格指数", "上年同月=100", 100.5, 2}, {"食品烟酒类价格指数", "上年同月=100", 100, 2}, {"居住类价格指数", "上年同月=100", 100.3, 2}}},
	"industry":       {'M', []demoStatInd{{"规模以上工业增加值增速", "%", 3.5, 2}, {"规模以上工业企业营业收入", "亿元", 1000, 0}}},
	"fai":            {'M', []demoStatInd{{"固定资产投资增速", "%", 4, 2}, {"房地产开发投资", "亿元", 60, 0}}},
	"retail":         {'M', []demoStatInd{{"社会消费品零售总额", "亿元", 480, 0}, {"网上零售额", "亿元", 60, 0}}},
	"income":         {'Q', []demoStatInd{{"城镇居民人均可支配收入", "元", 9500, 1}, {"农村居民人均可支配收入", "元", 4000, 1}, {"居民人均消费支出", "元", 6200, 1}}},
	"resident":       {'Y', []demoStatInd{{"常住人口", "万人", 3030, 0}, {"城镇化率", "%", 67, 2}}},
	"grain":          {'Y', []demoStatInd{{"粮食总产量", "万吨", 8000, 0}, {"稻谷产量", "万吨", 2900, 0}, {"玉米产量", "万吨", 4200, 0}, {"大豆产量", "万吨", 950, 0}}},
	"tax_revenue":    {'M', []demoStatInd{{"税收收入", "亿元", 110, 0}, {"国内增值税", "亿元", 45, 0}, {"企业所得税", "亿元", 20, 0}, {"个人所得税", "亿元", 6, 0}}},
	"tax_incentive":  {'Q', []demoStatInd{{"新增减税降费及退税缓费", "亿元", 90, 0}, {"享受税费优惠纳税人户数", "户", 350000, 0}}},
	"budget_rev":     {'M', []demoStatInd{{"一般公共预算收入", "亿元", 110, 0}, {"一般公共预算支出", "亿元", 480, 0}}},
	"debt":           {'Y', []demoStatInd{{"政府债务限额", "亿元", 9000, 0}, {"政府债务余额", "亿元", 8600, 0}}},
	"admin_assets":   {'Y', []demoStatInd{{"行政事业单位资产总额", "亿元", 9000, 0}, {"固定资产", "亿元", 3000, 0}, {"负债总额", "亿元", 900, 0}}},
	"medins":         {'Q', []demoStatInd{{"基本医疗保险参保人数", "万人", 3000, 0}, {"职工医保参保人数", "万人", 900, 0}, {"居民医保参保人数", "万人", 2100, 0}}},
	"medfund":        {'M', []demoStatInd{{"医保基金收入", "亿元", 70, 0}, {"医保基金支出", "亿元", 62, 0}}},
	"safety_acc":     {'M', []demoStatInd{{"生产安全事故起数", "起", 40, 0}, {"生产安全事故死亡人数", "人", 35, 0}}},
	"disaster":       {'Y', []demoStatInd{{"受灾人口", "万人次", 150, 0}, {"农作物受灾面积", "千公顷", 600, 0}, {"直接经济损失", "亿元", 40, 0}}},
	"water_res":      {'Y', []demoStatInd{{"水资源总量", "亿立方米", 900, 0}, {"地表水资源量", "亿立方米", 750, 0}, {"用水总量", "亿立方米", 310, 0}}},
	"presale_stats":  {'M', []demoStatInd{{"商品房网签套数", "套", 9000, 0}, {"商品房网签面积", "万平方米", 85, 0}, {"新建商品住宅成交均价", "元/平方米", 7800, 1}}},
	"power":          {'M', []demoStatInd{{"全社会用电量", "亿千瓦时", 95, 0}, {"工业用电量", "亿千瓦时", 50, 0}, {"城乡居民生活用电量", "亿千瓦时", 16, 0}}},
	"settle":         {'M', []demoStatInd{{"医保结算人次", "万人次", 1200, 0}, {"医保基金支付金额", "亿元", 55, 0}}},
	"energy":         {'Y', []demoStatInd{{"能源消费总量", "万吨标准煤", 12000, 0}, {"单位地区生产总值能耗降低率", "%", 3, 2}}},
}

// demoCityShare is a city's share of province totals.
func demoCityShare(c *demoCity) float64 {
	n := 0
	for _, p := range demoProvincePool {
		if p == c {
			n++
		}
	}
	return float64(n) / float64(len(demoProvincePool))
}

type demoStatRegion struct {
	name  string
	share float64
}

func (g *demoGen) statRegions() []demoStatRegion {
	if g.prov() {
		out := []demoStatRegion{{"黑龙江省", 1}}
		for _, c := range demoCities {
			out = append(out, demoStatRegion{c.Name, demoCityShare(c)})
		}
		return out
	}
	c := g.pool[0]
	s := demoCityShare(c)
	out := []demoStatRegion{{c.Name, s}}
	for _, d := range c.Districts {
		out = append(out, demoStatRegion{d.Name, s / float64(len(c.Districts))})
	}
	return out
}

func (g *demoGen) statVariant() demoStatVariant {
	if v, ok := demoStatVariants[g.variant]; ok {
		return v
	}
	return demoStatVariants["market"]
}

// statPeriod returns the label of the p-th most recent complete period
// before the end of the window, and how many years back it lies.
func statPeriod(kind byte, hi time.Time, p int) (string, float64) {
	switch kind {
	case 'M':
		t := time.Date(hi.Year(), hi.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1-p, 0)
		return strconv.Itoa(t.Year()) + "年" + strconv.Itoa(int(t.Month())) + "月", float64(p) / 12
	case 'Q':
		q := (int(hi.Month())-1)/3 - 1 - p // quarters since year start, negative wraps
		y := hi.Year()
		for q < 0 {
			q += 4
			y--
		}
		return strconv.Itoa(y) + "年第" + strconv.Itoa(q+1) + "季度", float64(p) / 4
	default:
		return strconv.Itoa(hi.Year()-1-p) + "年", float64(p)
	}
}

func init() {
	demoRegister("stat", &demoSchema{
		items: demoItems(
			demoCol{"region", "地区", "string", "!", ""},
			demoCol{"period", "统计期", "string", "!", "如 2025年10月、2025年第3季度、2025年"},
			demoCol{"indicator", "指标名称", "string", "!", ""},
			demoCol{"value", "指标值", "number", "!", ""},
			demoCol{"unit", "计量单位", "string", "!", ""},
			demoCol{"yoy_pct", "同比增长(%)", "number", "", "指数与增速类指标为空"},
		),
		rows: func(g *demoGen) int {
			v := g.statVariant()
			per := len(v.inds) * len(g.statRegions())
			maxP := map[byte]int{'M': 36, 'Q': 12, 'Y': 10}[v.period]
			minP := (50 + per - 1) / per
			return per * g.intIn(minP, max(minP, maxP))
		},
		fill: func(g *demoGen, rec []string) {
			v := g.statVariant()
			regions := g.statRegions()
			ni := len(v.inds)
			ind := v.inds[g.i%ni]
			reg := regions[(g.i/ni)%len(regions)]
			p := g.i / (ni * len(regions))
			label, yearsBack := statPeriod(v.period, g.hi, p)
			growth := 0.02 + 0.04*float64(demoHash(ind.name)%100)/100
			rec[0] = reg.name
			rec[1] = label
			rec[2] = ind.name
			rec[4] = ind.unit
			switch ind.kind {
			case 2:
				rec[3] = demoFmtF(ind.base+(g.r.Float64()*2-1)*1.5, 1)
				rec[5] = ""
			default:
				val := ind.base / math.Pow(1+growth, yearsBack) * (0.95 + 0.1*g.r.Float64())
				if ind.kind == 0 {
					val *= reg.share
				}
				prec := 2
				switch ind.unit {
				case "户", "件", "人", "人次", "张", "所", "笔", "起", "例", "辆", "套", "元/平方米":
					prec = 0
				}
				rec[3] = demoFmtF(val, prec)
				rec[5] = demoFmtF(growth*100+(g.r.Float64()*2-1)*2, 1)
			}
		},
	})

	demoRegister("region_code", &demoSchema{
		items: demoItems(
			demoCol{"code", "区划代码", "string", "!", "GB/T 2260 六位代码"},
			demoCol{"name", "名称", "string", "!", ""},
			demoCol{"level", "级别", "string", "!", "省级、地级、县级"},
			demoCol{"parent_code", "上级区划代码", "string", "", ""},
			demoCol{"full_name", "完整名称", "string", "!", ""},
		),
		rows: func(g *demoGen) int { return 1 + len(demoCities) + demoDistrictCount() },
		fill: func(g *demoGen, rec []string) {
			i := g.i
			if i == 0 {
				rec[0], rec[1], rec[2], rec[3], rec[4] = "230000", "黑龙江省", "省级", "", "黑龙江省"
				return
			}
			i--
			for _, c := range demoCities {
				if i == 0 {
					rec[0], rec[1], rec[2], rec[3], rec[4] = c.Code, c.Name, "地级", "230000", "黑龙江省"+c.Name
					return
				}
				i--
				if i < len(c.Districts) {
					d := c.Districts[i]
					rec[0], rec[1], rec[2], rec[3], rec[4] = d.Code, d.Name, "县级", c.Code, "黑龙江省"+c.Name+d.Name
					return
				}
				i -= len(c.Districts)
			}
		},
	})

	demoRegister("place_name", &demoSchema{
		items: demoItems(
			demoCol{"name", "标准名称", "string", "!", ""},
			demoCol{"category", "地名类别", "string", "!", ""},
			demoCol{"district", "所在区县", "string", "!", ""},
			demoCol{"longitude", "经度", "number", "", ""},
			demoCol{"latitude", "纬度", "number", "", ""},
			demoCol{"origin", "名称由来", "string", "", ""},
			demoCol{"approved_date", "命名（更名）日期", "date", "", ""},
		),
		minRows: 300, maxRows: 4000,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			w := g.word()
			cat := g.pick([]string{"街路巷", "住宅区", "桥梁", "广场", "公园", "自然村"})
			switch cat {
			case "街路巷":
				rec[0] = w + g.pick([]string{"路", "街", "大街", "胡同"})
			case "住宅区":
				rec[0] = w + g.pick([]string{"小区", "家园", "花园"})
			case "桥梁":
				rec[0] = w + "桥"
			case "广场":
				rec[0] = w + "广场"
			case "公园":
				rec[0] = w + "公园"
			default:
				rec[0] = w + g.pick([]string{"屯", "村", "窝棚"})
			}
			rec[1] = cat
			rec[2] = c.Name + d.Name
			rec[3], rec[4] = g.lonLat(c, 0.2)
			rec[5] = g.pick([]string{"以附近地理实体命名", "寓意美好，取吉祥之意", "沿用历史地名", "因驻地得名", "以方位命名"})
			rec[6] = demoFmtDate(g.pastDate(1985))
		},
	})

	demoRegister("heritage", &demoSchema{
		items: demoItems(
			demoCol{"project_no", "编号", "string", "!", ""},
			demoCol{"name", "名称", "string", "!", ""},
			demoCol{"category", "类别", "string", "!", ""},
			demoCol{"level", "级别", "string", "!", ""},
			demoCol{"region", "所在地区", "string", "!", ""},
			demoCol{"batch", "公布批次", "integer", "", ""},
			demoCol{"approved_year", "公布年份", "integer", "", ""},
			demoCol{"protect_unit", "保护单位", "string", "", ""},
		),
		minRows: 80, maxRows: 1200,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			w := g.word()
			batch := 1 + g.intn(8)
			if g.variant == "ich" {
				cats := [][2]string{{"民间文学", "传说"}, {"传统音乐", "鼓乐"}, {"传统舞蹈", "秧歌"}, {"传统戏剧", "皮影戏"}, {"曲艺", "二人转"},
					{"传统体育、游艺与杂技", "冰嬉"}, {"传统美术", "剪纸"}, {"传统技艺", "酿造技艺"}, {"传统医药", "正骨疗法"}, {"民俗", "庙会"}}
				x := cats[g.intn(len(cats))]
				rec[0] = "HLJ-" + []string{"Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "Ⅵ", "Ⅶ", "Ⅷ", "Ⅸ", "Ⅹ"}[g.intn(10)] + "-" + g.digits(3)
				rec[1] = w + x[1]
				rec[2] = x[0]
				rec[3] = g.pick([]string{"省级", "省级", "市级", "县级", "国家级"})
				rec[7] = c.Name + d.Name + "文化馆"
			} else {
				kinds := [][2]string{{"古遗址", "遗址"}, {"古墓葬", "古墓群"}, {"古建筑", "古建筑群"}, {"近现代重要史迹及代表性建筑", "旧址"}, {"近现代重要史迹及代表性建筑", "教堂"}, {"石窟寺及石刻", "摩崖石刻"}}
				x := kinds[g.intn(len(kinds))]
				rec[0] = c.Code[:4] + "-" + g.digits(4)
				rec[1] = w + x[1]
				rec[2] = x[0]
				rec[3] = g.pick([]string{"全国重点文物保护单位", "省级文物保护单位", "省级文物保护单位", "市县级文物保护单位"})
				rec[7] = c.Name + d.Name + "文物管理所"
			}
			rec[4] = c.Name + d.Name
			rec[5] = strconv.Itoa(batch)
			rec[6] = strconv.Itoa(1980 + batch*5 + g.intn(4))
		},
	})

	demoRegister("scenic", &demoSchema{
		items: demoItems(
			demoCol{"name", "景区名称", "string", "!", ""},
			demoCol{"level", "等级", "string", "!", "1A至5A"},
			demoCol{"city", "所在城市", "string", "!", ""},
			demoCol{"address", "地址", "string", "!", ""},
			demoCol{"longitude", "经度", "number", "", ""},
			demoCol{"latitude", "纬度", "number", "", ""},
			demoCol{"ticket_price", "门票价格(元)", "number", "", "免费为 0"},
			demoCol{"open_hours", "开放时间", "string", "", ""},
			demoCol{"phone", "咨询电话", "string", "", ""},
			demoCol{"rated_date", "评定日期", "date", "", ""},
		),
		minRows: 60, maxRows: 600,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			rec[0] = c.Short + g.word() + g.pick([]string{"国家森林公园", "湿地公园", "风景区", "滑雪场", "民俗村", "生态园", "温泉度假区", "文化旅游区"})
			rec[1] = g.pick([]string{"5A", "4A", "4A", "3A", "3A", "3A", "2A", "1A"})
			rec[2] = c.Name
			rec[3] = g.address(c, d)
			rec[4], rec[5] = g.lonLat(c, 0.5)
			if g.chance(0.3) {
				rec[6] = "0"
			} else {
				rec[6] = strconv.Itoa(g.intIn(2, 24) * 10)
			}
			rec[7] = g.pick([]string{"8:00-17:00", "8:30-16:30（冬季 9:00-16:00）", "全天开放", "9:00-21:00"})
			rec[8] = g.phone(c)
			rec[9] = demoFmtDate(g.pastDate(2002))
		},
	})

	demoRegister("project", &demoSchema{
		items: demoItems(
			demoCol{"project_code", "项目代码", "string", "!", ""},
			demoCol{"project_name", "项目名称", "string", "!", ""},
			demoCol{"owner", "项目单位", "string", "!", ""},
			demoCol{"location", "建设地点", "string", "!", ""},
			demoCol{"scale", "建设规模及内容", "string", "", ""},
			demoCol{"invest", "总投资(万元)", "number", "!", ""},
			demoCol{"start_date", "开工（立项）日期", "date", "", ""},
			demoCol{"planned_finish", "计划完成日期", "date", "", ""},
			demoCol{"status", "建设状态", "string", "!", "前期、在建、完工"},
		),
		minRows: 80, maxRows: 1500,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			t := g.eventDate()
			rec[0] = strconv.Itoa(t.Year()) + "-" + d.Code + "-" + g.pick([]string{"01", "47", "48", "76", "78"}) + "-0" + strconv.Itoa(1+g.intn(3)) + "-" + g.digits(6)
			rec[3] = c.Name + d.Name
			var inv float64
			switch g.variant {
			case "farmland":
				mu := g.intIn(5, 60) * 1000
				rec[1] = d.Name + strconv.Itoa(t.Year()) + "年高标准农田建设项目（" + g.word() + "片区）"
				rec[2] = c.Name + d.Name + "农业农村局"
				rec[4] = "建设高标准农田 " + strconv.Itoa(mu) + " 亩，配套灌排、田间道路等工程"
				inv = float64(mu) * 0.2
			case "renovation":
				hh := g.intIn(120, 2500)
				rec[1] = d.Name + g.word() + "小区老旧小区改造项目"
				rec[2] = c.Name + d.Name + "住房和城乡建设局"
				rec[4] = "改造楼栋 " + strconv.Itoa(hh/60+1) + " 栋，惠及居民 " + strconv.Itoa(hh) + " 户"
				inv = float64(hh) * (2 + 3*g.r.Float64())
			case "housing":
				units := g.intIn(100, 1500)
				rec[1] = c.Short + g.word() + "保障性租赁住房项目"
				rec[2] = c.Short + g.tradeName() + "城市建设投资有限公司"
				rec[4] = "筹集房源 " + strconv.Itoa(units) + " 套"
				inv = float64(units) * (15 + 15*g.r.Float64())
			case "research":
				rec[1] = g.pick([]string{"寒地黑土", "大豆高产", "冰雪装备", "石墨烯材料", "寒区道路", "智慧农业", "北药开发", "冷链物流"}) +
					g.pick([]string{"关键技术研究", "应用示范", "产业化技术攻关", "基础理论研究"})
				rec[2] = "黑龙江" + g.word() + g.pick([]string{"大学", "学院", "研究院"})
				rec[4] = "研究周期 " + strconv.Itoa(2+g.intn(2)) + " 年"
				inv = 20 + 500*g.r.Float64()*g.r.Float64()
			case "watersupply":
				rec[1] = d.Name + strconv.Itoa(t.Year()) + "年农村供水保障工程"
				rec[2] = c.Name + d.Name + "水务局"
				rec[4] = "新建改造供水管网 " + strconv.Itoa(g.intIn(20, 300)) + " 公里，受益人口 " + strconv.Itoa(g.intIn(5, 80)) + " 千人"
				inv = 500 + 8000*g.r.Float64()
			default: // key projects
				rec[1] = c.Short + g.tradeName() + g.pick([]string{"年产10万吨玉米深加工项目", "绿色食品产业园项目", "风电场项目", "光伏发电项目", "石墨深加工项目", "冷链物流园项目", "数据中心项目", "生物医药产业园项目"})
				rec[2] = c.Short + g.tradeName() + g.pick([]string{"实业有限公司", "新能源有限公司", "投资有限公司", "生物科技有限公司"})
				rec[4] = g.pick([]string{"新建生产线及配套设施", "新建厂房及仓储设施", "装机容量 100MW", "建设冷库 5 万吨"})
				inv = 5000 + 300000*g.r.Float64()*g.r.Float64()
			}
			rec[5] = demoFmtF(inv, 2)
			rec[6] = demoFmtDate(t)
			rec[7] = demoFmtDate(t.AddDate(1+g.intn(3), 0, 0))
			switch {
			case t.Before(g.hi.AddDate(-2, 0, 0)):
				rec[8] = "完工"
			case g.chance(0.2):
				rec[8] = "前期"
			default:
				rec[8] = "在建"
			}
		},
	})

	demoRegister("budget", &demoSchema{
		items: demoItems(
			demoCol{"year", "年度", "integer", "!", ""},
			demoCol{"dept_name", "部门名称", "string", "!", ""},
			demoCol{"item_code", "科目编码", "string", "!", "政府收支分类科目"},
			demoCol{"item_name", "科目名称", "string", "!", ""},
			demoCol{"amount", "金额(万元)", "number", "!", ""},
			demoCol{"prev_amount", "上年金额(万元)", "number", "", ""},
			demoCol{"change_pct", "增减(%)", "number", "", ""},
		),
		minRows: 200, maxRows: 2000,
		fill: func(g *demoGen, rec []string) {
			items := [][2]string{{"2010101", "行政运行"}, {"2010102", "一般行政管理事务"}, {"2010150", "事业运行"}, {"2080501", "行政单位离退休"},
				{"2080505", "机关事业单位基本养老保险缴费支出"}, {"2101101", "行政单位医疗"}, {"2210201", "住房公积金"}, {"2010199", "其他政府办公厅（室）及相关机构事务支出"}}
			depts := []string{"黑龙江省教育厅", "黑龙江省卫生健康委员会", "黑龙江省交通运输厅", "黑龙江省民政厅", "黑龙江省生态环境厅", "黑龙江省自然资源厅",
				"黑龙江省农业农村厅", "黑龙江省文化和旅游厅", "黑龙江省住房和城乡建设厅", "黑龙江省市场监督管理局", "黑龙江省统计局", "黑龙江省水利厅",
				"黑龙江省应急管理厅", "黑龙江省医疗保障局", "黑龙江省人力资源和社会保障厅", "黑龙江省发展和改革委员会"}
			it := items[g.i%len(items)]
			dept := depts[(g.i/len(items))%len(depts)]
			year := g.hi.Year() - g.i/(len(items)*len(depts))
			if g.variant == "final" {
				year--
			}
			prev := 30 + 8000*g.r.Float64()*g.r.Float64()
			cur := prev * (0.85 + 0.3*g.r.Float64())
			rec[0] = strconv.Itoa(year)
			rec[1] = dept
			rec[2] = it[0]
			rec[3] = it[1]
			rec[4] = demoFmtF(cur, 2)
			rec[5] = demoFmtF(prev, 2)
			rec[6] = demoFmtF((cur/prev-1)*100, 2)
		},
	})

	demoRegister("procurement", &demoSchema{
		items: demoItems(
			demoCol{"project_no", "项目编号", "string", "!", ""},
			demoCol{"project_name", "项目名称", "string", "!", ""},
			demoCol{"purchaser", "采购人", "string", "!", ""},
			demoCol{"agency", "采购代理机构", "string", "", ""},
			demoCol{"supplier", "中标（成交）供应商", "string", "!", ""},
			demoCol{"supplier_credit_code", "供应商统一社会信用代码", "string", "!", ""},
			demoCol{"amount", "中标（成交）金额(万元)", "number", "!", ""},
			demoCol{"method", "采购方式", "string", "!", ""},
			demoCol{"category", "采购品目类别", "string", "!", "货物、工程、服务"},
			demoCol{"award_date", "公告日期", "date", "!", ""},
		),
		minRows: 300, maxRows: 4000,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			t := g.eventDate()
			cat := g.pick([]string{"货物", "工程", "服务"})
			rec[0] = "[" + c.Code + "]" + g.pick([]string{"HLJZC", "HLJGK", "HLJCS"}) + "[" + strconv.Itoa(t.Year()) + "]" + g.digits(5)
			switch cat {
			case "货物":
				rec[1] = c.Name + g.pick([]string{"教育局", "卫生健康委员会", "公安局", "图书馆", "人民医院"}) + g.pick([]string{"信息化设备采购项目", "办公家具采购项目", "医疗设备采购项目", "教学设备采购项目"})
			case "工程":
				rec[1] = c.Name + d.Name + g.word() + g.pick([]string{"道路维修工程", "供热管网改造工程", "学校校舍维修工程", "排水管网改造工程"})
			default:
				rec[1] = c.Name + g.pick([]string{"物业管理服务项目", "信息系统运维服务项目", "法律顾问服务项目", "审计服务项目", "保洁服务项目"})
			}
			rec[2] = c.Name + g.pick([]string{"教育局", "卫生健康委员会", "住房和城乡建设局", "城市管理局", "公安局", "人民医院", "第一中学"})
			rec[3] = c.Short + g.tradeName() + "招标代理有限公司"
			rec[4] = c.Short + g.tradeName() + g.pick([]string{"科技有限公司", "建筑工程有限公司", "物业服务有限公司", "医疗器械有限公司", "信息技术有限公司"})
			rec[5] = g.creditCode("91", d.Code)
			rec[6] = g.skewNum(5, 3000, 2)
			rec[7] = g.pick([]string{"公开招标", "公开招标", "竞争性磋商", "竞争性谈判", "询价", "单一来源"})
			rec[8] = cat
			rec[9] = demoFmtDate(t)
		},
	})

	demoRegister("price_std", &demoSchema{
		items: demoItems(
			demoCol{"item_code", "项目编码", "string", "!", ""},
			demoCol{"item_name", "项目名称", "string", "!", ""},
			demoCol{"spec", "项目内涵/规格", "string", "", ""},
			demoCol{"unit", "计价单位", "string", "!", ""},
			demoCol{"price", "价格(元)", "number", "!", ""},
			demoCol{"price_type", "价格管理形式", "string", "!", "政府定价或政府指导价"},
			demoCol{"region", "适用地区", "string", "!", ""},
			demoCol{"effective_date", "执行日期", "date", "!", ""},
		),
		minRows: 60, maxRows: 1500,
		fill: func(g *demoGen, rec []string) {
			type item struct {
				code, name, spec, unit string
				price                  float64
			}
			items := []item{{"P01", "居民生活用水", "第一阶梯", "元/立方米", 2.9}, {"P02", "居民生活用电", "第一档", "元/千瓦时", 0.51},
				{"P03", "居民管道天然气", "第一阶梯", "元/立方米", 3.0}, {"P04", "居民集中供热", "按建筑面积", "元/平方米·采暖期", 33},
				{"P05", "公办幼儿园保育教育费", "省级示范园", "元/月", 900}, {"P06", "路内停车收费", "一类区域首小时", "元/小时", 4},
				{"P07", "城市公共汽车票价", "普通车", "元/人次", 1}, {"P08", "殡葬基本服务", "遗体火化", "元/具", 300}}
			if g.variant == "med" {
				items = []item{{"110200001", "普通门诊诊查费", "三级医院", "次", 10}, {"110200002", "副主任医师诊查费", "三级医院", "次", 20},
					{"120100001", "床位费（普通病房）", "三人间", "床日", 35}, {"250101001", "血常规检查", "五分类", "次", 20},
					{"210300001", "X线计算机体层（CT）平扫", "每部位", "次", 120}, {"120400001", "静脉输液", "第一组", "组", 6},
					{"310100001", "脑电图", "常规", "次", 60}, {"330100001", "全身麻醉", "2小时内", "次", 650}}
			}
			it := items[g.i%len(items)]
			regions := []string{"黑龙江省"}
			for _, c := range demoCities {
				regions = append(regions, c.Name)
			}
			r := g.i / len(items) % len(regions)
			rec[0] = it.code
			rec[1] = it.name
			rec[2] = it.spec
			rec[3] = it.unit
			rec[4] = demoFmtF(it.price*(0.85+0.3*g.r.Float64()), 2)
			if g.chance(0.5) {
				rec[5] = "政府定价"
			} else {
				rec[5] = "政府指导价"
			}
			rec[6] = regions[r]
			rec[7] = demoFmtDate(g.pastDate(2018))
		},
	})
}
