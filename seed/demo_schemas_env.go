package seed

import (
	"strconv"
	"time"
)

// Schemas for monitoring data, environment, natural resources, water and
// agriculture.

// demoAQI converts a PM2.5 24h concentration (μg/m³) to its individual air
// quality index (HJ 633-2012 breakpoints).
func demoAQI(pm25 float64) int {
	bp := [][4]float64{{0, 35, 0, 50}, {35, 75, 50, 100}, {75, 115, 100, 150}, {115, 150, 150, 200}, {150, 250, 200, 300}, {250, 350, 300, 400}, {350, 500, 400, 500}}
	for _, b := range bp {
		if pm25 <= b[1] {
			return int((b[3]-b[2])/(b[1]-b[0])*(pm25-b[0]) + b[2] + 0.5)
		}
	}
	return 500
}

func demoAQILevel(aqi int) string {
	switch {
	case aqi <= 50:
		return "优"
	case aqi <= 100:
		return "良"
	case aqi <= 150:
		return "轻度污染"
	case aqi <= 200:
		return "中度污染"
	case aqi <= 300:
		return "重度污染"
	default:
		return "严重污染"
	}
}

// demoPM25 draws a PM2.5 concentration with the heating-season peak.
func (g *demoGen) demoPM25(t time.Time) float64 {
	base := 22.0
	switch t.Month() {
	case time.November, time.December, time.January, time.February:
		base = 55
	case time.March, time.October:
		base = 35
	}
	v := base * (0.4 + 1.4*g.r.Float64()*g.r.Float64()*2)
	return v
}

// demoStations lists the monitoring stations of the pool's cities.
func demoStationOf(g *demoGen, k int) (*demoCity, string) {
	c := g.pool[k%len(g.pool)]
	d := c.Districts[(k/len(g.pool))%len(c.Districts)]
	return c, c.Name + d.Name + "监测站"
}

type demoSensorInd struct {
	name, unit string
	lo, hi     float64
	limit      float64 // exceeded when value > limit (0: never)
}

type demoSensorKind struct {
	objects    func(g *demoGen, k int) string
	indicators []demoSensorInd
	step       time.Duration
}

