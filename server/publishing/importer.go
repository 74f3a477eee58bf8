package publishing

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/upload"
)

// Bulk import: departments keep their catalogs in spreadsheets. One row of
// the template is one entry; the data items of an entry are one cell, an
// item per line: name|label|type|required|description[|domain]. Every row
// is checked and nothing is created when any row fails.

// ImportColumn is one column of the import template.
type ImportColumn struct {
	Key   string // the draft field, e.g. "open_type"
	Label string // the Chinese header the template uses
}

// ImportColumns are the template's columns in order.
var ImportColumns = []ImportColumn{
	{"title", "目录名称"}, {"description", "描述"}, {"topic", "领域"}, {"open_type", "开放类型"},
	{"open_conditions", "开放条件"}, {"usage_scope", "使用范围和用途"}, {"not_open_reason", "不予开放理由"},
	{"share_type", "共享类型"}, {"share_conditions", "共享条件"}, {"share_method", "共享方式"},
	{"update_frequency", "更新频率"}, {"classification", "分类"}, {"resource_code", "信息资源代码"}, {"grade", "分级"},
	{"tags", "标签"}, {"region", "区域"}, {"formats", "数据格式"}, {"data_items", "数据项"},
}

// MaxImportRows bounds one import.
const MaxImportRows = 1000

// Chinese values the template accepts besides the codes.
var importEnums = map[string]map[string]string{
	"open_type":        {"无条件开放": "unconditional", "有条件开放": "conditional", "不予开放": "not_open"},
	"share_type":       {"无条件共享": "unconditional", "有条件共享": "conditional", "不予共享": "not_shared"},
	"share_method":     {"接口": "api", "接口调用": "api", "接口服务": "api", "文件": "file", "文件下载": "file", "库表": "database", "库表交换": "database", "数据库": "database"},
	"update_frequency": {"实时": "realtime", "每日": "daily", "每天": "daily", "每周": "weekly", "每月": "monthly", "每季度": "quarterly", "每年": "yearly", "不定期": "irregular"},
	"grade":            {"一级": "L1", "二级": "L2", "三级": "L3", "四级": "L4"},
	"type":             {"字符串": "string", "文本": "string", "整数": "integer", "数值": "number", "数字": "number", "日期": "date", "日期时间": "datetime", "布尔": "boolean", "是否": "boolean"},
	"domain": {"统一社会信用代码": catalog.DomainCreditCode, "信用代码": catalog.DomainCreditCode, "行政区划代码": catalog.DomainRegionCode, "区划代码": catalog.DomainRegionCode,
		"电话号码": catalog.DomainPhone, "电话": catalog.DomainPhone, "手机号码": catalog.DomainPhone, "电子邮箱": catalog.DomainEmail, "邮箱": catalog.DomainEmail, "电子邮件": catalog.DomainEmail},
}

func enumValue(kind, v string) string {
	v = strings.TrimSpace(v)
	if code, ok := importEnums[kind][v]; ok {
		return code
	}
	return v
}

// ImportRow is one entry read from the file.
type ImportRow struct {
	Line  int    `json:"line"` // file line (the header is line 1); JSON: position from 1
	ID    string `json:"id,omitempty"`
	Title string `json:"title"`
	Draft Draft  `json:"-"`
}

// ImportResult says what an import did (or would do, dry run).
type ImportResult struct {
	DryRun  bool        `json:"dry_run"`
	Count   int         `json:"count"`
	Entries []ImportRow `json:"entries"`
}

// Progress reports a phase's progress ("check", "create").
type Progress func(phase string, done, total int)

