package seed

import (
	"strconv"
	"strings"
	"time"
)

// demoDirKind is one kind of organisation directory (名录).
type demoDirKind struct {
	suffixes []string
	credit   string
	scopes   []string
}

var demoDirKinds = map[string]demoDirKind{
	"online":        {[]string{"电子商务有限公司", "网络科技有限公司", "电商产业园有限公司"}, "91", []string{"网络交易平台服务", "互联网销售（除销售需要许可的商品）", "直播电商服务"}},
	"repair":        {[]string{"汽车维修有限公司", "汽车服务有限公司", "汽车修理厂"}, "91", []string{"一类机动车维修（小型车辆维修）", "二类机动车维修（大中型货车维修）", "三类机动车维修（汽车快修）", "摩托车维修"}},
	"drivingschool": {[]string{"驾驶员培训学校有限公司", "机动车驾驶员培训有限公司", "驾校"}, "91", []string{"普通机动车驾驶员培训（C1、C2）", "大型客货车驾驶员培训（A2、B2）", "摩托车驾驶员培训"}},
	"taxi":          {[]string{"出租汽车有限公司", "客运出租汽车有限责任公司", "出租车服务有限公司"}, "91", []string{"巡游出租汽车客运", "汽车租赁"}},
	"occhealth":     {[]string{"职业病防治院", "医院职业健康体检中心", "健康管理中心"}, "12", []string{"接触粉尘类职业健康检查", "接触化学因素类职业健康检查", "接触物理因素类职业健康检查", "接触放射因素类职业健康检查"}},
	"training":      {[]string{"培训学校", "艺术培训中心", "教育培训学校"}, "52", []string{"文化教育培训（非学科类）", "艺术类培训", "体育类培训", "科技类培训"}},
	"hrservice":     {[]string{"人力资源服务有限公司", "人才服务有限公司", "劳务派遣有限公司"}, "91", []string{"职业中介活动", "劳务派遣服务", "人力资源外包", "人才测评", "招聘会组织"}},
	"skilltraining": {[]string{"职业技能培训学校", "职业培训学校", "技工培训中心"}, "52", []string{"电工", "焊工", "育婴员", "中式烹调师", "养老护理员", "保育师", "农业经理人"}},
	"intern":        {[]string{"科技有限公司", "医药有限公司", "商贸有限公司", "信息技术有限公司", "食品有限公司"}, "91", []string{"行政管理见习岗位", "财务会计见习岗位", "软件开发见习岗位", "市场营销见习岗位", "生产技术见习岗位"}},
	"funeral":       {[]string{"殡仪馆", "公墓", "殡葬服务有限公司", "生命纪念园"}, "12", []string{"遗体接运", "遗体火化", "骨灰寄存", "公益性墓位安葬", "殡仪服务"}},
	"security":      {[]string{"保安服务有限公司", "保安服务集团有限公司"}, "91", []string{"门卫", "巡逻", "守护", "押运", "安全技术防范"}},
	"green":         {[]string{"米业有限公司", "食品有限公司", "农业发展有限公司", "有机农业有限公司"}, "91", []string{"绿色食品大米", "绿色食品大豆", "绿色食品鲜食玉米", "有机黑木耳", "绿色食品杂粮"}},
	"travel":        {[]string{"国际旅行社有限公司", "旅行社有限公司", "旅游服务有限公司"}, "91", []string{"国内旅游业务", "入境旅游业务", "出境旅游业务（不含赴台游）"}},
	"property":      {[]string{"物业服务有限公司", "物业管理有限公司"}, "91", []string{"住宅物业管理", "商业物业管理", "停车场服务", "保洁服务"}},
	"survey":        {[]string{"测绘有限公司", "勘测规划设计有限公司", "地理信息技术有限公司"}, "91", []string{"工程测量（乙级）", "不动产测绘（乙级）", "地理信息系统工程（丙级）", "摄影测量与遥感（乙级）"}},
	"watersupply":   {[]string{"供水有限公司", "自来水有限责任公司", "水务有限公司"}, "91", []string{"自来水生产与供应", "二次供水设施管理", "污水处理"}},
	"taxagent":      {[]string{"税务师事务所有限公司", "税务师事务所（普通合伙）"}, "91", []string{"涉税鉴证", "纳税申报代理", "税务咨询"}},
	"procureagent":  {[]string{"招标代理有限公司", "工程咨询有限公司", "项目管理有限公司"}, "91", []string{"政府采购代理（货物）", "政府采购代理（服务）", "政府采购代理（工程）"}},
	"accounting":    {[]string{"会计师事务所（普通合伙）", "会计师事务所有限责任公司"}, "91", []string{"审计业务", "资产评估咨询", "会计咨询"}},
	"agriservice":   {[]string{"农机服务专业合作社", "农业社会化服务有限公司", "植保服务专业合作社"}, "93", []string{"农机作业", "统防统治", "代耕代种", "秸秆还田", "粮食烘干"}},
	"bigindustry":   {[]string{"机械制造有限公司", "食品有限公司", "化工有限公司", "电力设备有限公司", "石化装备有限公司", "建材有限公司"}, "91", []string{"农副食品加工业", "通用设备制造业", "化学原料和化学制品制造业", "电气机械和器材制造业", "非金属矿物制品业"}},
	"rescue":        {[]string{"矿山救护队", "应急救援有限公司", "危化品应急救援队"}, "12", []string{"矿山救援", "危险化学品救援", "森林灭火", "水域救援", "城市搜救"}},
}