var demoSensorKinds = map[string]demoSensorKind{
	"emission": {func(g *demoGen, k int) string {
		c := g.pool[k%len(g.pool)]
		return c.Short + demoPlaceWords[k%len(demoPlaceWords)] + []string{"热电有限公司", "化工有限公司", "热力有限公司"}[k%3]
	}, []demoSensorInd{{"二氧化硫", "mg/m³", 2, 40, 35}, {"氮氧化物", "mg/m³", 10, 55, 50}, {"颗粒物", "mg/m³", 1, 11, 10}}, time.Hour},
	"dam": {func(g *demoGen, k int) string {
		return demoPlaceWords[(k*7)%len(demoPlaceWords)] + "水库大坝"
	}, []demoSensorInd{{"渗流量", "L/s", 0.5, 12, 10}, {"水平位移", "mm", -3, 3, 0}, {"垂直位移", "mm", -5, 1, 0}, {"库水位", "m", 180, 210, 0}}, 6 * time.Hour},
	"noise": {func(g *demoGen, k int) string {
		c := g.pool[k%len(g.pool)]
		return c.Name + []string{"1类声环境功能区", "2类声环境功能区", "3类声环境功能区", "4a类声环境功能区"}[k%4]
	}, []demoSensorInd{{"昼间等效声级", "dB(A)", 45, 68, 60}, {"夜间等效声级", "dB(A)", 38, 58, 50}}, 24 * time.Hour},
	"soil": {func(g *demoGen, k int) string {
		c := g.pool[k%len(g.pool)]
		d := c.Districts[k%len(c.Districts)]
		return d.Name + "耕地质量监测点" + strconv.Itoa(1+k)
	}, []demoSensorInd{{"有机质", "g/kg", 18, 55, 0}, {"pH", "无量纲", 5.4, 8.2, 0}, {"全氮", "g/kg", 1.0, 3.2, 0}, {"有效磷", "mg/kg", 8, 60, 0}}, 24 * time.Hour * 30},
	"scenic": {func(g *demoGen, k int) string {
		c := g.pool[k%len(g.pool)]
		return c.Short + demoPlaceWords[(k*3)%len(demoPlaceWords)] + []string{"国家森林公园", "湿地公园", "滑雪场", "风景区"}[k%4]
	}, []demoSensorInd{{"在园人数", "人", 50, 18000, 0}, {"瞬时承载率", "%", 1, 105, 100}}, 15 * time.Minute},
	"traffic": {func(g *demoGen, k int) string {
		return demoRoads[k%len(demoRoads)]
	}, []demoSensorInd{{"交通运行指数", "无量纲", 0.5, 9.5, 8}, {"平均车速", "km/h", 8, 55, 0}}, 5 * time.Minute},
	"hydro": {func(g *demoGen, k int) string {
		return []string{"松花江", "嫩江", "牡丹江", "呼兰河", "黑龙江", "乌苏里江", "拉林河", "汤旺河"}[k%8] + demoPlaceWords[(k*5)%len(demoPlaceWords)] + "水文站"
	}, []demoSensorInd{{"水位", "m", 112, 121, 119.5}, {"流量", "m³/s", 300, 9000, 0}}, time.Hour},
	"buscard": {func(g *demoGen, k int) string { return strconv.Itoa(1+k*7) + "路" },
		[]demoSensorInd{{"刷卡乘车人次", "人次", 50, 2500, 0}, {"换乘人次", "人次", 5, 400, 0}}, time.Hour},
	"parking": {func(g *demoGen, k int) string {
		return demoPlaceWords[(k*3)%len(demoPlaceWords)] + []string{"广场", "医院", "商厦", "公园"}[k%4] + "公共停车场"
	}, []demoSensorInd{{"剩余泊位", "个", 0, 400, 0}, {"泊位占用率", "%", 10, 100, 0}}, 10 * time.Minute},
	"toll": {func(g *demoGen, k int) string {
		c := g.pool[k%len(g.pool)]
		return c.Short + demoPlaceWords[(k*7)%len(demoPlaceWords)] + "收费站"
	}, []demoSensorInd{{"入口车流量", "辆", 20, 3000, 0}, {"出口车流量", "辆", 20, 3000, 0}}, time.Hour},
	"beds": {func(g *demoGen, k int) string {
		c := g.pool[k%len(g.pool)]
		return c.Name + "第" + demoChineseNumerals[k%len(demoChineseNumerals)] + "医院"
	}, []demoSensorInd{{"开放床位", "张", 200, 2500, 0}, {"床位使用率", "%", 55, 110, 100}}, time.Hour},
	"wastewater": {func(g *demoGen, k int) string {
		c := g.pool[k%len(g.pool)]
		return c.Short + demoPlaceWords[(k*5)%len(demoPlaceWords)] + []string{"污水处理有限公司", "乳业有限公司", "化工有限公司"}[k%3]
	}, []demoSensorInd{{"化学需氧量", "mg/L", 8, 55, 50}, {"氨氮", "mg/L", 0.1, 5.5, 5}, {"总磷", "mg/L", 0.05, 0.55, 0.5}, {"废水流量", "m³/h", 20, 800, 0}}, time.Hour},
	"agrimet": {func(g *demoGen, k int) string {
		c := g.pool[k%len(g.pool)]
		d := c.Districts[k%len(c.Districts)]
		return d.Name + demoPlaceWords[(k*3)%len(demoPlaceWords)] + "农业气象观测站"
	}, []demoSensorInd{{"气温", "℃", -25, 32, 0}, {"降水量", "mm", 0, 25, 0}, {"10cm土壤相对湿度", "%", 40, 95, 0}}, time.Hour},
	"intake": {func(g *demoGen, k int) string {
		return []string{"松花江", "嫩江", "牡丹江", "呼兰河", "乌苏里江"}[k%5] + demoPlaceWords[(k*9)%len(demoPlaceWords)] + "取水口"
	}, []demoSensorInd{{"瞬时流量", "m³/h", 50, 3000, 0}, {"当日累计取水量", "m³", 500, 60000, 0}}, time.Hour},
	"checkpoint": {func(g *demoGen, k int) string {
		return []string{"G1京哈高速", "G10绥满高速", "G1011哈同高速", "G11鹤大高速", "G202国道", "G222国道"}[k%6] + demoPlaceWords[(k*11)%len(demoPlaceWords)] + "卡口"
	}, []demoSensorInd{{"断面车流量", "辆/5分钟", 0, 260, 0}, {"平均车速", "km/h", 30, 110, 0}}, 5 * time.Minute},
}