// Import reads every row of a CSV, XLSX or JSON file into drafts of the
// actor's department. Any problem anywhere fails the whole import with
// errors by row and column ("rows[4].open_conditions"); otherwise all
// drafts are created in one transaction (none with dryRun).
func (s *Service) Import(ctx context.Context, a Actor, f *upload.File, dryRun bool, progress Progress) (*ImportResult, error) {
	if progress == nil {
		progress = func(string, int, int) {}
	}
	var dept catalog.Department
	if err := s.DB.WithContext(ctx).Where("id = ?", a.DepartmentID).Take(&dept).Error; err != nil {
		return nil, apperr.New(apperr.NotFound, "department %q not found", a.DepartmentID)
	}
	topics, err := s.topicIndex(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := readImportRows(ctx, f)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fileProblem("the file has no entries")
	}
	if len(rows) > MaxImportRows {
		return nil, fileProblem(fmt.Sprintf("at most %d entries per import; the file has %d", MaxImportRows, len(rows)))
	}
	var v apperr.Validation
	for i := range rows {
		r := &rows[i]
		d := &r.Draft
		prefix := fmt.Sprintf("rows[%d]", r.Line)
		if id, ok := topics[d.Topic.ID]; ok {
			d.Topic.ID = id
		} else if d.Topic.ID != "" {
			v.Add(prefix+".topic", "unknown topic %q", d.Topic.ID)
		}
		if d.Region == "" {
			d.Region = dept.Region
		}
		if err := d.Validate(); err != nil {
			var ae *apperr.Error
			if errors.As(err, &ae) {
				for k, m := range ae.Fields {
					v.Add(prefix+"."+k, "%s", m)
				}
			}
		}
		r.Title = d.Title
		progress("check", i+1, len(rows))
	}
	if err := v.Err(); err != nil {
		e := err.(*apperr.Error)
		e.Message = "some rows have problems; nothing was imported"
		return nil, e
	}
	res := &ImportResult{DryRun: dryRun, Count: len(rows), Entries: rows}
	if dryRun {
		return res, nil
	}
	now := s.now()
	err = s.tx(ctx, func(tx *gorm.DB) error {
		for i := range rows {
			r := &rows[i]
			ver := Version{DatasetID: newID("ds-"), Number: 1, DepartmentID: dept.ID, Status: StatusDraft, Title: r.Draft.Title,
				Snapshot: snapshot(r.Draft), CreatedBy: a.UserID, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&ver).Error; err != nil {
				return err
			}
			r.ID = ver.DatasetID
			progress("create", i+1, len(rows))
		}
		_, err := audit.Append(tx, audit.Record{At: now, Actor: a.audit(), Action: ActionImported, ObjectType: "department", ObjectID: dept.ID,
			Details: map[string]any{"drafts": len(rows), "file": f.Name}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func fileProblem(msg string) error {
	e := apperr.New(apperr.Invalid, "%s", msg)
	e.Fields = map[string]string{"file": msg}
	return e
}

// topicIndex maps topic ids and names (Chinese and English) to ids.
func (s *Service) topicIndex(ctx context.Context) (map[string]string, error) {
	var topics []catalog.Topic
	if err := s.DB.WithContext(ctx).Find(&topics).Error; err != nil {
		return nil, apperr.Internalf(err, "load topics")
	}
	out := map[string]string{}
	for _, t := range topics {
		out[t.ID], out[t.Name] = t.ID, t.ID
		if t.NameEN != "" {
			out[t.NameEN] = t.ID
		}
	}
	return out, nil
}

func readImportRows(ctx context.Context, f *upload.File) ([]ImportRow, error) {
	var rows []ImportRow
	if f.Format == upload.JSON {
		err := f.Records(ctx, func(n int, rec map[string]any) error {
			if n > MaxImportRows {
				return fileProblem(fmt.Sprintf("at most %d entries per import", MaxImportRows))
			}
			b, _ := json.Marshal(rec)
			d, err := DecodeDraft(b, nil)
			if err != nil {
				var ae *apperr.Error
				if errors.As(err, &ae) {
					e := apperr.New(apperr.Invalid, "some rows have problems; nothing was imported")
					e.Fields = map[string]string{}
					for k, m := range ae.Fields {
						e.Fields[fmt.Sprintf("rows[%d].%s", n, k)] = m
					}
					if len(e.Fields) == 0 {
						e.Fields[fmt.Sprintf("rows[%d]", n)] = ae.Message
					}
					return e
				}
				return err
			}
			d.OpenType = catalog.OpenType(enumValue("open_type", string(d.OpenType)))
			d.ShareType = catalog.ShareType(enumValue("share_type", string(d.ShareType)))
			d.ShareMethod = enumValue("share_method", d.ShareMethod)
			rows = append(rows, ImportRow{Line: n, Draft: d})
			return nil
		})
		return rows, err
	}
	var keys []string
	var v apperr.Validation
	err := f.Rows(ctx, func(line int, cells []string) error {
		if keys == nil {
			keys = make([]string, len(cells))
			for i, h := range cells {
				h = strings.TrimSpace(h)
				for _, c := range ImportColumns {
					if strings.EqualFold(h, c.Key) || h == c.Label {
						keys[i] = c.Key
					}
				}
				if keys[i] == "" && h != "" {
					v.Add(fmt.Sprintf("header[%d]", i+1), "%q is not a column of the import template", h)
				}
			}
			have := strings.Join(keys, ",")
			for _, need := range []string{"title", "data_items"} {
				if !strings.Contains(","+have+",", ","+need+",") {
					v.Add("header."+need, "the template's column %q is missing", need)
				}
			}
			if v.Err() != nil {
				return v.Err()
			}
			return nil
		}
		empty := true
		for _, c := range cells {
			if strings.TrimSpace(c) != "" {
				empty = false
			}
		}
		if empty {
			return nil
		}
		if len(rows) >= MaxImportRows {
			return fileProblem(fmt.Sprintf("at most %d entries per import", MaxImportRows))
		}
		cell := map[string]string{}
		for i, k := range keys {
			if k != "" && i < len(cells) {
				cell[k] = strings.TrimSpace(cells[i])
			}
		}
		d := Draft{
			Title: cell["title"], Description: cell["description"], Topic: Ref{ID: cell["topic"]},
			OpenType: catalog.OpenType(enumValue("open_type", cell["open_type"])), OpenConditions: cell["open_conditions"],
			UsageScope: cell["usage_scope"], NotOpenReason: cell["not_open_reason"],
			UpdateFrequency: enumValue("update_frequency", cell["update_frequency"]), Classification: cell["classification"],
			Grade: enumValue("grade", cell["grade"]), Tags: splitList(cell["tags"]), Region: cell["region"],
			ResourceCode: cell["resource_code"], ShareType: catalog.ShareType(enumValue("share_type", cell["share_type"])),
			ShareConditions: cell["share_conditions"], ShareMethod: enumValue("share_method", cell["share_method"]),
			Formats: splitList(cell["formats"]),
		}
		items, msg := parseDataItems(cell["data_items"])
		if msg != "" {
			v.Add(fmt.Sprintf("rows[%d].data_items", line), "%s", msg)
		}
		d.DataItems = items
		d.Normalise()
		rows = append(rows, ImportRow{Line: line, Draft: d})
		return nil
	})
	if err == nil {
		err = v.Err()
	}
	if keys == nil && err == nil {
		return nil, fileProblem("the file is empty: the first row must name the template's columns")
	}
	return rows, err
}

// splitList splits tags on commas, semicolons (also full-width) and
// the Chinese enumeration comma.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == '，' || r == '；' || r == '、' || r == '\n'
	})
}

// parseDataItems reads "name|label|type|required|description[|domain]"
// items, one per line (or separated by semicolons). Templates made before
// domains existed stay valid: a sixth part is the domain only when it
// names one (or is empty); otherwise it belongs to a description that
// holds a "|".
func parseDataItems(s string) ([]DataItem, string) {
	var out []DataItem
	for i, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ';' || r == '；' }) {
		line = strings.TrimSpace(strings.ReplaceAll(line, "｜", "|"))
		if line == "" {
			continue
		}
		parts := strings.Split(line, "|")
		if len(parts) < 3 {
			return nil, fmt.Sprintf("item %d: write name|label|type|required|description[|domain], e.g. reg_no|注册号|string|是|", i+1)
		}
		for len(parts) < 5 {
			parts = append(parts, "")
		}
		req := strings.ToLower(strings.TrimSpace(parts[3]))
		desc, domain := parts[4:], ""
		if len(parts) >= 6 {
			last := enumValue("domain", parts[len(parts)-1])
			if last == "" || slices.Contains(catalog.DataItemDomains, last) {
				desc, domain = parts[4:len(parts)-1], last
			}
		}
		out = append(out, DataItem{
			Name: strings.TrimSpace(parts[0]), Label: strings.TrimSpace(parts[1]), Type: enumValue("type", parts[2]),
			Required:    req == "是" || req == "必填" || req == "true" || req == "1" || req == "y" || req == "yes" || req == "required",
			Description: strings.TrimSpace(strings.Join(desc, "|")),
			Domain:      domain,
		})
	}
	return out, ""
}

