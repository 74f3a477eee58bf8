package seed

import "sync"

// The demo activity: what happened on the demo portal before it was
// loaded, replayed by server/app through the real services with the clock
// set back (revocations with their announcements, answered corrections,
// answered data requests). Times are given in days before the load and in
// working days between steps; server/app places them on working days of
// the official calendar.

// Demo people who act in the activity: the demo accounts of these roles
// (accounts.DemoAccounts). Reporters and requesters are signed in, so the
// demo holds no made-up phone numbers or addresses of real-looking people.
const (
	DemoActorCitizen      = "citizen"
	DemoActorOrganisation = "organisation"
)

// DemoRevocation: the provider asks to revoke one of its entries, its
// same-level authority approves, and on the proposed date the data goes.
type DemoRevocation struct {
	DatasetID   string
	DaysAgo     int // the request, this many days before the load
	DecideAfter int // working days from the request to the approval
	EffectiveIn int // calendar days from the request to the proposed effective date
	Reason      string
	LegalBasis  string
	Decision    string // the authority's note on its approval
}

// DemoCorrection: someone reports an error, the providing department
// answers it.
type DemoCorrection struct {
	DatasetID     string
	DataItem      string // a data item of the entry
	RowKey        string
	Description   string
	ProposedValue string
	Reporter      string // DemoActorCitizen or DemoActorOrganisation
	AboutSelf     bool   // the data is about the reporter
	DaysAgo       int    // the report
	AnswerAfter   int    // working days to the answer
	Outcome       string // corrected | not_an_error
	Explanation   string
}

// DemoRequest: a signed-in user asks a department for data; the
// department accepts it and publishes the entry (FulfilledBy), or refuses
// with its reason.
type DemoRequest struct {
	Requester    string // DemoActorCitizen or DemoActorOrganisation
	DepartmentID string
	Title        string
	Description  string
	IntendedUse  string
	Supporter    string // another demo user who supports it (+1) while it is open; "" none
	// Refused requests: asked DaysAgo, refused AnswerAfter working days later.
	// Fulfilled ones: the entry is published DaysAgo (DemoAt dates it so),
	// accepted AnswerAfter working days before, asked one working day
	// before the acceptance.
	DaysAgo     int
	AnswerAfter int
	Decision    string // accept | refuse
	Reason      string // the refusal's reason, or the acceptance note
	FulfilledBy string // accept: the entry that answers it
}

// DemoActivity is the whole replay.
type DemoActivity struct {
	Revocations []DemoRevocation
	Corrections []DemoCorrection
	Requests    []DemoRequest
}

// demoExtras are entries that exist only to be revoked by the demo
// activity: no test or page relies on them, and they come last in the
// catalog (after apptest's small prefix).
var demoExtras = []struct {
	dept string
	tmpl demoTmpl
}{
	{"hlj-scjgj", demoTmpl{"{P}食品小作坊登记信息", "public-safety", "license", "food", "u", "monthly", demoClassDept, "食品小作坊,登记,食品安全", 'p', false}},
	{"hrb-jtysj", demoTmpl{"{P}路内停车泊位信息", "transport", "poi", "parking", "u", "monthly", demoClassBase, "路内停车,停车泊位", 'c', false}},
	{"hlj-scjgj", demoTmpl{"{P}企业联络员信息", "economy", "directory", "bigindustry", "u", "quarterly", demoClassDept, "企业联络员,市场主体", 'p', false}},
}

// demoLegalBasis cites the rule on revocation by name (000 Art 35, 16).
const demoLegalBasis = "《黑龙江省政务数据管理暂行办法》第三十五条、第十六条"