// demoPoiKind is one kind of service location.
type demoPoiKind struct {
	name  func(g *demoGen, c *demoCity, d demoDistrict) string
	cats  []string
	hours []string
}

var demoOfficeHours = []string{"周一至周五 8:30-12:00，13:30-17:00", "周一至周五 9:00-17:00", "工作日 8:30-17:00，周六 9:00-12:00"}

var demoPoiKinds = map[string]demoPoiKind{
	"service_area": {func(g *demoGen, c *demoCity, d demoDistrict) string {
		return demoTrimAdmin(d.Name) + g.word() + "服务区"
	},
		[]string{"哈同高速", "绥满高速", "京哈高速", "鹤大高速", "哈伊高速", "大广高速", "吉黑高速"}, []string{"24小时"}},
	"port": {func(g *demoGen, c *demoCity, d demoDistrict) string {
		return c.Short + g.word() + g.pick([]string{"港区", "码头", "作业区"})
	},
		[]string{"松花江", "黑龙江", "乌苏里江", "嫩江"}, []string{"通航期（4月中旬至11月上旬）"}},
	"parking": {func(g *demoGen, c *demoCity, d demoDistrict) string {
		return g.word() + g.pick([]string{"广场", "医院", "商厦", "公园", "小区"}) + "公共停车场"
	},
		[]string{"路外公共停车场", "立体停车库", "路内停车泊位"}, []string{"24小时", "7:00-22:00"}},
	"vaccination": {func(g *demoGen, c *demoCity, d demoDistrict) string {
		return d.Name + g.word() + "社区卫生服务中心预防接种门诊"
	}, []string{"预防接种门诊", "产科接种室", "狂犬病暴露预防处置门诊"}, []string{"周一至周五 8:30-11:30，13:30-16:00", "周二、周四、周六 8:30-16:00"}},
	"blood": {func(g *demoGen, c *demoCity, d demoDistrict) string { return c.Short + g.word() + "献血屋" },
		[]string{"固定献血屋", "流动献血车停靠点"}, []string{"9:00-17:00", "8:30-16:30（节假日照常）"}},
	"ambulance": {func(g *demoGen, c *demoCity, d demoDistrict) string {
		return c.Name + "急救中心" + g.word() + "分站"
	},
		[]string{"院前急救分站"}, []string{"24小时"}},
	"library": {func(g *demoGen, c *demoCity, d demoDistrict) string {
		return g.pick([]string{c.Name + d.Name + "图书馆", c.Name + d.Name + g.word() + "街道图书分馆", c.Short + g.word() + "城市书房"})
	}, []string{"公共图书馆", "图书分馆", "城市书房"}, []string{"周二至周日 9:00-17:00", "9:00-21:00"}},
	"museum": {func(g *demoGen, c *demoCity, d demoDistrict) string {
		return c.Short + g.word() + g.pick([]string{"博物馆", "纪念馆", "民俗馆", "美术馆"})
	}, []string{"综合类", "历史类", "艺术类", "行业类"}, []string{"周二至周日 9:00-16:30（周一闭馆）"}},
	"police": {func(g *demoGen, c *demoCity, d demoDistrict) string {
		return c.Name + "公安局" + demoTrimAdmin(d.Name) + "分局" + g.word() + "派出所"
	}, []string{"城区派出所", "乡镇派出所"}, []string{"24小时（户籍业务：周一至周五 8:30-17:00）"}},
	"traffic_office": {func(g *demoGen, c *demoCity, d demoDistrict) string {
		return c.Name + "公安局交通警察支队" + demoTrimAdmin(d.Name) + "大队违法处理窗口"
	}, []string{"交通违法处理", "车驾管业务"}, demoOfficeHours},
	"exit_entry": {func(g *demoGen, c *demoCity, d demoDistrict) string {
		return c.Name + "公安局出入境管理支队" + d.Name + "受理点"
	}, []string{"出入境证件受理"}, demoOfficeHours},
	"social_insurance": {func(g *demoGen, c *demoCity, d demoDistrict) string {
		return c.Name + d.Name + "社会保险经办服务大厅"
	}, []string{"养老保险", "失业保险", "工伤保险"}, demoOfficeHours},
	"marriage": {func(g *demoGen, c *demoCity, d demoDistrict) string { return c.Name + d.Name + "婚姻登记处" },
		[]string{"婚姻登记机关"}, []string{"周一至周五 8:30-16:30（法定节假日除外）"}},
	"community": {func(g *demoGen, c *demoCity, d demoDistrict) string {
		return d.Name + g.word() + "社区综合服务中心"
	}, []string{"社区综合服务设施", "社区养老服务驿站", "社区食堂"}, []string{"8:00-18:00", "周一至周六 8:30-17:00"}},
	"tax_hall": {func(g *demoGen, c *demoCity, d demoDistrict) string {
		return "国家税务总局" + c.Name + d.Name + "税务局" + g.word() + "办税服务厅"
	}, []string{"办税服务厅", "自助办税点"}, demoOfficeHours},
	"realestate": {func(g *demoGen, c *demoCity, d demoDistrict) string {
		return c.Name + "不动产登记中心" + d.Name + "分中心"
	}, []string{"不动产登记受理"}, demoOfficeHours},
	"medins_office": {func(g *demoGen, c *demoCity, d demoDistrict) string {
		return c.Name + d.Name + "医疗保障服务中心"
	}, []string{"医保经办"}, demoOfficeHours},
	"sports": {func(g *demoGen, c *demoCity, d demoDistrict) string {
		return c.Name + g.word() + g.pick([]string{"中学", "小学", "实验学校"}) + "体育场"
	}, []string{"学校体育场地（向社会开放）"}, []string{"工作日 17:30-20:00；节假日 6:00-20:00", "周末及寒暑假 6:00-19:00"}},
	"funeral": {func(g *demoGen, c *demoCity, d demoDistrict) string { return c.Name + g.word() + "殡仪馆" },
		[]string{"殡仪馆"}, []string{"24小时"}},
}