// templateExample is the template's sample row.
var templateExample = []string{
	"示例：全省企业登记信息", "企业名称、统一社会信用代码、登记机关等登记信息。", "信用服务", "有条件开放",
	"申请人须说明用途并签署数据安全承诺书。", "仅限科研与企业征信用途。", "",
	"有条件共享", "仅限履行市场监管、信用监管职责使用，不得向第三方提供。", "接口",
	"每月", "基础数据", "113001/000001", "二级", "企业,登记",
	"黑龙江省", "CSV", "reg_no|统一社会信用代码|字符串|是||统一社会信用代码\nname|企业名称|字符串|是|\nreg_date|成立日期|日期|否|",
}

// WriteTemplate writes the import template as CSV (UTF-8 with a BOM, so
// spreadsheet programs read the Chinese right) or XLSX.
func WriteTemplate(w io.Writer, format upload.Format) error {
	header := make([]string, len(ImportColumns))
	for i, c := range ImportColumns {
		header[i] = c.Label
	}
	if format == upload.XLSX {
		x := excelize.NewFile()
		defer x.Close()
		sheet := x.GetSheetName(0)
		for i, h := range header {
			cell, _ := excelize.CoordinatesToCellName(i+1, 1)
			x.SetCellStr(sheet, cell, h)
			cell, _ = excelize.CoordinatesToCellName(i+1, 2)
			x.SetCellStr(sheet, cell, templateExample[i])
		}
		return x.Write(w)
	}
	var b bytes.Buffer
	b.WriteString("\uFEFF")
	cw := csv.NewWriter(&b)
	_ = cw.Write(header)
	_ = cw.Write(templateExample)
	cw.Flush()
	_, err := w.Write(b.Bytes())
	return err
}
