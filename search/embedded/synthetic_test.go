package embedded

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/hlj-opendata/portal/search"
)

// Synthetic catalog for benchmarks: deterministic, shaped like the real
// one (region + subject + kind titles, template descriptions of 60-200
// runes, 5-20 data items drawn from a shared pool, ~300 departments).
var (
	synRegions = []string{"全省", "哈尔滨市", "齐齐哈尔市", "牡丹江市", "佳木斯市", "大庆市", "鸡西市", "双鸭山市",
		"伊春市", "七台河市", "鹤岗市", "黑河市", "绥化市", "大兴安岭地区"}
	synRegionCodes = []string{"230000", "230100", "230200", "231000", "230800", "230600", "230300", "230500",
		"230700", "230900", "230400", "231100", "231200", "232700"}
	synSubjects = []string{"企业", "公交", "医疗机构", "学校", "道路", "河流", "农产品", "旅游景区", "社会组织",
		"养老机构", "药品", "食品", "生态环境", "空气质量", "水质", "气象", "人口", "就业", "社会保险", "住房公积金",
		"不动产", "城乡规划", "交通", "停车场", "充电桩", "公园", "图书馆", "体育场馆", "文物", "非物质文化遗产",
		"招标投标", "政府采购", "行政许可", "行政处罚", "信用", "税务", "财政预算", "统计", "农业", "林业", "畜牧",
		"渔业", "粮食", "能源", "电力", "供水", "供热", "燃气", "消防", "应急避难场所", "地名", "公共厕所", "快递网点"}
	synKinds = []string{"信息", "名录", "数据", "统计数据", "登记信息", "基本信息", "监测数据", "分布情况", "目录",
		"清单", "公示信息", "许可信息", "年度报告", "月度数据", "办理指南", "检查结果", "备案信息", "评价结果"}
	synBureaus = []string{"市场监督管理局", "交通运输局", "教育局", "卫生健康委员会", "生态环境局", "自然资源局",
		"民政局", "文化广电和旅游局", "农业农村局", "住房和城乡建设局", "人力资源和社会保障局", "公安局", "财政局",
		"统计局", "税务局", "水务局", "应急管理局", "林业和草原局", "商务局", "发展和改革委员会", "营商环境建设监督局"}
	synTopics = []string{"经济建设", "交通出行", "教育文化", "医疗卫生", "生态环境", "资源能源", "社会保障",
		"民政服务", "文化旅游", "农业农村", "城建住房", "公共安全", "财税金融", "信用服务", "市场监管", "科技创新",
		"劳动就业", "机构团体", "气象服务", "地理空间"}
	synItems = []string{"统一社会信用代码", "企业名称", "法定代表人", "成立日期", "登记机关", "注册资本", "经营范围",
		"联系电话", "详细地址", "经度", "纬度", "所属区县", "名称", "编号", "类型", "状态", "发布日期", "更新时间",
		"负责人", "邮政编码", "机构名称", "机构等级", "床位数", "学校名称", "学段", "办学性质", "线路名称", "站点名称",
		"首末班时间", "票价", "监测站点", "监测时间", "污染物浓度", "空气质量指数", "水质类别", "许可证编号",
		"许可内容", "有效期自", "有效期至", "处罚决定书文号", "处罚事由", "处罚依据", "处罚结果", "信用等级",
		"年度", "月份", "数量", "金额", "面积", "人数", "占比", "同比增长", "备注", "数据来源", "行政区划代码",
		"车位数", "充电桩数量", "开放时间", "景区等级", "藏书量", "建筑面积", "建成年份", "管理单位", "服务电话"}
	synPhrases = []string{"数据每日自动汇聚", "经过清洗与校验", "可用于统计分析和辅助决策", "涵盖全部在册对象",
		"按照国家标准进行编码", "支持按区县筛选", "相关字段已做脱敏处理", "由业务系统实时同步", "历史数据可追溯",
		"可通过接口调用获取", "便于社会公众查询", "依据相关法律法规公开", "与上年度口径保持一致", "部分字段允许为空"}
	synTags = func() []string {
		var tags []string
		for _, s := range synSubjects {
			tags = append(tags, s)
		}
		return append(tags, "民生", "营商环境", "便民服务", "开放许可", "实时数据", "地图", "年报", "监管", "公共服务", "疫情防控")
	}()
	synPlaces    = []string{"街道", "社区", "路", "公司", "合作社", "中心", "小学", "医院", "公园", "水库"}
	synFormats   = []string{"csv", "xlsx", "json", "xml", "api", "pdf"}
	synFreqs     = []string{"realtime", "daily", "weekly", "monthly", "quarterly", "yearly", "irregular", "once"}
	synGrades    = []string{"A", "B", "C"}
	synOpenTypes = []string{"unconditional", "unconditional", "unconditional", "conditional"}
)