func init() {
	demoRegister("directory", &demoSchema{
		items: demoItems(
			demoCol{"name", "机构名称", "string", "!", ""},
			demoCol{"credit_code", "统一社会信用代码", "string", "!", ""},
			demoCol{"legal_rep", "法定代表人（负责人）", "string", "!", ""},
			demoCol{"district", "所在区县", "string", "!", ""},
			demoCol{"address", "地址", "string", "!", ""},
			demoCol{"phone", "联系电话", "string", "", ""},
			demoCol{"established", "成立日期", "date", "", ""},
			demoCol{"scope", "业务范围", "string", "!", ""},
		),
		minRows: 60, maxRows: 2500,
		fill: func(g *demoGen, rec []string) {
			k, ok := demoDirKinds[g.variant]
			if !ok {
				k = demoDirKinds["intern"]
			}
			c, d := g.place()
			if k.suffixes == nil {
				// ordinary enterprises of any industry
				ind := demoIndustries[g.intn(len(demoIndustries))]
				et := demoEntTypes[g.intn(len(demoEntTypes))]
				rec[0] = g.company(c, ind.Word, et.Suffix)
				rec[7] = ind.Scope
			} else {
				rec[0] = c.Short + g.tradeName() + g.pick(k.suffixes)
				rec[7] = g.pickN(k.scopes, 1+g.intn(3), "；")
			}
			rec[1] = g.creditCode(k.credit, d.Code)
			rec[2] = g.person()
			rec[3] = d.Name
			rec[4] = g.address(c, d)
			rec[5] = g.phone(c)
			rec[6] = demoFmtDate(g.pastDate(1998))
		},
	})

	demoRegister("poi", &demoSchema{
		items: demoItems(
			demoCol{"name", "名称", "string", "!", ""},
			demoCol{"category", "类别", "string", "!", ""},
			demoCol{"district", "所在区县", "string", "!", ""},
			demoCol{"address", "地址", "string", "!", ""},
			demoCol{"longitude", "经度", "number", "!", "WGS84 经度"},
			demoCol{"latitude", "纬度", "number", "!", "WGS84 纬度"},
			demoCol{"phone", "联系电话", "string", "", ""},
			demoCol{"open_hours", "开放（办公）时间", "string", "", ""},
		),
		minRows: 50, maxRows: 1200,
		fill: func(g *demoGen, rec []string) {
			k, ok := demoPoiKinds[g.variant]
			if !ok {
				k = demoPoiKinds["community"]
			}
			c, d := g.place()
			rec[0] = k.name(g, c, d)
			rec[1] = g.pick(k.cats)
			rec[2] = d.Name
			rec[3] = g.address(c, d)
			rec[4], rec[5] = g.lonLat(c, 0.12)
			rec[6] = g.phone(c)
			rec[7] = g.pick(k.hours)
		},
	})

	demoRegister("shelter", &demoSchema{
		items: demoItems(
			demoCol{"name", "避难场所名称", "string", "!", ""},
			demoCol{"type", "场所类型", "string", "!", ""},
			demoCol{"district", "所在区县", "string", "!", ""},
			demoCol{"address", "地址", "string", "!", ""},
			demoCol{"longitude", "经度", "number", "!", ""},
			demoCol{"latitude", "纬度", "number", "!", ""},
			demoCol{"area_sqm", "有效避难面积(平方米)", "number", "!", ""},
			demoCol{"capacity", "可容纳人数", "integer", "!", ""},
			demoCol{"facilities", "配套设施", "string", "", ""},
			demoCol{"manager", "管理单位", "string", "", ""},
		),
		minRows: 50, maxRows: 800,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			w := g.word()
			kind := g.pick([]string{"公园", "广场", "体育场", "学校操场"})
			rec[0] = c.Short + w + kind + "应急避难场所"
			rec[1] = g.pick([]string{"Ⅰ类（长期）", "Ⅱ类（中期）", "Ⅲ类（短期）", "Ⅲ类（短期）"})
			rec[2] = d.Name
			rec[3] = g.address(c, d)
			rec[4], rec[5] = g.lonLat(c, 0.1)
			area := 2000 + 60000*g.r.Float64()*g.r.Float64()
			rec[6] = demoFmtF(area, 1)
			rec[7] = strconv.Itoa(int(area / 2))
			rec[8] = g.pickN([]string{"应急供水", "应急供电", "应急厕所", "应急物资储备", "医疗救护点", "应急广播"}, 2+g.intn(3), "、")
			rec[9] = c.Name + d.Name + g.pick([]string{"应急管理局", "园林绿化服务中心", "教育局"})
		},
	})

	demoRegister("passenger_station", &demoSchema{
		items: demoItems(
			demoCol{"station_name", "客运站名称", "string", "!", ""},
			demoCol{"level", "站级", "string", "!", "一级站至五级站、简易站"},
			demoCol{"district", "所在区县", "string", "!", ""},
			demoCol{"address", "地址", "string", "!", ""},
			demoCol{"longitude", "经度", "number", "!", ""},
			demoCol{"latitude", "纬度", "number", "!", ""},
			demoCol{"daily_capacity", "日发送旅客能力(人次)", "integer", "", ""},
			demoCol{"routes", "营运线路数", "integer", "", ""},
			demoCol{"phone", "咨询电话", "string", "", ""},
			demoCol{"opened", "投入使用日期", "date", "", ""},
		),
		minRows: 50, maxRows: 400,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			rec[0] = c.Short + g.word() + g.pick([]string{"公路客运站", "长途汽车站", "客运枢纽站", "汽车客运站"})
			lv := g.intn(6)
			rec[1] = []string{"一级站", "二级站", "三级站", "四级站", "五级站", "简易站"}[lv]
			rec[2] = d.Name
			rec[3] = g.address(c, d)
			rec[4], rec[5] = g.lonLat(c, 0.25)
			rec[6] = strconv.Itoa((6 - lv) * g.intIn(300, 2000))
			rec[7] = strconv.Itoa((6 - lv) * g.intIn(3, 20))
			rec[8] = g.phone(c)
			rec[9] = demoFmtDate(g.pastDate(1985))
		},
	})

	demoRegister("bus_line", &demoSchema{
		items: demoItems(
			demoCol{"line_no", "线路编号", "string", "!", ""},
			demoCol{"line_name", "线路名称", "string", "!", ""},
			demoCol{"start_stop", "起点站", "string", "!", ""},
			demoCol{"end_stop", "终点站", "string", "!", ""},
			demoCol{"first_bus", "首班时间", "string", "!", "HH:MM"},
			demoCol{"last_bus", "末班时间", "string", "!", "HH:MM"},
			demoCol{"fare", "票价(元)", "number", "!", ""},
			demoCol{"length_km", "线路长度(公里)", "number", "", ""},
			demoCol{"stop_count", "站点数", "integer", "!", ""},
			demoCol{"operator", "运营单位", "string", "!", ""},
			demoCol{"air_conditioned", "是否空调车", "boolean", "", ""},
			demoCol{"e_payment", "是否支持电子支付", "boolean", "", ""},
		),
		minRows: 120, maxRows: 360,
		fill: func(g *demoGen, rec []string) {
			c := g.city()
			n := g.i + 1
			no := strconv.Itoa(n)
			switch {
			case n%23 == 0:
				no = "K" + no
			case n%31 == 0:
				no = "夜" + no
			case n%37 == 0:
				no = "专" + no
			}
			rec[0] = no
			rec[1] = no + "路"
			rec[2] = g.stopName()
			rec[3] = g.stopName()
			for rec[3] == rec[2] {
				rec[3] = g.stopName()
			}
			if strings.HasPrefix(no, "夜") {
				rec[4] = "21:" + strconv.Itoa(10+g.intn(5)*10)
				rec[5] = "23:" + strconv.Itoa(10+g.intn(5)*10)
			} else {
				rec[4] = "0" + strconv.Itoa(5+g.intn(2)) + ":" + strconv.Itoa(g.intn(6)) + "0"
				rec[5] = strconv.Itoa(18+g.intn(5)) + ":" + strconv.Itoa(g.intn(6)) + "0"
			}
			rec[6] = g.pick([]string{"1", "1", "2", "2", "2", "2.5"})
			stops := g.intIn(12, 48)
			rec[7] = demoFmtF(float64(stops)*(0.5+0.4*g.r.Float64()), 1)
			rec[8] = strconv.Itoa(stops)
			if g.chance(0.8) {
				rec[9] = c.Name + "公共交通集团有限公司"
			} else {
				rec[9] = c.Short + g.tradeName() + "公交客运有限公司"
			}
			rec[10] = g.boolStr(0.6)
			rec[11] = g.boolStr(0.95)
		},
	})

	demoRegister("bus_stop", &demoSchema{
		items: demoItems(
			demoCol{"stop_id", "站点编号", "string", "!", ""},
			demoCol{"stop_name", "站点名称", "string", "!", ""},
			demoCol{"district", "所在区县", "string", "!", ""},
			demoCol{"road", "所在道路", "string", "", ""},
			demoCol{"direction", "方向", "string", "", "上行或下行"},
			demoCol{"longitude", "经度", "number", "!", ""},
			demoCol{"latitude", "纬度", "number", "!", ""},
			demoCol{"lines", "途经线路", "string", "!", "多条以“;”分隔"},
			demoCol{"has_shelter", "是否有候车亭", "boolean", "", ""},
		),
		minRows: 1000, maxRows: 4000,
		fill: func(g *demoGen, rec []string) {
			c := g.city()
			d := g.district(c)
			rec[0] = c.Code + "-" + strconv.Itoa(100000+g.i)
			rec[1] = g.stopName()
			rec[2] = d.Name
			rec[3] = g.pick(demoRoads)
			if g.i%2 == 0 {
				rec[4] = "上行"
			} else {
				rec[4] = "下行"
			}
			rec[5], rec[6] = g.lonLat(c, 0.15)
			n := 1 + g.intn(5)
			var b strings.Builder
			for k := range n {
				if k > 0 {
					b.WriteByte(';')
				}
				b.WriteString(strconv.Itoa(1+g.intn(360)) + "路")
			}
			rec[7] = b.String()
			rec[8] = g.boolStr(0.55)
		},
	})

	demoRegister("bus_realtime", &demoSchema{
		items: demoItems(
			demoCol{"line_no", "线路编号", "string", "!", ""},
			demoCol{"direction", "方向", "string", "!", ""},
			demoCol{"stop_seq", "站序", "integer", "!", ""},
			demoCol{"stop_name", "站点名称", "string", "!", ""},
			demoCol{"vehicle_no", "车辆自编号", "string", "!", "公交企业内部车辆编号"},
			demoCol{"arrive_time", "到站时间", "datetime", "!", ""},
			demoCol{"load_level", "满载程度", "string", "", "空闲、适中、拥挤"},
		),
		minRows: 1000, maxRows: 5000,
		fill: func(g *demoGen, rec []string) {
			// chronological: one arrival every ~2 seconds from 05:00 on the
			// last day of the window (5000 rows end before 08:00).
			base := g.hi.Add(5 * time.Hour)
			t := base.Add(time.Duration(g.i*2+g.intn(2)) * time.Second)
			line := 1 + g.intn(120)
			rec[0] = strconv.Itoa(line)
			if g.chance(0.5) {
				rec[1] = "上行"
			} else {
				rec[1] = "下行"
			}
			rec[2] = strconv.Itoa(1 + g.intn(30))
			rec[3] = g.stopName()
			rec[4] = strconv.Itoa(line) + "-" + strconv.Itoa(100+g.intn(60))
			rec[5] = demoFmtDateTime(t)
			rec[6] = g.pick([]string{"空闲", "适中", "适中", "拥挤"})
		},
	})

	demoRegister("vehicle_track", &demoSchema{
		items: demoItems(
			demoCol{"vehicle_id", "车辆标识", "string", "!", "脱敏后的车辆标识"},
			demoCol{"vehicle_type", "车辆类型", "string", "!", ""},
			demoCol{"gps_time", "定位时间", "datetime", "!", ""},
			demoCol{"longitude", "经度", "number", "!", ""},
			demoCol{"latitude", "纬度", "number", "!", ""},
			demoCol{"speed", "速度(km/h)", "number", "!", ""},
			demoCol{"heading", "方向角(度)", "integer", "", "0-359"},
		),
		minRows: 1000, maxRows: 5000,
		fill: func(g *demoGen, rec []string) {
			const vehicles = 40
			v := g.i % vehicles
			step := g.i / vehicles
			c := g.pool[v%len(g.pool)]
			spread := 0.3
			if !g.prov() {
				spread = 0.08
			}
			rec[0] = "V" + strconv.FormatUint(demoHash("vehicle", strconv.Itoa(v))&0xffffffff, 16)
			if g.variant == "taxi" {
				rec[1] = []string{"巡游出租汽车（燃油）", "巡游出租汽车（新能源）"}[v%2]
			} else {
				rec[1] = []string{"班线客车", "旅游包车", "危险货物运输车", "重型载货汽车"}[v%4]
			}
			t := g.hi.Add(6*time.Hour + time.Duration(step*30)*time.Second)
			rec[2] = demoFmtDateTime(t)
			rec[3], rec[4] = g.lonLat(c, spread)
			rec[5] = g.num(0, 100, 1)
			rec[6] = strconv.Itoa(g.intn(360))
		},
	})

	demoRegister("road_work", &demoSchema{
		items: demoItems(
			demoCol{"road_code", "路线编号", "string", "!", ""},
			demoCol{"road_name", "路线名称", "string", "!", ""},
			demoCol{"start_stake", "起点桩号", "string", "!", ""},
			demoCol{"end_stake", "止点桩号", "string", "!", ""},
			demoCol{"work_type", "施工类型", "string", "!", ""},
			demoCol{"start_date", "施工开始日期", "date", "!", ""},
			demoCol{"end_date", "施工结束日期", "date", "!", ""},
			demoCol{"traffic_control", "交通管控方式", "string", "!", ""},
			demoCol{"detour", "是否需要绕行", "boolean", "!", ""},
		),
		minRows: 60, maxRows: 600,
		fill: func(g *demoGen, rec []string) {
			roads := [][2]string{{"G1", "京哈高速"}, {"G10", "绥满高速"}, {"G1011", "哈同高速"}, {"G11", "鹤大高速"}, {"G1111", "鹤哈高速"},
				{"G45", "大广高速"}, {"G202", "黑大公路"}, {"G222", "哈伊公路"}, {"S102", "哈肇公路"}, {"S206", "牡宁公路"}}
			r := roads[g.intn(len(roads))]
			rec[0], rec[1] = r[0], r[1]
			k := g.intn(600)
			rec[2] = "K" + strconv.Itoa(k) + "+" + strconv.Itoa(g.intn(10)*100)
			rec[3] = "K" + strconv.Itoa(k+1+g.intn(20)) + "+" + strconv.Itoa(g.intn(10)*100)
			rec[4] = g.pick([]string{"路面病害处治", "桥梁维修加固", "路面中修", "标线施划", "交通安全设施完善", "涵洞维修"})
			s := g.eventDate()
			rec[5] = demoFmtDate(s)
			rec[6] = demoFmtDate(s.AddDate(0, 0, g.intIn(3, 90)))
			ctl := g.pick([]string{"半幅通行", "单车道通行", "限速通行", "封闭施工、绕行通过"})
			rec[7] = ctl
			rec[8] = strconv.FormatBool(strings.Contains(ctl, "绕行"))
		},
	})
}

// stopName is a bus stop or terminal name such as 学府路口 or 丁香公园.
func (g *demoGen) stopName() string {
	switch g.intn(4) {
	case 0:
		return strings.TrimSuffix(strings.TrimSuffix(g.pick(demoRoads), "路"), "街") + g.pick([]string{"路口", "街口", "站"})
	case 1:
		return g.word() + g.pick([]string{"小区", "公园", "广场", "市场", "医院", "学校", "公交枢纽", "客运站"})
	case 2:
		return g.word() + g.pick([]string{"", "新"}) + g.pick([]string{"村", "街", "里"})
	default:
		return g.pick(demoRoads) + g.pick([]string{"东", "西", "南", "北"}) + "站"
	}
}
