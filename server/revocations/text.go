package revocations

import (
	"strings"
)

// The texts of announcements. They are published in Chinese, the language
// of the administration; the pages translate only the labels around them.

func revocationTitle(a *Announcement) string {
	if a.ResourceID != "" {
		return "关于撤销开放《" + a.DatasetTitle + "》数据资源“" + a.ResourceName + "”的公告"
	}
	return "关于撤销开放《" + a.DatasetTitle + "》的公告"
}

func correctionTitle(old *Announcement) string {
	return "关于更正" + old.Number + "的公告"
}

// existingUsers says what happens to those already using the data (000
// Art 16 for grant holders and earlier token users; 000 Art 35 for new
// applications).
func existingUsers(a *Announcement, openType string) string {
	switch {
	case a.ResourceID != "":
		return "自撤销生效之时起，平台停止提供该数据资源的下载和接口调用；本数据集的其他数据资源继续开放。"
	case openType != "conditional" && a.GraceMonths <= 0:
		return "本数据为无条件开放数据。自撤销生效之时起，平台停止提供本数据的下载和接口调用，数据集页面仅保留撤销记录。"
	case openType != "conditional":
		return "本数据为无条件开放数据。自撤销生效之时起，平台停止提供本数据的下载和接口调用，数据集页面仅保留撤销记录；撤销生效前十二个月内曾以接口令牌下载或调用本数据的使用者，自撤销生效之日起继续获得本数据" +
			itoa(a.GraceMonths) + "个月（至" + chineseDate(a.GraceEnd) + "）。"
	case a.GraceMonths <= 0:
		return "自批准之日（" + chineseDate(a.ApprovedAt) + "）起不再受理本数据的使用申请。自撤销生效之时起，已获批准的使用者也不再获得本数据。"
	}
	return "自批准之日（" + chineseDate(a.ApprovedAt) + "）起不再受理本数据的使用申请。已获批准、正在使用本数据的申请人，自撤销生效之日起继续获得本数据" +
		itoa(a.GraceMonths) + "个月（至" + chineseDate(a.GraceEnd) + "），其授权期限先于该日届满的，至授权期限届满时止。"
}

// announcementBody is the full published text.
func announcementBody(a *Announcement) string {
	return announcementFacts(a) + "\n\n特此公告。\n\n" + signature(a)
}

// announcementFacts is the body without its closing and signature.
func announcementFacts(a *Announcement) string {
	var b strings.Builder
	b.WriteString("根据《黑龙江省政务数据管理暂行办法》第三十五条，经" + a.Region + "政务数据主管部门审核同意，")
	b.WriteString(a.DepartmentName + "开放的《" + a.DatasetTitle + "》（目录标识：" + a.DatasetID + "）")
	if a.ResourceID != "" {
		b.WriteString("中的数据资源“" + a.ResourceName + "”（资源标识：" + a.ResourceID + "）")
	}
	b.WriteString("自" + chineseDate(a.EffectiveAt) + "起撤销开放，并已报省级政务数据主管部门备案。现公告如下：\n\n")
	b.WriteString("一、撤销原因：" + a.Reason + "\n")
	b.WriteString("二、法律依据：" + a.LegalBasis + "\n")
	b.WriteString("三、批准日期：" + chineseDate(a.ApprovedAt) + "\n")
	b.WriteString("四、生效日期：" + chineseDate(a.EffectiveAt) + "\n")
	b.WriteString("五、对现有用户的安排：" + a.ExistingUsers)
	return b.String()
}

func signature(a *Announcement) string {
	return a.Region + "政务数据主管部门\n" + chineseDate(a.PublishedAt)
}

// correctionBody states what the correction changes, then the corrected
// text in full, so the new announcement reads on its own.
func correctionBody(c, old *Announcement) string {
	var b strings.Builder
	b.WriteString("本机关于" + chineseDate(old.PublishedAt) + "发布的" + old.Number + "《" + old.Title + "》更正如下：\n")
	b.WriteString(c.Correction + "\n\n更正后的公告内容如下：\n\n")
	b.WriteString(announcementFacts(c))
	b.WriteString("\n\n特此公告。\n\n" + signature(c))
	return b.String()
}