// syntheticDocs generates n documents; the same n always gives the same docs.
func syntheticDocs(n int) []search.Document {
	docs := make([]search.Document, 0, n)
	generateDocs(n, func(d search.Document) error {
		docs = append(docs, d)
		return nil
	})
	return docs
}

// generateDocs emits the synthetic documents one at a time, so a rebuild
// from it holds no more than the index in memory, like a database cursor.
func generateDocs(n int, emit func(search.Document) error) error {
	r := rand.New(rand.NewPCG(2024, uint64(n)))
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	base := time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		ri := r.IntN(len(synRegions))
		region, subject, kind := synRegions[ri], pick(synSubjects), pick(synKinds)
		bureau := pick(synBureaus)
		deptName := region + bureau
		if region == "全省" {
			deptName = "黑龙江省" + bureau
		}
		var desc strings.Builder
		fmt.Fprintf(&desc, "本数据集提供%s%s%s，包括%s、%s和%s等内容，由%s负责维护。",
			region, subject, kind, pick(synItems), pick(synItems), pick(synItems), deptName)
		// Proper names widen the vocabulary the way real entries do
		// (streets, companies, villages): many rare bigrams.
		for range 1 + r.IntN(3) {
			fmt.Fprintf(&desc, "%s%s", synName(r), pick(synPlaces))
			desc.WriteString("、")
		}
		for range 1 + r.IntN(4) {
			desc.WriteString(pick(synPhrases))
			desc.WriteString("，")
			desc.WriteString(pick(synRegions) + pick(synSubjects) + pick(synKinds))
			desc.WriteString("。")
		}
		items := make([]string, 5+r.IntN(16))
		for k := range items {
			items[k] = pick(synItems)
		}
		formats := []string{pick(synFormats)}
		if r.IntN(2) == 0 {
			formats = append(formats, pick(synFormats))
		}
		tags := []string{subject, pick(synTags)}
		if r.IntN(3) == 0 {
			tags = append(tags, pick(synTags))
		}
		updated := base.Add(time.Duration(r.IntN(6*365*24)) * time.Hour)
		title := region + subject + kind
		switch r.IntN(8) {
		case 0, 1:
			title = fmt.Sprintf("%d年%s", 2018+r.IntN(7), title)
		case 2:
			title = region + synName(r) + pick(synPlaces) + subject + kind
		}
		d := search.Document{
			ID:              fmt.Sprintf("syn-%06d", i),
			Title:           title,
			Description:     desc.String(),
			Department:      fmt.Sprintf("dept-%02d-%02d", ri, slicesIndex(synBureaus, bureau)),
			DepartmentName:  deptName,
			Topic:           fmt.Sprintf("topic-%02d", r.IntN(len(synTopics))),
			OpenType:        pick(synOpenTypes),
			Formats:         formats,
			UpdateFrequency: pick(synFreqs),
			Grade:           pick(synGrades),
			Tags:            tags,
			Region:          synRegionCodes[ri],
			DataItems:       items,
			UpdatedAt:       updated,
			PublishedAt:     updated.Add(-time.Duration(r.IntN(900*24)) * time.Hour),
			Downloads:       int64(r.ExpFloat64() * 800),
			// Spread over 0..100 without drawing from r, so every other
			// field stays as it was before quality scores existed.
			Quality: i * 37 % (search.MaxQuality + 1),
		}
		d.TopicName = synTopics[int(d.Topic[6]-'0')*10+int(d.Topic[7]-'0')]
		if err := emit(d); err != nil {
			return err
		}
	}
	return nil
}

// synName makes a 2-4 rune name from a pool of 1,500 Han characters.
func synName(r *rand.Rand) string {
	n := 2 + r.IntN(3)
	rs := make([]rune, n)
	for i := range rs {
		rs[i] = rune(0x4E00 + 13*r.IntN(1500))
	}
	return string(rs)
}

func slicesIndex(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}