func init() {
	demoRegister("sensor", &demoSchema{
		items: demoItems(
			demoCol{"point_id", "监测点编号", "string", "!", ""},
			demoCol{"object_name", "监测对象", "string", "!", ""},
			demoCol{"indicator", "监测指标", "string", "!", ""},
			demoCol{"value", "监测值", "number", "!", ""},
			demoCol{"unit", "计量单位", "string", "!", ""},
			demoCol{"monitor_time", "监测时间", "datetime", "!", ""},
			demoCol{"exceeded", "是否超标", "boolean", "!", ""},
		),
		minRows: 500, maxRows: 5000,
		fill: func(g *demoGen, rec []string) {
			k, ok := demoSensorKinds[g.variant]
			if !ok {
				k = demoSensorKinds["emission"]
			}
			const points = 12
			ni := len(k.indicators)
			ind := k.indicators[g.i%ni]
			p := (g.i / ni) % points
			step := g.i / (ni * points)
			// most recent first, ending before 08:00 on the last day
			end := g.hi.Add(7 * time.Hour)
			t := end.Add(-time.Duration(step) * k.step)
			v := ind.lo + (ind.hi-ind.lo)*g.r.Float64()
			rec[0] = "P" + strconv.Itoa(1000+p)
			rec[1] = k.objects(g, p)
			rec[2] = ind.name
			rec[3] = demoFmtF(v, 2)
			rec[4] = ind.unit
			rec[5] = demoFmtDateTime(t)
			rec[6] = strconv.FormatBool(ind.limit != 0 && v > ind.limit)
		},
	})

	demoRegister("air_quality", &demoSchema{
		items: demoItems(
			demoCol{"station", "监测点位", "string", "!", ""},
			demoCol{"city", "城市", "string", "!", ""},
			demoCol{"monitor_time", "监测时间", "datetime", "!", "小时均值的结束时刻"},
			demoCol{"aqi", "空气质量指数(AQI)", "integer", "!", ""},
			demoCol{"level", "空气质量级别", "string", "!", ""},
			demoCol{"primary_pollutant", "首要污染物", "string", "", "AQI不大于50时为空"},
			demoCol{"pm25", "PM2.5浓度(μg/m³)", "number", "!", ""},
			demoCol{"pm10", "PM10浓度(μg/m³)", "number", "!", ""},
			demoCol{"so2", "二氧化硫浓度(μg/m³)", "number", "", ""},
			demoCol{"no2", "二氧化氮浓度(μg/m³)", "number", "", ""},
			demoCol{"o3", "臭氧浓度(μg/m³)", "number", "", ""},
			demoCol{"co", "一氧化碳浓度(mg/m³)", "number", "", ""},
		),
		minRows: 500, maxRows: 4000,
		fill: func(g *demoGen, rec []string) {
			const stations = 20
			s := g.i % stations
			h := g.i / stations
			c, name := demoStationOf(g, s)
			t := g.hi.Add(7 * time.Hour).Add(-time.Duration(h) * time.Hour)
			pm25 := g.demoPM25(t)
			aqi := demoAQI(pm25)
			rec[0] = name
			rec[1] = c.Name
			rec[2] = demoFmtDateTime(t)
			rec[3] = strconv.Itoa(aqi)
			rec[4] = demoAQILevel(aqi)
			if aqi > 50 {
				rec[5] = "PM2.5"
			} else {
				rec[5] = ""
			}
			rec[6] = demoFmtF(pm25, 0)
			rec[7] = demoFmtF(pm25*(1.3+0.6*g.r.Float64()), 0)
			rec[8] = g.num(3, 30, 0)
			rec[9] = g.num(8, 60, 0)
			rec[10] = g.num(20, 140, 0)
			rec[11] = g.num(0.3, 1.6, 1)
		},
	})

	demoRegister("air_daily", &demoSchema{
		items: demoItems(
			demoCol{"city", "城市", "string", "!", ""},
			demoCol{"date", "日期", "date", "!", ""},
			demoCol{"aqi", "空气质量指数(AQI)", "integer", "!", ""},
			demoCol{"level", "空气质量级别", "string", "!", ""},
			demoCol{"primary_pollutant", "首要污染物", "string", "", "AQI不大于50时为空"},
			demoCol{"pm25", "PM2.5日均浓度(μg/m³)", "number", "!", ""},
			demoCol{"pm10", "PM10日均浓度(μg/m³)", "number", "!", ""},
			demoCol{"o3_8h", "臭氧8小时滑动平均(μg/m³)", "number", "", ""},
		),
		minRows: 300, maxRows: 4000,
		fill: func(g *demoGen, rec []string) {
			cities := demoCities
			if !g.prov() {
				cities = g.pool[:1]
			}
			c := cities[g.i%len(cities)]
			t := g.hi.AddDate(0, 0, -1-g.i/len(cities))
			pm25 := g.demoPM25(t)
			aqi := demoAQI(pm25)
			rec[0] = c.Name
			rec[1] = demoFmtDate(t)
			rec[2] = strconv.Itoa(aqi)
			rec[3] = demoAQILevel(aqi)
			if aqi > 50 {
				rec[4] = "PM2.5"
			} else {
				rec[4] = ""
			}
			rec[5] = demoFmtF(pm25, 0)
			rec[6] = demoFmtF(pm25*(1.3+0.6*g.r.Float64()), 0)
			rec[7] = g.num(40, 150, 0)
		},
	})

	demoRegister("water_quality", &demoSchema{
		items: demoItems(
			demoCol{"section", "断面（点位）名称", "string", "!", ""},
			demoCol{"water_body", "所在水体", "string", "!", ""},
			demoCol{"region", "所在地区", "string", "!", ""},
			demoCol{"monitor_date", "监测日期", "date", "!", ""},
			demoCol{"water_class", "水质类别", "string", "!", "Ⅰ类至劣Ⅴ类"},
			demoCol{"target_class", "目标水质类别", "string", "", ""},
			demoCol{"ph", "pH值", "number", "", "pH值，无量纲"},
			demoCol{"dissolved_oxygen", "溶解氧(mg/L)", "number", "", ""},
			demoCol{"codmn", "高锰酸盐指数(mg/L)", "number", "", ""},
			demoCol{"nh3n", "氨氮(mg/L)", "number", "", ""},
			demoCol{"tp", "总磷(mg/L)", "number", "", ""},
			demoCol{"meets_target", "是否达标", "boolean", "!", ""},
		),
		minRows: 100, maxRows: 1500,
		fill: func(g *demoGen, rec []string) {
			const sections = 24
			s := g.i % sections
			m := g.i / sections
			c := g.pool[s%len(g.pool)]
			bodies := []string{"松花江", "嫩江", "黑龙江", "乌苏里江", "牡丹江", "呼兰河", "阿什河", "倭肯河", "汤旺河", "拉林河", "穆棱河", "兴凯湖", "镜泊湖", "连环湖"}
			rec[0] = demoPlaceWords[(s*11)%len(demoPlaceWords)] + "断面"
			rec[1] = bodies[s%len(bodies)]
			if g.variant == "source" {
				rec[0] = demoPlaceWords[(s*11)%len(demoPlaceWords)] + g.pick([]string{"水库", "地下水"}) + "水源地"
			}
			rec[2] = c.Name
			end := time.Date(g.hi.Year(), g.hi.Month(), 10, 0, 0, 0, 0, time.UTC)
			if end.After(g.hi) {
				end = end.AddDate(0, -1, 0)
			}
			rec[3] = demoFmtDate(end.AddDate(0, -m, g.intn(10)))
			cls := 1 + g.intn(4)
			if g.chance(0.08) {
				cls = 5
			}
			if g.chance(0.02) {
				cls = 6
			}
			target := 3
			if g.variant == "source" {
				target = 3
				cls = 1 + g.intn(3)
			}
			classes := []string{"", "Ⅰ类", "Ⅱ类", "Ⅲ类", "Ⅳ类", "Ⅴ类", "劣Ⅴ类"}
			rec[4] = classes[cls]
			rec[5] = classes[target]
			rec[6] = g.num(6.8, 8.4, 2)
			rec[7] = g.num(5, 11, 2)
			rec[8] = demoFmtF(float64(cls)*1.5+2*g.r.Float64(), 2)
			rec[9] = demoFmtF(float64(cls)*0.15+0.2*g.r.Float64(), 3)
			rec[10] = demoFmtF(float64(cls)*0.03+0.05*g.r.Float64(), 3)
			rec[11] = strconv.FormatBool(cls <= target)
		},
	})

	demoRegister("key_unit", &demoSchema{
		items: demoItems(
			demoCol{"credit_code", "统一社会信用代码", "string", "!", ""},
			demoCol{"name", "单位名称", "string", "!", ""},
			demoCol{"industry", "行业类别", "string", "!", ""},
			demoCol{"district", "所在区县", "string", "!", ""},
			demoCol{"address", "地址", "string", "!", ""},
			demoCol{"category", "类别", "string", "!", ""},
			demoCol{"level", "等级", "string", "", ""},
			demoCol{"listed_date", "认定（备案）日期", "date", "!", ""},
		),
		minRows: 80, maxRows: 1500,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			rec[0] = g.creditCode("91", d.Code)
			rec[3] = d.Name
			rec[4] = g.address(c, d)
			rec[7] = demoFmtDate(g.eventDate())
			if g.variant == "hazard" {
				rec[1] = c.Short + g.tradeName() + g.pick([]string{"石油化工有限公司", "化工有限公司", "燃气有限公司", "石化仓储有限公司"})
				rec[2] = g.pick([]string{"危险化学品生产", "危险化学品储存", "危险化学品经营（带储存设施）", "城镇燃气"})
				rec[5] = g.pick([]string{"危险化学品重大危险源（储罐区）", "危险化学品重大危险源（生产装置）", "危险化学品重大危险源（库区）"})
				rec[6] = g.pick([]string{"一级", "二级", "三级", "四级", "四级"})
			} else {
				rec[1] = c.Short + g.tradeName() + g.pick([]string{"热电有限公司", "化工有限公司", "乳业有限公司", "淀粉有限公司", "污水处理有限公司", "石化有限公司"})
				rec[2] = g.pick([]string{"火力发电", "热力生产和供应", "原油加工及石油制品制造", "化学原料和化学制品制造", "乳制品制造", "淀粉及淀粉制品制造", "污水处理及其再生利用"})
				rec[5] = g.pick([]string{"水环境重点排污单位", "大气环境重点排污单位", "土壤污染重点监管单位", "环境风险重点管控单位"})
				rec[6] = "重点排污单位"
			}
		},
	})

	demoRegister("land", &demoSchema{
		items: demoItems(
			demoCol{"parcel_no", "宗地编号", "string", "!", ""},
			demoCol{"location", "宗地坐落", "string", "!", ""},
			demoCol{"district", "所在区县", "string", "!", ""},
			demoCol{"area_sqm", "面积(平方米)", "number", "!", ""},
			demoCol{"land_use", "土地用途", "string", "!", ""},
			demoCol{"supply_method", "供地方式", "string", "!", ""},
			demoCol{"term_years", "出让年限", "integer", "!", ""},
			demoCol{"plot_ratio", "容积率上限", "number", "", ""},
			demoCol{"price", "成交价格(万元)", "number", "!", ""},
			demoCol{"transferee", "受让人", "string", "!", ""},
			demoCol{"deal_date", "成交日期", "date", "!", ""},
		),
		minRows: 100, maxRows: 2000,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			t := g.eventDate()
			uses := [][2]string{{"城镇住宅用地", "70"}, {"商服用地", "40"}, {"工业用地", "50"}, {"仓储用地", "50"}, {"科教用地", "50"}}
			u := uses[g.intn(len(uses))]
			rec[0] = c.Code[:4] + strconv.Itoa(t.Year()) + "-" + g.digits(3)
			rec[1] = d.Name + g.pick(demoRoads) + "以" + g.pick([]string{"东", "西", "南", "北"}) + "、" + g.pick(demoRoads) + "以" + g.pick([]string{"东", "西", "南", "北"})
			rec[2] = d.Name
			area := 3000 + 150000*g.r.Float64()*g.r.Float64()
			rec[3] = demoFmtF(area, 2)
			rec[4] = u[0]
			rec[5] = g.pick([]string{"挂牌出让", "挂牌出让", "挂牌出让", "拍卖出让", "招标出让", "协议出让"})
			rec[6] = u[1]
			rec[7] = g.num(0.8, 3.5, 1)
			unit := 300.0 // 元/平方米
			if u[0] == "城镇住宅用地" || u[0] == "商服用地" {
				unit = 1200 + 4000*g.r.Float64()
			}
			rec[8] = demoFmtF(area*unit/10000, 2)
			rec[9] = c.Short + g.tradeName() + g.pick([]string{"置业有限公司", "实业有限公司", "房地产开发有限公司", "科技有限公司"})
			rec[10] = demoFmtDate(t)
		},
	})

	demoRegister("mining", &demoSchema{
		items: demoItems(
			demoCol{"license_no", "许可证号", "string", "!", ""},
			demoCol{"project_name", "矿山（项目）名称", "string", "!", ""},
			demoCol{"holder", "矿业权人", "string", "!", ""},
			demoCol{"mineral", "矿种", "string", "!", ""},
			demoCol{"method", "开采方式或勘查阶段", "string", "", ""},
			demoCol{"area_km2", "面积(平方公里)", "number", "!", ""},
			demoCol{"valid_from", "有效期起", "date", "!", ""},
			demoCol{"valid_until", "有效期止", "date", "!", ""},
		),
		minRows: 80, maxRows: 1200,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			t := g.eventDate()
			minerals := []string{"煤", "金", "铜", "钼", "石墨", "萤石", "铁", "建筑用砂", "砖瓦用黏土", "矿泉水"}
			m := g.pick(minerals)
			place := demoTrimAdmin(d.Name) + g.word()
			if g.variant == "explore" {
				rec[0] = "T23" + g.digits(3) + strconv.Itoa(t.Year()) + g.digits(8)
				rec[1] = "黑龙江省" + place + m + "矿" + g.pick([]string{"普查", "详查", "勘探"})
				rec[4] = g.pick([]string{"普查", "详查", "勘探"})
				rec[5] = g.num(2, 120, 2)
				rec[7] = demoFmtDate(t.AddDate(5, 0, -1))
			} else {
				rec[0] = "C23" + g.digits(4) + strconv.Itoa(t.Year()) + g.digits(10)
				rec[1] = c.Short + place + m + "矿"
				rec[4] = g.pick([]string{"露天开采", "地下开采"})
				rec[5] = g.num(0.05, 15, 4)
				rec[7] = demoFmtDate(t.AddDate(g.intIn(3, 20), 0, -1))
			}
			rec[2] = c.Short + g.tradeName() + "矿业有限公司"
			rec[3] = m
			rec[6] = demoFmtDate(t)
		},
	})

	demoRegister("geohazard", &demoSchema{
		items: demoItems(
			demoCol{"point_no", "隐患点编号", "string", "!", ""},
			demoCol{"hazard_type", "灾害类型", "string", "!", ""},
			demoCol{"county", "所在县（市、区）", "string", "!", ""},
			demoCol{"location", "位置", "string", "!", ""},
			demoCol{"longitude", "经度", "number", "!", ""},
			demoCol{"latitude", "纬度", "number", "!", ""},
			demoCol{"threatened_people", "威胁人数", "integer", "", ""},
			demoCol{"threatened_property", "威胁财产(万元)", "number", "", ""},
			demoCol{"scale", "险情等级", "string", "!", ""},
			demoCol{"found_date", "发现日期", "date", "", ""},
		),
		minRows: 60, maxRows: 900,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			rec[0] = d.Code + "0" + g.digits(5)
			rec[1] = g.pick([]string{"滑坡", "崩塌", "泥石流", "地面塌陷", "不稳定斜坡", "地裂缝"})
			rec[2] = c.Name + d.Name
			rec[3] = d.Name + g.word() + g.pick([]string{"村北山坡", "屯东侧沟谷", "矿区采空区", "公路边坡"})
			rec[4], rec[5] = g.lonLat(c, 0.4)
			people := g.intn(300)
			rec[6] = strconv.Itoa(people)
			rec[7] = demoFmtF(float64(people)*(2+8*g.r.Float64())+g.r.Float64()*50, 1)
			switch {
			case people > 250:
				rec[8] = "中型"
			default:
				rec[8] = "小型"
			}
			rec[9] = demoFmtDate(g.pastDate(2010))
		},
	})

	demoRegister("reserve", &demoSchema{
		items: demoItems(
			demoCol{"name", "名称", "string", "!", ""},
			demoCol{"level", "级别", "string", "!", ""},
			demoCol{"type", "类型", "string", "!", ""},
			demoCol{"area_ha", "面积(公顷)", "number", "!", ""},
			demoCol{"region", "所在地区", "string", "!", ""},
			demoCol{"established_year", "批建年份", "integer", "", ""},
			demoCol{"protected_objects", "主要保护对象", "string", "", ""},
			demoCol{"manager", "管理机构", "string", "", ""},
		),
		minRows: 60, maxRows: 500,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			typ := g.pick([]string{"自然保护区", "森林公园", "湿地公园", "地质公园", "风景名胜区"})
			name := c.Short + g.word() + typ
			rec[0] = name
			rec[1] = g.pick([]string{"国家级", "省级", "省级", "市县级"})
			rec[2] = typ
			rec[3] = g.skewNum(200, 120000, 1)
			rec[4] = c.Name + d.Name
			rec[5] = g.intStr(1980, 2022)
			rec[6] = g.pick([]string{"丹顶鹤等珍稀水禽及湿地生态系统", "红松针阔混交林生态系统", "东北虎、东北豹及其栖息地", "火山地质遗迹", "寒温带针叶林", "黑嘴松鸡及其栖息地", "冰川地貌景观"})
			rec[7] = name + "管理站"
		},
	})

	demoRegister("survey_product", &demoSchema{
		items: demoItems(
			demoCol{"product_no", "成果编号", "string", "!", ""},
			demoCol{"name", "成果名称", "string", "!", ""},
			demoCol{"scale", "比例尺", "string", "!", ""},
			demoCol{"product_type", "成果类型", "string", "!", "DLG、DOM、DEM、DRG"},
			demoCol{"coverage", "覆盖范围", "string", "!", ""},
			demoCol{"produce_date", "生产日期", "date", "!", ""},
			demoCol{"crs", "坐标系统", "string", "!", ""},
		),
		minRows: 100, maxRows: 1500,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			scale := g.pick([]string{"1:500", "1:2000", "1:10000", "1:50000"})
			typ := g.pick([]string{"DLG", "DOM", "DEM", "DRG"})
			rec[0] = "CH" + d.Code + "-" + g.digits(6)
			rec[1] = c.Name + d.Name + scale + typ + "成果"
			rec[2] = scale
			rec[3] = typ
			rec[4] = c.Name + d.Name + "第" + strconv.Itoa(1+g.intn(40)) + "图幅"
			rec[5] = demoFmtDate(g.pastDate(2015))
			rec[6] = "2000国家大地坐标系"
		},
	})

	demoRegister("water_project", &demoSchema{
		items: demoItems(
			demoCol{"name", "工程名称", "string", "!", ""},
			demoCol{"type", "工程类型", "string", "!", ""},
			demoCol{"region", "所在地区", "string", "!", ""},
			demoCol{"scale", "工程规模", "string", "!", ""},
			demoCol{"capacity", "总库容/设计引水流量", "number", "", "水库为万立方米，灌区为立方米每秒"},
			demoCol{"irrigated_area", "设计灌溉面积(亩)", "number", "", ""},
			demoCol{"completed_year", "建成年份", "integer", "", ""},
			demoCol{"manager", "管理单位", "string", "", ""},
		),
		minRows: 80, maxRows: 1200,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			w := g.word()
			if g.variant == "irrigation" || (g.variant == "" && g.chance(0.4)) {
				rec[0] = demoTrimAdmin(d.Name) + w + "灌区"
				rec[1] = "灌区"
				rec[4] = g.num(1, 60, 1)
				rec[5] = g.skewNum(5000, 500000, 0)
				rec[3] = g.pick([]string{"大型", "中型", "中型", "小型"})
			} else {
				rec[0] = w + "水库"
				rec[1] = "水库"
				cap := 10 + 50000*g.r.Float64()*g.r.Float64()*g.r.Float64()
				rec[4] = demoFmtF(cap, 1)
				rec[5] = g.skewNum(0, 200000, 0)
				switch {
				case cap >= 10000:
					rec[3] = "大（2）型"
				case cap >= 1000:
					rec[3] = "中型"
				case cap >= 100:
					rec[3] = "小（1）型"
				default:
					rec[3] = "小（2）型"
				}
			}
			rec[2] = c.Name + d.Name
			rec[6] = g.intStr(1955, 2020)
			rec[7] = c.Name + d.Name + rec[0] + "管理站"
		},
	})

	demoRegister("agri_entity", &demoSchema{
		items: demoItems(
			demoCol{"credit_code", "统一社会信用代码", "string", "!", ""},
			demoCol{"name", "名称", "string", "!", ""},
			demoCol{"legal_rep", "法定代表人（经营者）", "string", "!", ""},
			demoCol{"members", "成员数", "integer", "", "家庭农场为家庭劳动力人数"},
			demoCol{"main_business", "主营业务", "string", "!", ""},
			demoCol{"land_mu", "经营土地面积(亩)", "number", "", ""},
			demoCol{"region", "所在地区", "string", "!", ""},
			demoCol{"reg_date", "成立日期", "date", "!", ""},
			demoCol{"demonstration", "是否示范社（场）", "boolean", "", ""},
		),
		minRows: 300, maxRows: 4000,
		fill: func(g *demoGen, rec []string) {
			c, d := g.place()
			crop := g.pick([]string{"水稻", "玉米", "大豆", "杂粮", "蔬菜", "食用菌", "中草药", "肉牛养殖", "生猪养殖", "蓝莓"})
			rec[2] = g.person()
			if g.variant == "farm" {
				rec[0] = g.creditCode(g.pick([]string{"92", "91"}), d.Code)
				rec[1] = d.Name + rec[2] + "家庭农场"
				rec[3] = g.intStr(2, 6)
				rec[5] = g.skewNum(50, 3000, 1)
			} else {
				rec[0] = g.creditCode("93", d.Code)
				rec[1] = c.Short + d.Name + g.word() + crop + g.pick([]string{"种植专业合作社", "农民专业合作社", "农机专业合作社"})
				if crop == "肉牛养殖" || crop == "生猪养殖" {
					rec[1] = c.Short + d.Name + g.word() + crop + "专业合作社"
				}
				rec[3] = g.intStr(5, 300)
				rec[5] = g.skewNum(100, 30000, 1)
			}
			rec[4] = crop
			rec[6] = c.Name + d.Name
			rec[7] = demoFmtDate(g.pastDate(2008))
			rec[8] = g.boolStr(0.12)
		},
	})

	demoRegister("price_monitor", &demoSchema{
		items: demoItems(
			demoCol{"commodity", "品名", "string", "!", ""},
			demoCol{"spec", "规格等级", "string", "", ""},
			demoCol{"market", "监测点", "string", "!", ""},
			demoCol{"city", "城市", "string", "!", ""},
			demoCol{"price_date", "采价日期", "date", "!", ""},
			demoCol{"price", "价格", "number", "!", ""},
			demoCol{"unit", "计价单位", "string", "!", ""},
			demoCol{"change_pct", "环比(%)", "number", "", ""},
		),
		minRows: 500, maxRows: 5000,
		fill: func(g *demoGen, rec []string) {
			type item struct {
				name, spec, unit string
				price            float64
			}
			items := []item{{"粳米", "一级散装", "元/公斤", 6.2}, {"大豆", "国标三等", "元/公斤", 5.4}, {"玉米", "国标二等", "元/公斤", 2.3},
				{"猪肉", "后腿肉", "元/公斤", 26}, {"牛肉", "鲜腿肉", "元/公斤", 72}, {"鸡蛋", "散装鲜蛋", "元/公斤", 9.5},
				{"大白菜", "一级", "元/公斤", 2.1}, {"土豆", "一级", "元/公斤", 2.6}, {"黄瓜", "一级", "元/公斤", 5.8}, {"西红柿", "一级", "元/公斤", 6.4}}
			if g.variant == "goods" {
				items = []item{{"92号汽油", "国Ⅵ", "元/升", 7.6}, {"0号柴油", "国Ⅵ", "元/升", 7.2}, {"液化石油气", "15kg瓶装", "元/瓶", 115},
					{"大豆油", "5L桶装一级", "元/桶", 62}, {"面粉", "特一粉", "元/公斤", 4.8}, {"猪肉", "精瘦肉", "元/公斤", 30},
					{"鸡蛋", "散装鲜蛋", "元/公斤", 9.5}, {"牛奶", "250mL盒装", "元/盒", 3.2}}
			}
			const markets = 8
			it := items[g.i%len(items)]
			m := (g.i / len(items)) % markets
			day := g.i / (len(items) * markets)
			c := g.pool[m%len(g.pool)]
			rec[0] = it.name
			rec[1] = it.spec
			rec[2] = c.Short + demoPlaceWords[(m*13)%len(demoPlaceWords)] + []string{"农贸市场", "农产品批发市场", "超市"}[m%3]
			rec[3] = c.Name
			rec[4] = demoFmtDate(g.hi.AddDate(0, 0, -day))
			rec[5] = demoFmtF(it.price*(0.85+0.3*g.r.Float64()), 2)
			rec[6] = it.unit
			rec[7] = g.num(-8, 8, 1)
		},
	})
}
