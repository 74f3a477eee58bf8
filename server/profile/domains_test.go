package profile

import "testing"

func TestValidCreditCode(t *testing.T) {
	for _, tc := range []struct {
		code string
		want bool
	}{
		// Codes as published on business licences, checked by hand with
		// the GB 32100-2015 weights.
		{"91110000802100433B", true},
		{"9144030071526726XG", true},
		{"91330100799655058B", true},
		{"91110108551385082Q", true},
		{"11100000000013127D", true},  // an organ of state (category 1)
		{"91110000802100433C", false}, // wrong check character
		{"91110000802100433b", false}, // lower case is not in the alphabet
		{"9111000080210043IB", false}, // I is never used
		{"91110000802100433", false},  // 17 characters
		{"91110000802100433BX", false},
		{"9144030071526726ZG", false}, // Z is never used
		{"", false},
	} {
		if got := ValidCreditCode(tc.code); got != tc.want {
			t.Errorf("ValidCreditCode(%q) = %v, want %v", tc.code, got, tc.want)
		}
	}
}

func TestValidRegionCode(t *testing.T) {
	for _, tc := range []struct {
		code string
		want bool
	}{
		{"230000", true},       // 黑龙江省
		{"230100", true},       // 哈尔滨市
		{"230102", true},       // 道里区
		{"232701", true},       // 漠河市
		{"230102001000", true}, // 统计用区划代码: the county part is listed
		{"230199", false},      // not a county
		{"230702", false},      // 伊春 was reorganised in 2019
		{"2301", false},
		{"23010200100", false},
		{"23010a", false},
		{"990000", false},
	} {
		if got := ValidRegionCode(tc.code); got != tc.want {
			t.Errorf("ValidRegionCode(%q) = %v, want %v", tc.code, got, tc.want)
		}
	}
	if got := RegionName("230102"); got != "道里区" {
		t.Errorf("RegionName(230102) = %q", got)
	}
	if n := len(regionNames); n < 3000 || n > 4000 {
		t.Errorf("the list holds %d divisions; expected about 3,350", n)
	}
}

func TestValidPhone(t *testing.T) {
	for _, tc := range []struct {
		phone string
		want  bool
	}{
		{"13800138000", true},
		{"+86 138 0013 8000", true},
		{"86-138-0013-8000", true},
		{"8613800138000", true},
		{"19912345678", true},
		{"0451-82345678", true},
		{"045182345678", true},
		{"010-1234567", true},
		{"(0451)82345678", true},
		{"0451-82345678-123", true},
		{"400-810-8888", true},
		{"8008101234", true},
		{"12345", true},
		{"110", true},
		{"12", false},          // too short for a service number
		{"12800138000", false}, // mobile numbers begin 13–19
		{"1380013800", false},  // ten digits
		{"0451-823456", false}, // six-digit local number
		{"0451-82345678-1234567", false},
		{"1-10", false},
		{"+1 415 555 0100", false}, // not a mainland number
		{"tel:13800138000", false},
		{"", false},
	} {
		if got := ValidPhone(tc.phone); got != tc.want {
			t.Errorf("ValidPhone(%q) = %v, want %v", tc.phone, got, tc.want)
		}
	}
}

func TestValidEmail(t *testing.T) {
	for _, tc := range []struct {
		email string
		want  bool
	}{
		{"a@b.cn", true},
		{"info@example.com", true},
		{"A.B+tag@sub.example.org", true},
		{"x@y.com.cn", true},
		{"user@xn--fiqs8s.xn--fiqz9s", true},
		{"bad@", false},
		{"@example.com", false},
		{"a@b", false},             // no TLD
		{"a@b.c", false},           // one-letter TLD
		{"a@b.c1", false},          // TLD with a digit
		{"a b@example.com", false}, // a space
		{"a@@example.com", false},
		{"a@b@example.com", false},
		{".a@example.com", false},
		{"a..b@example.com", false},
		{"a@-example.com", false},
		{"a@example..com", false},
		{"张三@example.com", false},
	} {
		if got := ValidEmail(tc.email); got != tc.want {
			t.Errorf("ValidEmail(%q) = %v, want %v", tc.email, got, tc.want)
		}
	}
}