// DemoActivityPlan returns the demo activity. Every dataset id is a demo
// entry of a department that has demo provider accounts.
var DemoActivityPlan = sync.OnceValue(func() DemoActivity {
	id := func(title string) string {
		v := DemoDatasetID(title)
		if v == "" {
			panic("seed: demo activity names a missing entry " + title)
		}
		return v
	}
	return DemoActivity{
		Revocations: []DemoRevocation{
			{
				DatasetID: id("全省食品小作坊登记信息"), DaysAgo: 182, DecideAfter: 3, EffectiveIn: 15,
				Reason:     "食品小作坊登记数据已并入《全省食品生产许可信息》统一发布并按周更新，本目录自本年度起不再单独维护。为避免公众继续使用停止更新的数据，申请撤销开放。",
				LegalBasis: demoLegalBasis,
				Decision:   "经审核，数据已由《全省食品生产许可信息》持续提供，同意撤销开放。",
			},
			{
				DatasetID: id("哈尔滨市路内停车泊位信息"), DaysAgo: 96, DecideAfter: 2, EffectiveIn: 14,
				Reason:     "根据机构职能调整，路内停车泊位的设置和管理职责已划转至市城市管理部门，本部门不再采集和更新该数据。相应目录将由职责部门另行编制发布。",
				LegalBasis: demoLegalBasis,
				Decision:   "职责已划转，同意撤销开放；请职责部门尽快编制新的目录。",
			},
			{
				DatasetID: id("全省企业联络员信息"), DaysAgo: 33, DecideAfter: 2, EffectiveIn: 10,
				Reason:     "经开放数据安全评估，该数据中的联络员姓名、移动电话等数据项属于个人信息，不符合无条件开放的要求。撤销开放后将重新评估，去除个人信息后另行发布。",
				LegalBasis: demoLegalBasis + "；《中华人民共和国个人信息保护法》",
				Decision:   "同意撤销开放。请按分类分级要求重新评估后再行编目。",
			},
		},
		Corrections: []DemoCorrection{
			{
				DatasetID: id("全省企业登记信息"), DataItem: "address", RowKey: "黑龙江北辰农业科技有限公司",
				Description:   "该企业已于上月办理住所变更登记，迁至哈尔滨市松北区，但数据中的住所仍为原南岗区地址。",
				ProposedValue: "哈尔滨市松北区创新一路1688号",
				Reporter:      DemoActorCitizen,
				DaysAgo:       64, AnswerAfter: 2, Outcome: "corrected",
				Explanation: "经核实，该企业的住所变更登记已办结，因数据同步延迟未及时更新。已更正该条记录，并在当日的数据更新中发布。感谢您的反馈。",
			},
			{
				DatasetID: id("全省企业登记信息"), DataItem: "reg_capital",
				Description: "注册资本一列的数值明显偏小，例如注册资本500万元的企业显示为500，怀疑单位有误。",
				Reporter:    DemoActorCitizen,
				DaysAgo:     41, AnswerAfter: 1, Outcome: "not_an_error",
				Explanation: "经核实，数据项“注册资本(万元)”以万元为单位，500即500万元，数据无误。数据项说明中已注明单位。",
			},
			{
				DatasetID: id("全省食品经营许可信息"), DataItem: "valid_until", RowKey: "许可证编号 JY12301020045678",
				Description:   "该许可证已于今年办理延续，有效期应至2030年，数据中仍为延续前的有效期，页面上显示为已过期。",
				ProposedValue: "2030-05-17",
				Reporter:      DemoActorOrganisation,
				DaysAgo:       27, AnswerAfter: 3, Outcome: "corrected",
				Explanation: "经核实，该许可证延续后有效期字段未同步，已按延续后的许可证信息更正。",
			},
			{
				DatasetID: id("全省企业经营异常名录"), DataItem: "removed",
				Description: "我公司已补报年度报告并申请移出经营异常名录，登记机关已作出移出决定，但数据中仍显示未移出。",
				Reporter:    DemoActorOrganisation, AboutSelf: true,
				DaysAgo: 19, AnswerAfter: 2, Outcome: "not_an_error",
				Explanation: "经核实，移出决定的作出日期晚于本数据最近一次更新的截止时间，已发布的数据无误；移出信息已纳入下一次更新。",
			},
			{
				DatasetID: id("哈尔滨市公交线路信息"), DataItem: "last_bus", RowKey: "12路",
				Description:   "12路自11月起执行冬季时刻表，末班时间为21:00，数据中仍为夏季的21:30。",
				ProposedValue: "21:00",
				Reporter:      DemoActorCitizen,
				DaysAgo:       52, AnswerAfter: 2, Outcome: "corrected",
				Explanation: "冬季运营时刻表已于11月1日起执行，数据已按最新时刻表更新，今后季节性调整将在执行当日同步更新。",
			},
			{
				DatasetID: id("哈尔滨市公交站点信息"), DataItem: "latitude", RowKey: "医大二院站（往哈尔滨站方向）",
				Description: "该站点的坐标偏差约300米，地图上显示在道路另一侧的小区内。",
				Reporter:    DemoActorCitizen,
				DaysAgo:     12, AnswerAfter: 3, Outcome: "corrected",
				Explanation: "经现场核实，站点迁移后坐标未更新，已按实测坐标更正经纬度。",
			},
		},
		Requests: []DemoRequest{
			{
				Requester: DemoActorCitizen, DepartmentID: DemoProviderDepartment, Supporter: DemoActorOrganisation,
				Title:       "网络交易平台经营者名单",
				Description: "希望开放在本省登记的网络交易平台经营者名单，包括名称、统一社会信用代码、平台网址和主要经营类目。",
				IntendedUse: "开发网购维权提示小程序，帮助消费者核验商家的主体资质。",
				DaysAgo:     58, AnswerAfter: 7, Decision: "accept",
				Reason:      "已受理，将编制《全省网络交易平台经营者名录》并无条件开放。",
				FulfilledBy: id("全省网络交易平台经营者名录"),
			},
			{
				Requester: DemoActorOrganisation, DepartmentID: DemoProviderDepartment,
				Title:       "药品零售企业许可信息",
				Description: "需要全省药品零售企业（药店）的许可信息：企业名称、许可证编号、经营地址、经营范围和有效期。",
				IntendedUse: "用于连锁药店选址分析和药品供应保障研究。",
				DaysAgo:     121, AnswerAfter: 6, Decision: "accept",
				Reason:      "已受理，将在规定期限内发布。",
				FulfilledBy: id("全省药品零售企业许可信息"),
			},
			{
				Requester: DemoActorCitizen, DepartmentID: DemoProvider2Department,
				Title:       "哈尔滨市公共停车场位置和收费标准",
				Description: "希望开放全市公共停车场的名称、位置、泊位数、开放时间和收费标准。",
				IntendedUse: "在出行导航应用中提示停车场位置和收费。",
				DaysAgo:     37, AnswerAfter: 5, Decision: "accept",
				Reason:      "已受理，将发布《哈尔滨市公共停车场信息》并按月更新。",
				FulfilledBy: id("哈尔滨市公共停车场信息"),
			},
			{
				Requester: DemoActorOrganisation, DepartmentID: DemoProvider2Department, Supporter: DemoActorCitizen,
				Title:       "公交车辆实时位置接口",
				Description: "希望以接口方式提供全市公交车辆的实时位置和预计到站时间。",
				IntendedUse: "为候车乘客提供实时到站提醒服务。",
				DaysAgo:     76, AnswerAfter: 8, Decision: "accept",
				Reason:      "已受理。数据涉及车辆实时运行安全，将以有条件开放方式提供，申请通过后可调用接口。",
				FulfilledBy: id("哈尔滨市公交车辆实时到站信息"),
			},
			{
				Requester: DemoActorOrganisation, DepartmentID: DemoProviderDepartment,
				Title:       "企业法定代表人身份证号码和手机号码",
				Description: "希望获取全省企业法定代表人的身份证号码和手机号码，用于客户身份核验。",
				IntendedUse: "金融业务中的客户身份核验和营销联络。",
				DaysAgo:     45, AnswerAfter: 2, Decision: "refuse",
				Reason: "该数据属于个人信息，依据《中华人民共和国个人信息保护法》不予开放。企业名称、统一社会信用代码、法定代表人姓名等已通过《全省企业登记信息》无条件开放。",
			},
			{
				Requester: DemoActorCitizen, DepartmentID: DemoProvider2Department,
				Title:       "网约车平台订单明细数据",
				Description: "希望开放哈尔滨市网约车订单明细，包括上下车时间、起终点位置和行驶里程。",
				IntendedUse: "研究城市居民出行规律。",
				DaysAgo:     23, AnswerAfter: 2, Decision: "refuse",
				Reason: "订单明细由网约车平台企业采集和持有，本部门未掌握该数据；且其涉及乘客个人信息和企业商业秘密，不予开放。本部门掌握的经营许可信息已通过《哈尔滨市网络预约出租汽车经营许可信息》开放。",
			},
		},
	}
})

// demoActivityTiming: how the demo activity dates the entries it touches.
// Revoked entries stopped changing when their revocation was asked;
// entries that answer a request were published when it was fulfilled.
func demoActivityTiming() map[string]demoTiming {
	plan := DemoActivityPlan()
	out := map[string]demoTiming{}
	for _, r := range plan.Revocations {
		out[r.DatasetID] = demoTiming{stopDaysAgo: r.DaysAgo}
	}
	for _, r := range plan.Requests {
		if r.FulfilledBy != "" {
			out[r.FulfilledBy] = demoTiming{publishDaysAgo: r.DaysAgo}
		}
	}
	return out
}

// demoActivityDatasets lists the entries the demo activity touches: none
// of them is late, so the activity reads as a well-run portal.
func demoActivityDatasets() map[string]bool {
	plan := DemoActivityPlan()
	out := map[string]bool{}
	for _, r := range plan.Revocations {
		out[r.DatasetID] = true
	}
	for _, c := range plan.Corrections {
		out[c.DatasetID] = true
	}
	for _, r := range plan.Requests {
		if r.FulfilledBy != "" {
			out[r.FulfilledBy] = true
		}
	}
	return out
}
