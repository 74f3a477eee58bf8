package applications

import "strings"

// Who may apply. The catalog records the open conditions of a conditional
// entry as the department wrote them (000 Art 33), with no separate field
// for the kinds of applicant. When the conditions say who the applicant
// must be ("申请人须为依法登记的法人或非法人组织…") and name only
// organisations, the apply form warns a citizen before they fill it in;
// the department still decides each application.

// applicantClauses open the sentence of the conditions that says who the
// applicant must be.
var applicantClauses = []string{
	"申请人须为", "申请人应为", "申请人应当为", "申请人必须为", "申请人限于", "申请人仅限",
	"申请主体须为", "申请主体应为", "申请主体应当为", "申请主体为", "申请主体限于", "申请主体仅限",
	"申请单位须为", "申请单位应为",
}

// Words naming organisations (法人, 非法人组织 and their usual kinds) and
// words naming natural persons.
var (
	organisationWords = []string{"法人", "组织", "机构", "企业", "单位", "公司", "高等学校", "高校", "院校", "社会团体"}
	personWords       = []string{"自然人", "个人", "公民", "居民"}
)

// organisationsOnly reports whether conditions say the applicant must be an
// organisation: some applicant clause (up to the next comma, semicolon or
// full stop) names an organisation and no natural person.
func organisationsOnly(conditions string) bool {
	for _, opener := range applicantClauses {
		rest := conditions
		for {
			i := strings.Index(rest, opener)
			if i < 0 {
				break
			}
			rest = rest[i+len(opener):]
			clause := rest
			if j := strings.IndexAny(clause, "，,；;。\n"); j >= 0 {
				clause = clause[:j]
			}
			if containsAny(clause, organisationWords) && !containsAny(clause, personWords) {
				return true
			}
		}
	}
	return false
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
