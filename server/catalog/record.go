package catalog

import (
	"regexp"
	"strings"
)

// Resource codes (信息资源代码) after 《政务信息资源目录编制指南(试行)》: a
// front part of 类 (1 digit: 1 基础, 2 主题, 3 部门信息资源), 项 (2 digits),
// 目 (3 digits) and an optional 细目 (3 digits), then "/" and a 6-digit
// sequence number, e.g. "213001/000042" or "213001002/000042". No segment
// but the 细目 may be all zeros.
const ResourceCodeFormat = "C II MMM [DDD]/NNNNNN"

var resourceCode = regexp.MustCompile(`^([1-3])([0-9]{2})([0-9]{3})([0-9]{3})?/([0-9]{6})$`)

// ResourceCodeClass maps the classifications the portal uses to the 类 digit.
var ResourceCodeClass = map[string]string{"基础数据": "1", "主题数据": "2", "部门数据": "3"}

// CheckResourceCode returns "" when code is a well-formed resource code,
// else what is wrong with it. A classification of ResourceCodeClass must
// agree with the code's 类.
func CheckResourceCode(code, classification string) string {
	m := resourceCode.FindStringSubmatch(code)
	if m == nil {
		return "the resource code is 类(1-3) 项(2 digits) 目(3 digits) [细目(3 digits)] / sequence (6 digits), e.g. 213001/000042"
	}
	if m[2] == "00" || m[3] == "000" || m[5] == "000000" {
		return "the 项, 目 and sequence number of a resource code cannot be all zeros"
	}
	if c, ok := ResourceCodeClass[strings.TrimSpace(classification)]; ok && c != m[1] {
		return "the resource code's class (类) " + m[1] + " does not match the classification " + classification + " (" + c + ")"
	}
	return ""
}
