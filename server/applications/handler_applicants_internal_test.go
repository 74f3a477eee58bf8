package applications

import "testing"

// TestOrganisationsOnly: the open conditions' statement of who may apply
// decides; a clause that also admits natural persons, or none at all, does
// not restrict.
func TestOrganisationsOnly(t *testing.T) {
	cases := []struct {
		conditions string
		want       bool
	}{
		{"申请人须为依法登记的法人或非法人组织，说明数据用途并签署数据安全承诺书；数据仅限用于申请用途。", true},
		{"申请人须为依法登记的法人，承诺仅在约定期限（12个月）内使用数据，到期后删除数据。", true},
		{"申请人须为在黑龙江省内依法登记的科研机构、高等学校或企业，提交数据利用方案；申请人须具备相应的数据安全保护能力。", true},
		{"申请主体限于在本省登记的企业", true},
		{"数据以接口方式提供。申请人应当为依法设立的社会团体；不得转让。", true},
		{"申请人须说明具体应用场景并签署《公共数据开放利用协议》；数据以接口方式提供，不得用于商业营销或个人画像。", false},
		{"申请人须为自然人、法人或非法人组织，说明用途。", false},
		{"申请人须为年满十八周岁的个人或依法登记的企业。", false},
		// An organisation named after the clause ends is not who applies.
		{"申请人须为本省居民，成果须报送主管机构备案。", false},
		{"仅限于科学研究、公益服务，不得提供给其他单位。", false},
		{"", false},
	}
	for _, c := range cases {
		if got := organisationsOnly(c.conditions); got != c.want {
			t.Errorf("organisationsOnly(%q) = %v, want %v", c.conditions, got, c.want)
		}
	}
}
