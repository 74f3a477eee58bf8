package seed

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Unified social credit codes (统一社会信用代码), GB 32100-2015.
//
// An 18-character code is: 1 registration authority code, 1 organisation
// category code, 6 administrative division digits (GB/T 2260), the 9
// character organisation code (GB 11714, its own check character last) and
// one check character over the first 17. Every character comes from
// creditCodeChars (digits and upper-case letters except I, O, Z, S, V).

const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CreditCodeCheckDigit returns the GB 32100-2015 check character for a
// unified social credit code. s holds the first 17 characters (an 18th, if
// present, is ignored); they must be upper-case characters of the code's
// character set.
func CreditCodeCheckDigit(s string) (byte, error) {
	if len(s) != 17 && len(s) != 18 {
		return 0, fmt.Errorf("credit code: want 17 or 18 characters, got %d", len(s))
	}
	sum := 0
	for i := range 17 {
		v := strings.IndexByte(creditCodeChars, s[i])
		if v < 0 {
			return 0, fmt.Errorf("credit code: invalid character %q at position %d", s[i], i+1)
		}
		sum += v * creditCodeWeights[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return creditCodeChars[c], nil
}

// ValidCreditCode reports whether s is a well-formed unified social credit
// code: 18 upper-case characters of the GB 32100-2015 set, an
// administrative division of six digits in positions 3-8, and a correct
// check character. It does not check that the code was ever issued.
func ValidCreditCode(s string) bool {
	if len(s) != 18 {
		return false
	}
	for i := 2; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	c, err := CreditCodeCheckDigit(s)
	return err == nil && c == s[17]
}

var demoErrOrgCode = errors.New("organisation code: invalid character")

// orgCodeCheck computes the GB 11714-1997 check character over the first 8
// characters of an organisation code.
func orgCodeCheck(s string) (byte, error) {
	w := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 8 {
		var v int
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		default:
			return 0, demoErrOrgCode
		}
		sum += v * w[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X', nil
	case 11:
		return '0', nil
	default:
		return byte('0' + c), nil
	}
}

// ---- places -------------------------------------------------------------

type demoDistrict struct {
	Name string
	Code string
}

type demoCity struct {
	Name      string // 哈尔滨市
	Short     string // 哈尔滨 (used in company names)
	Abbr      string // 哈 (short form used in document numbers)
	Code      string // 230100
	AreaCode  string // 0451
	Lon, Lat  float64
	Districts []demoDistrict
}

// demoCities are the 13 prefecture-level divisions of Heilongjiang with a
// selection of their districts (real names and GB/T 2260 codes). Everything
// placed in them (addresses, coordinates, phone numbers) is made up.
var demoCities = []*demoCity{
	{"哈尔滨市", "哈尔滨", "哈", "230100", "0451", 126.63, 45.75, []demoDistrict{
		{"道里区", "230102"}, {"南岗区", "230103"}, {"道外区", "230104"}, {"平房区", "230108"}, {"松北区", "230109"},
		{"香坊区", "230110"}, {"呼兰区", "230111"}, {"阿城区", "230112"}, {"双城区", "230113"}}},
	{"齐齐哈尔市", "齐齐哈尔", "齐", "230200", "0452", 123.92, 47.35, []demoDistrict{
		{"龙沙区", "230202"}, {"建华区", "230203"}, {"铁锋区", "230204"}, {"昂昂溪区", "230205"}, {"富拉尔基区", "230206"},
		{"碾子山区", "230207"}, {"梅里斯达斡尔族区", "230208"}}},
	{"鸡西市", "鸡西", "鸡", "230300", "0467", 130.97, 45.30, []demoDistrict{
		{"鸡冠区", "230302"}, {"恒山区", "230303"}, {"滴道区", "230304"}}},
	{"鹤岗市", "鹤岗", "鹤", "230400", "0468", 130.28, 47.33, []demoDistrict{
		{"向阳区", "230402"}, {"工农区", "230403"}, {"南山区", "230404"}}},
	{"双鸭山市", "双鸭山", "双", "230500", "0469", 131.16, 46.65, []demoDistrict{
		{"尖山区", "230502"}, {"岭东区", "230503"}}},
	{"大庆市", "大庆", "庆", "230600", "0459", 125.10, 46.59, []demoDistrict{
		{"萨尔图区", "230602"}, {"龙凤区", "230603"}, {"让胡路区", "230604"}, {"红岗区", "230605"}, {"大同区", "230606"}}},
	{"伊春市", "伊春", "伊", "230700", "0458", 128.84, 47.73, []demoDistrict{
		{"伊美区", "230717"}, {"乌翠区", "230718"}, {"友好区", "230719"}}},
	{"佳木斯市", "佳木斯", "佳", "230800", "0454", 130.32, 46.80, []demoDistrict{
		{"向阳区", "230803"}, {"前进区", "230804"}, {"东风区", "230805"}, {"郊区", "230811"}}},
	{"七台河市", "七台河", "七", "230900", "0464", 131.00, 45.77, []demoDistrict{
		{"新兴区", "230902"}, {"桃山区", "230903"}, {"茄子河区", "230904"}}},
	{"牡丹江市", "牡丹江", "牡", "231000", "0453", 129.63, 44.55, []demoDistrict{
		{"东安区", "231002"}, {"阳明区", "231003"}, {"爱民区", "231004"}, {"西安区", "231005"}}},
	{"黑河市", "黑河", "黑河", "231100", "0456", 127.50, 50.25, []demoDistrict{
		{"爱辉区", "231102"}}},
	{"绥化市", "绥化", "绥", "231200", "0455", 126.97, 46.65, []demoDistrict{
		{"北林区", "231202"}}},
	{"大兴安岭地区", "大兴安岭", "大兴安岭", "232700", "0457", 124.12, 50.42, []demoDistrict{
		{"漠河市", "232701"}, {"呼玛县", "232721"}, {"塔河县", "232722"}}},
}

func demoCityByName(name string) *demoCity {
	for _, c := range demoCities {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// demoProvincePool weights the province-wide data towards the larger cities.
var demoProvincePool = func() []*demoCity {
	var pool []*demoCity
	for _, c := range demoCities {
		n := 1
		switch c.Name {
		case "哈尔滨市":
			n = 5
		case "齐齐哈尔市", "大庆市":
			n = 2
		}
		for range n {
			pool = append(pool, c)
		}
	}
	return pool
}()

// ---- word lists ---------------------------------------------------------

var (
	demoRoads = []string{"中山路", "红旗大街", "长江路", "黄河路", "学府路", "和平路", "友谊路", "新华街", "建设街", "文化街",
		"解放路", "东大直街", "西大直街", "胜利路", "民主街", "光明街", "朝阳路", "新兴路", "北京路", "松花江街",
		"嵩山路", "珠江路", "汉水路", "中兴大道", "世纪大道", "迎宾路", "站前街", "工农大街", "向阳路", "龙江路"}
	// demoPlaceWords are neutral place-like stems for names of stops,
	// stations, parks, schools and the like.
	demoPlaceWords = []string{"松江", "江畔", "太阳", "丁香", "北苑", "南湖", "东湖", "西城", "新村", "友谊", "和平", "春华",
		"滨江", "金河", "银河", "龙华", "凤凰", "白桦", "青松", "红星", "曙光", "兴安", "松林", "翠湖", "北山", "东升",
		"长青", "安宁", "明珠", "金桥", "新阳", "河畔", "前进", "民乐", "永兴", "顺达", "宏伟", "繁荣", "平安", "幸福"}
	demoTradeNameChars = []string{"鑫", "盛", "华", "博", "远", "龙", "泰", "达", "恒", "瑞", "兴", "汇", "源", "诚", "德",
		"嘉", "宏", "安", "捷", "昊", "北", "雪", "江", "松", "林", "金", "天", "宇", "丰", "隆", "顺", "信", "和",
		"通", "创", "新", "晟", "祥", "凯", "峰", "海", "星", "辰", "越", "鸿", "正", "冠", "卓", "腾", "耀", "润",
		"福", "佳", "益", "力", "实", "禾", "澜", "钰", "朗"}
	demoSurnames = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
		"何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "程", "曹", "袁", "邓", "许",
		"傅", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛", "叶", "阎", "潘", "杜", "戴",
		"夏", "钟", "汪", "田", "任", "姜", "范", "方", "石", "姚", "谭", "邹", "金", "陆", "郝", "孔", "白", "崔",
		"康", "毛", "邱", "秦", "史", "顾", "侯", "邵", "孟", "段", "关", "那", "佟", "付"}
	demoGivenChars = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
		"明", "超", "秀", "霞", "平", "刚", "英", "华", "建", "国", "志", "文", "海", "玉", "兰", "红", "春", "东",
		"波", "宇", "浩", "鹏", "鑫", "佳", "欣", "雪", "婷", "晨", "阳", "博", "凯", "丹", "慧", "琳", "岩", "松"}
	demoIndustries = []struct{ Word, Scope string }{
		{"科技", "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；软件开发"},
		{"商贸", "日用百货销售；五金产品零售；建筑材料销售；针纺织品销售"},
		{"食品", "食品生产；食品销售；农副产品收购；食用农产品初加工"},
		{"物流", "道路货物运输（不含危险货物）；普通货物仓储服务；装卸搬运"},
		{"建筑工程", "建设工程施工；市政设施管理；园林绿化工程施工"},
		{"农业发展", "谷物种植；豆类种植；农产品的生产、销售、加工、运输、贮藏"},
		{"餐饮管理", "餐饮服务；餐饮管理；食品销售；外卖递送服务"},
		{"医药", "药品零售；第二类医疗器械销售；保健食品（预包装）销售"},
		{"环保科技", "环保咨询服务；固体废物治理；污水处理及其再生利用"},
		{"信息技术", "软件开发；数据处理和存储支持服务；信息系统集成服务"},
		{"文化传媒", "广告设计、代理；组织文化艺术交流活动；会议及展览服务"},
		{"机械制造", "通用设备制造（不含特种设备制造）；机械零件、零部件加工"},
		{"粮油", "粮食收购；食用农产品批发；粮油仓储服务"},
		{"乳业", "乳制品生产；食品销售；牲畜饲养"},
		{"旅游开发", "旅游业务；游览景区管理；住宿服务"},
		{"石油设备", "石油钻采专用设备制造；机械设备租赁；技术服务"},
		{"汽车服务", "机动车修理和维护；汽车零配件零售；二手车经纪"},
		{"物业管理", "物业管理；家政服务；停车场服务"},
		{"热力", "热力生产和供应；供暖服务；合同能源管理"},
		{"木业", "木材加工；人造板制造；家具销售"},
	}
	demoEntTypes = []struct{ Type, Suffix string }{
		{"有限责任公司（自然人投资或控股）", "有限公司"},
		{"有限责任公司（自然人独资）", "有限公司"},
		{"其他有限责任公司", "有限责任公司"},
		{"有限责任公司（国有独资）", "有限责任公司"},
		{"股份有限公司（非上市、自然人投资或控股）", "股份有限公司"},
	}
	demoChineseNumerals = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
)

// ---- deterministic helpers ------------------------------------------------

// demoHash is a stable 64-bit hash of its parts (FNV-1a).
func demoHash(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// demoRand returns a PCG generator seeded from the given parts.
func demoRand(parts ...string) *rand.Rand {
	h := demoHash(parts...)
	return rand.New(rand.NewPCG(h, h^0x9e3779b97f4a7c15))
}

// CSV value formats used by every generated resource.
const (
	CSVDateLayout     = "2006-01-02"          // type "date"
	CSVDateTimeLayout = "2006-01-02 15:04:05" // type "datetime", Beijing time (UTC+8), no zone suffix
)

// demoGen renders the rows of one resource. It carries the random source
// and the context every schema draws from: the places the rows are spread
// over and the window event dates fall into.
type demoGen struct {
	r       *rand.Rand
	pool    []*demoCity // cities rows are drawn from
	lo, hi  time.Time   // window for event dates (inclusive), UTC midnight
	year    int         // >0 when the resource is one year's split
	variant string
	i, n    int // current row, row count
	state   any // per-resource state of schemas that span rows
}

func (g *demoGen) intn(n int) int { return g.r.IntN(n) }

func (g *demoGen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *demoGen) chance(p float64) bool { return g.r.Float64() < p }

func (g *demoGen) city() *demoCity { return g.pool[g.r.IntN(len(g.pool))] }

func (g *demoGen) district(c *demoCity) demoDistrict { return c.Districts[g.r.IntN(len(c.Districts))] }

func (g *demoGen) place() (*demoCity, demoDistrict) {
	c := g.city()
	return c, g.district(c)
}

func (g *demoGen) word() string { return g.pick(demoPlaceWords) }

func (g *demoGen) tradeName() string {
	a := g.pick(demoTradeNameChars)
	b := g.pick(demoTradeNameChars)
	for b == a {
		b = g.pick(demoTradeNameChars)
	}
	return a + b
}

func (g *demoGen) address(c *demoCity, d demoDistrict) string {
	return c.Name + d.Name + g.pick(demoRoads) + strconv.Itoa(1+g.intn(399)) + "号"
}

func (g *demoGen) person() string {
	s := g.pick(demoSurnames) + g.pick(demoGivenChars)
	if g.chance(0.7) {
		s += g.pick(demoGivenChars)
	}
	return s
}

// maskedPerson is a person's name with the given name masked (张**).
func (g *demoGen) maskedPerson() string {
	if g.chance(0.7) {
		return g.pick(demoSurnames) + "**"
	}
	return g.pick(demoSurnames) + "*"
}

func (g *demoGen) gender() string {
	if g.chance(0.5) {
		return "男"
	}
	return "女"
}

func (g *demoGen) phone(c *demoCity) string {
	return c.AreaCode + "-" + strconv.Itoa(5+g.intn(4)) + g.digits(7)
}

func (g *demoGen) digits(n int) string {
	var b strings.Builder
	b.Grow(n)
	for range n {
		b.WriteByte(byte('0' + g.intn(10)))
	}
	return b.String()
}

// company builds a synthetic enterprise name: city + 2-character trade name
// + industry word + organisational form, e.g. 哈尔滨鑫盛科技有限公司.
func (g *demoGen) company(c *demoCity, industry, suffix string) string {
	return c.Short + g.tradeName() + industry + suffix
}

// creditCode builds a valid unified social credit code for the given
// authority/category prefix (e.g. "91" for an enterprise) and division.
func (g *demoGen) creditCode(prefix string, division string) string {
	var b [18]byte
	copy(b[:2], prefix)
	copy(b[2:8], division)
	if g.chance(0.55) {
		// post-2015 style organisation code: MA + 6 characters.
		b[8], b[9] = 'M', 'A'
		for i := 10; i < 16; i++ {
			b[i] = creditCodeChars[g.intn(len(creditCodeChars))]
		}
	} else {
		for i := 8; i < 16; i++ {
			b[i] = byte('0' + g.intn(10))
		}
	}
	oc, _ := orgCodeCheck(string(b[8:16]))
	b[16] = oc
	cc, _ := CreditCodeCheckDigit(string(b[:17]))
	b[17] = cc
	return string(b[:])
}

func (g *demoGen) dateBetween(lo, hi time.Time) time.Time {
	if !hi.After(lo) {
		return lo
	}
	days := int(hi.Sub(lo).Hours()/24) + 1
	return lo.AddDate(0, 0, g.intn(days))
}

// eventDate is a date in the resource's window.
func (g *demoGen) eventDate() time.Time { return g.dateBetween(g.lo, g.hi) }

// pastDate is a date between from (a year) and the end of the window, for
// things such as founding dates that may precede the window.
func (g *demoGen) pastDate(fromYear int) time.Time {
	return g.dateBetween(time.Date(fromYear, 1, 1, 0, 0, 0, 0, time.UTC), g.hi)
}

func demoFmtDate(t time.Time) string     { return t.Format(CSVDateLayout) }
func demoFmtDateTime(t time.Time) string { return t.Format(CSVDateTimeLayout) }

func (g *demoGen) num(lo, hi float64, prec int) string {
	return strconv.FormatFloat(lo+(hi-lo)*g.r.Float64(), 'f', prec, 64)
}

// skewNum draws from [lo, hi] with most values near lo.
func (g *demoGen) skewNum(lo, hi float64, prec int) string {
	u := g.r.Float64()
	return strconv.FormatFloat(lo+(hi-lo)*u*u*u, 'f', prec, 64)
}

func (g *demoGen) intIn(lo, hi int) int { return lo + g.intn(hi-lo+1) }

func (g *demoGen) intStr(lo, hi int) string { return strconv.Itoa(g.intIn(lo, hi)) }

func (g *demoGen) boolStr(p float64) string { return strconv.FormatBool(g.chance(p)) }

func (g *demoGen) lonLat(c *demoCity, spread float64) (string, string) {
	lon := c.Lon + (g.r.Float64()*2-1)*spread
	lat := c.Lat + (g.r.Float64()*2-1)*spread*0.7
	return strconv.FormatFloat(lon, 'f', 6, 64), strconv.FormatFloat(lat, 'f', 6, 64)
}

func demoFmtF(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }

// pickN joins n distinct entries of list with sep.
func (g *demoGen) pickN(list []string, n int, sep string) string {
	if n > len(list) {
		n = len(list)
	}
	start := g.intn(len(list))
	step := 1 + g.intn(len(list))
	for demoGCD(step, len(list)) != 1 {
		step++
	}
	parts := make([]string, n)
	for k := range n {
		parts[k] = list[(start+k*step)%len(list)]
	}
	return strings.Join(parts, sep)
}

func demoGCD(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// trimAdmin drops the trailing 区/县/市 of a district name (南岗区 → 南岗).
func demoTrimAdmin(name string) string {
	for _, s := range []string{"区", "县", "市"} {
		if strings.HasSuffix(name, s) && len(name) > len(s)*2 {
			return strings.TrimSuffix(name, s)
		}
	}
	return name
}
