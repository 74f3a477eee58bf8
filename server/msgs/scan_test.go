package msgs

import (
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The completeness test reads every non-test Go file under server/ and
// collects the English texts that become client messages:
//   - the formats given to apperr.New, apperr.Wrap, apperr.Field,
//     (*apperr.Validation).Add and .Check, and echo.NewHTTPError;
//   - the same argument of every function that hands its own parameter on
//     to one of those (followed to a fixed point: upload.fileError, …);
//   - the Message and Fields of apperr.Error and web.ErrorDetail literals,
//     and assignments to an error's Message, Fields or Fields[k].
//
// A message argument may be a literal, a constant, a local variable (every
// value assigned to it), fmt.Sprintf of a format, a concatenation (what is
// not a literal becomes %s: "unknown parameter "+name → "unknown parameter
// %s", which msgs.Text matches when the text arrives rendered), a field of
// a struct literal of the package, what a function of server/ returns, or
// err.Error() of an error made by errors.New / fmt.Errorf in the function
// that returned it. Anything else is listed as dynamic.

const module = "github.com/hlj-opendata/portal"

// found is one message text and where it was seen.
type found struct {
	Text string
	Pos  string // path under server/:line
}

type scanned struct {
	Formats []found
	Dynamic []found
}

type scanPkg struct {
	path    string
	files   []*scanFile
	consts  map[string]constRef
	funcs   map[string]*funcRef // nil value: several with that name
	structs map[string]*ast.StructType
	lits    []litRef // composite literals of named types of this package
}

type constRef struct {
	val  ast.Expr
	file *scanFile
}

type funcRef struct {
	decl *ast.FuncDecl
	file *scanFile
}

type litRef struct {
	lit  *ast.CompositeLit
	typ  string
	file *scanFile
}

type scanFile struct {
	pkg         *scanPkg
	ast         *ast.File
	imports     map[string]string // local name → import path
	apperr      string            // local name of apperr, "" when not imported
	validations map[string]bool   // names declared as apperr.Validation
}

type scanner struct {
	fset  *token.FileSet
	pkgs  map[string]*scanPkg
	sinks map[string]int // "path.Func" or "path.(*).Method" → message argument
	out   scanned
	memo  map[string][]string
	busy  map[string]bool
}

func scanServer(t *testing.T) scanned {
	t.Helper()
	s := &scanner{fset: token.NewFileSet(), pkgs: map[string]*scanPkg{}, memo: map[string][]string{}, busy: map[string]bool{}}
	root := ".."
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(s.fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		ip := module + "/server/" + filepath.ToSlash(rel)
		p := s.pkgs[ip]
		if p == nil {
			p = &scanPkg{path: ip, consts: map[string]constRef{}, funcs: map[string]*funcRef{}, structs: map[string]*ast.StructType{}}
			s.pkgs[ip] = p
		}
		p.files = append(p.files, s.newFile(p, f))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range s.pkgs {
		for _, f := range p.files {
			s.index(p, f)
		}
	}
	apperrPath := module + "/server/apperr"
	s.sinks = map[string]int{
		apperrPath + ".New":                        1,
		apperrPath + ".Wrap":                       2,
		apperrPath + ".Field":                      1,
		apperrPath + ".(*).Add":                    1, // on an apperr.Validation
		apperrPath + ".(*).Check":                  2,
		"github.com/labstack/echo/v4.NewHTTPError": 1,
	}
	// Follow parameters until no new sink appears.
	for round := 0; round < 10; round++ {
		s.out = scanned{}
		before := len(s.sinks)
		for _, p := range s.sorted() {
			if p.path == apperrPath {
				continue // the sinks themselves
			}
			for _, f := range p.files {
				s.scanFile(f)
			}
		}
		if len(s.sinks) == before {
			break
		}
	}
	return s.out
}

func (s *scanner) newFile(p *scanPkg, f *ast.File) *scanFile {
	sf := &scanFile{pkg: p, ast: f, imports: map[string]string{}, validations: map[string]bool{}}
	for _, im := range f.Imports {
		path, _ := strconv.Unquote(im.Path.Value)
		local := path[strings.LastIndex(path, "/")+1:]
		if path == "github.com/labstack/echo/v4" {
			local = "echo"
		}
		if im.Name != nil {
			local = im.Name.Name
		}
		sf.imports[local] = path
		if path == module+"/server/apperr" {
			sf.apperr = local
		}
	}
	isValidation := func(e ast.Expr) bool {
		if st, ok := e.(*ast.StarExpr); ok {
			e = st.X
		}
		sel, ok := e.(*ast.SelectorExpr)
		if !ok || sf.apperr == "" {
			return false
		}
		x, ok := sel.X.(*ast.Ident)
		return ok && x.Name == sf.apperr && sel.Sel.Name == "Validation"
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Field:
			if isValidation(n.Type) {
				for _, id := range n.Names {
					sf.validations[id.Name] = true
				}
			}
		case *ast.ValueSpec:
			if n.Type != nil && isValidation(n.Type) {
				for _, id := range n.Names {
					sf.validations[id.Name] = true
				}
			}
		case *ast.AssignStmt:
			for i, r := range n.Rhs {
				if u, ok := r.(*ast.UnaryExpr); ok {
					r = u.X
				}
				if cl, ok := r.(*ast.CompositeLit); ok && isValidation(cl.Type) && i < len(n.Lhs) {
					if id, ok := n.Lhs[i].(*ast.Ident); ok {
						sf.validations[id.Name] = true
					}
				}
			}
		}
		return true
	})
	return sf
}

// index records the package-level names of a file.
func (s *scanner) index(p *scanPkg, f *scanFile) {
	for _, d := range f.ast.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Body == nil {
				continue
			}
			if _, dup := p.funcs[d.Name.Name]; dup {
				p.funcs[d.Name.Name] = nil
			} else {
				p.funcs[d.Name.Name] = &funcRef{decl: d, file: f}
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch sp := spec.(type) {
				case *ast.ValueSpec:
					for i, n := range sp.Names {
						if i < len(sp.Values) && (d.Tok == token.CONST || d.Tok == token.VAR) {
							p.consts[n.Name] = constRef{val: sp.Values[i], file: f}
						}
					}
				case *ast.TypeSpec:
					if st, ok := sp.Type.(*ast.StructType); ok {
						p.structs[sp.Name.Name] = st
					}
				}
			}
		}
	}
	ast.Inspect(f.ast, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.TypeSpec: // types declared inside functions too
			if st, ok := n.Type.(*ast.StructType); ok {
				p.structs[n.Name.Name] = st
			}
		case *ast.CompositeLit:
			switch t := n.Type.(type) {
			case *ast.Ident:
				p.lits = append(p.lits, litRef{lit: n, typ: t.Name, file: f})
			case *ast.ArrayType:
				// []check{{...}, {...}}: the elements' type is elided.
				if et, ok := t.Elt.(*ast.Ident); ok {
					for _, el := range n.Elts {
						if cl, ok := el.(*ast.CompositeLit); ok && cl.Type == nil {
							p.lits = append(p.lits, litRef{lit: cl, typ: et.Name, file: f})
						}
					}
				}
			}
		}
		return true
	})
}

func (s *scanner) sorted() []*scanPkg {
	var out []*scanPkg
	for _, p := range s.pkgs {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

func (s *scanner) pos(n ast.Node) string {
	p := s.fset.Position(n.Pos())
	return filepath.ToSlash(strings.TrimPrefix(p.Filename, "../")) + ":" + strconv.Itoa(p.Line)
}

// funcCtx resolves names inside one function.
type funcCtx struct {
	file     *scanFile
	key      string // the function as a sink
	params   map[string]int
	locals   map[string][]ast.Expr   // every value assigned to a local
	results  map[string][]callResult // locals assigned from a call's results
	handedOn map[string]bool         // range values over another error's Fields
}

type callResult struct {
	call *ast.CallExpr
	idx  int
}

func (s *scanner) newFuncCtx(f *scanFile, fd *ast.FuncDecl) *funcCtx {
	fc := &funcCtx{file: f, params: map[string]int{}, locals: map[string][]ast.Expr{}, results: map[string][]callResult{}, handedOn: map[string]bool{}}
	fc.key = f.pkg.path + "." + fd.Name.Name
	if fd.Recv != nil {
		fc.key = f.pkg.path + ".(*)." + fd.Name.Name
	}
	idx := 0
	for _, fl := range fd.Type.Params.List {
		if len(fl.Names) == 0 {
			idx++
		}
		for _, id := range fl.Names {
			fc.params[id.Name] = idx
			idx++
		}
	}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Lhs) == len(n.Rhs) {
				for i, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						fc.locals[id.Name] = append(fc.locals[id.Name], n.Rhs[i])
					}
				}
			} else if len(n.Rhs) == 1 {
				if call, ok := n.Rhs[0].(*ast.CallExpr); ok {
					for i, l := range n.Lhs {
						if id, ok := l.(*ast.Ident); ok {
							fc.results[id.Name] = append(fc.results[id.Name], callResult{call, i})
						}
					}
				}
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if i < len(n.Values) {
					fc.locals[id.Name] = append(fc.locals[id.Name], n.Values[i])
				}
			}
		case *ast.RangeStmt:
			if sel, ok := n.X.(*ast.SelectorExpr); ok && sel.Sel.Name == "Fields" {
				if id, ok := n.Value.(*ast.Ident); ok {
					fc.handedOn[id.Name] = true
				}
			}
		}
		return true
	})
	return fc
}

func (s *scanner) scanFile(f *scanFile) {
	for _, d := range f.ast.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.VAR {
			// Package-level errors (var errX = apperr.New(...)) are
			// scanned as the body of a function without parameters.
			d = &ast.FuncDecl{Name: ast.NewIdent("var"), Type: &ast.FuncType{Params: &ast.FieldList{}},
				Body: &ast.BlockStmt{List: []ast.Stmt{&ast.DeclStmt{Decl: gd}}}}
		}
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		s.scanFunc(s.newFuncCtx(f, fd), fd)
	}
}

func (s *scanner) scanFunc(fc *funcCtx, fd *ast.FuncDecl) {
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if a := s.sinkOf(fc.file, n); a >= 0 && a < len(n.Args) {
				s.collect(fc, n.Args[a], n)
				// "%s" hands a message on: that argument is the message.
				if lit, ok := n.Args[a].(*ast.BasicLit); ok && (lit.Value == `"%s"` || lit.Value == `"%v"`) && a+1 < len(n.Args) {
					s.collect(fc, n.Args[a+1], n)
				} else {
					for _, arg := range n.Args[a+1:] {
						s.collectNested(fc, arg, n)
					}
				}
			}
		case *ast.CompositeLit:
			if n.Type != nil && s.isErrorType(fc.file, n.Type) {
				for _, el := range n.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					switch kv.Key.(*ast.Ident).Name {
					case "Message":
						s.collect(fc, kv.Value, kv)
					case "Fields":
						s.collectFields(fc, kv.Value, kv)
					}
				}
			}
		case *ast.AssignStmt:
			if fc.file.apperr == "" {
				return true
			}
			for i, l := range n.Lhs {
				if i >= len(n.Rhs) {
					break
				}
				switch l := l.(type) {
				case *ast.SelectorExpr:
					switch l.Sel.Name {
					case "Message":
						s.collect(fc, n.Rhs[i], n)
					case "Fields":
						s.collectFields(fc, n.Rhs[i], n)
					}
				case *ast.IndexExpr:
					if _, isLit := n.Rhs[i].(*ast.CompositeLit); isLit {
						break // not a message: e.g. CKAN's []string fields
					}
					if sel, ok := l.X.(*ast.SelectorExpr); ok && (sel.Sel.Name == "Fields" || sel.Sel.Name == "fields") {
						s.collect(fc, n.Rhs[i], n)
					}
				}
			}
		}
		return true
	})
}

func (s *scanner) isErrorType(f *scanFile, t ast.Expr) bool {
	sel, ok := t.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	if !ok {
		return false
	}
	path := f.imports[x.Name]
	return (path == module+"/server/apperr" && sel.Sel.Name == "Error") || (path == module+"/server/web" && sel.Sel.Name == "ErrorDetail")
}

// sinkOf returns the message argument of a call to a sink, or -1.
func (s *scanner) sinkOf(f *scanFile, call *ast.CallExpr) int {
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		if a, ok := s.sinks[f.pkg.path+"."+fn.Name]; ok {
			return a
		}
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); ok {
			if path, ok := f.imports[x.Name]; ok {
				if a, ok := s.sinks[path+"."+fn.Sel.Name]; ok {
					return a
				}
				return -1
			}
		}
		if fn.Sel.Name == "Add" || fn.Sel.Name == "Check" {
			if f.validations[recvName(fn.X)] {
				return s.sinks[module+"/server/apperr.(*)."+fn.Sel.Name]
			}
			return -1
		}
		if a, ok := s.sinks[f.pkg.path+".(*)."+fn.Sel.Name]; ok {
			return a
		}
	}
	return -1
}

// recvName is the last name of a receiver expression: v, s.v, (*v).
func recvName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	case *ast.StarExpr:
		return recvName(e.X)
	case *ast.ParenExpr:
		return recvName(e.X)
	case *ast.UnaryExpr:
		return recvName(e.X)
	}
	return ""
}

// collect records the texts a message expression can be; a parameter of
// the enclosing function makes that function a sink.
func (s *scanner) collect(fc *funcCtx, e ast.Expr, at ast.Node) {
	texts, ok, param := s.resolve(fc, e, 0)
	if param >= 0 {
		if _, known := s.sinks[fc.key]; !known {
			s.sinks[fc.key] = param
		}
		return
	}
	for _, t := range texts {
		if t != "" {
			s.out.Formats = append(s.out.Formats, found{Text: t, Pos: s.pos(at)})
		}
	}
	if !ok {
		s.out.Dynamic = append(s.out.Dynamic, found{Text: s.exprString(e), Pos: s.pos(at)})
	}
}

// collectNested records the messages an argument holds when it is what a
// function of server/ returns ("%s: %s", r.Name, msg with msg :=
// columnsMatch(...)): msgs translates an argument that is a whole message.
func (s *scanner) collectNested(fc *funcCtx, arg ast.Expr, at ast.Node) {
	var calls []*ast.CallExpr
	switch a := arg.(type) {
	case *ast.CallExpr:
		calls = append(calls, a)
	case *ast.Ident:
		for _, v := range fc.locals[a.Name] {
			call, ok := v.(*ast.CallExpr)
			if !ok {
				return
			}
			calls = append(calls, call)
		}
	}
	for _, call := range calls {
		if s.callee(fc.file, call) == nil {
			continue
		}
		if ts, ok := s.returns(fc.file, call, 0, 1); ok {
			for _, t := range ts {
				if t != "" {
					s.out.Formats = append(s.out.Formats, found{Text: t, Pos: s.pos(at)})
				}
			}
		}
	}
}

// collectFields records the values of a Fields map.
func (s *scanner) collectFields(fc *funcCtx, e ast.Expr, at ast.Node) {
	switch e := e.(type) {
	case *ast.CompositeLit:
		if _, isMap := e.Type.(*ast.MapType); !isMap {
			return
		}
		for _, el := range e.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				s.collect(fc, kv.Value, at)
			}
		}
		return
	case *ast.CallExpr:
		if id, ok := e.Fun.(*ast.Ident); ok && (id.Name == "append" || id.Name == "make") {
			return // a slice named Fields, or a map filled entry by entry
		}
	case *ast.SelectorExpr:
		if e.Sel.Name == "Fields" || e.Sel.Name == "fields" {
			return // fields handed on from another error
		}
	case *ast.Ident:
		vals, isLocal := fc.locals[e.Name]
		if !isLocal {
			return // a map filled elsewhere, entry by entry
		}
		for _, v := range vals {
			s.collectFields(fc, v, at)
		}
		return
	}
	s.out.Dynamic = append(s.out.Dynamic, found{Text: s.exprString(e), Pos: s.pos(at)})
}

// resolve turns a message expression into the formats it can be. ok is
// false when some part is unknown; param ≥ 0 when the expression is a
// parameter of the enclosing function.
func (s *scanner) resolve(fc *funcCtx, e ast.Expr, depth int) (texts []string, ok bool, param int) {
	if depth > 40 {
		return nil, false, -1
	}
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			t, err := strconv.Unquote(e.Value)
			return []string{t}, err == nil, -1
		}
	case *ast.ParenExpr:
		return s.resolve(fc, e.X, depth+1)
	case *ast.Ident:
		if fc.handedOn[e.Name] {
			return nil, true, -1
		}
		if vals, isLocal := fc.locals[e.Name]; isLocal {
			all, okAll := []string{}, true
			for _, v := range vals {
				ts, ok, _ := s.resolve(fc, v, depth+1)
				all = append(all, ts...)
				okAll = okAll && ok
			}
			return all, okAll, -1
		}
		if rs, isResult := fc.results[e.Name]; isResult {
			all, okAll := []string{}, true
			for _, r := range rs {
				ts, ok := s.returns(fc.file, r.call, r.idx, depth+1)
				all = append(all, ts...)
				okAll = okAll && ok
			}
			return all, okAll, -1
		}
		if i, isParam := fc.params[e.Name]; isParam {
			return nil, true, i
		}
		if c, isConst := fc.file.pkg.consts[e.Name]; isConst {
			return s.resolve(&funcCtx{file: c.file}, c.val, depth+1)
		}
	case *ast.SelectorExpr:
		if e.Sel.Name == "Message" {
			return nil, true, -1 // another error's message, scanned where it is made
		}
		if x, isIdent := e.X.(*ast.Ident); isIdent {
			if path, isPkg := fc.file.imports[x.Name]; isPkg {
				if p := s.pkgs[path]; p != nil {
					if c, isConst := p.consts[e.Sel.Name]; isConst {
						return s.resolve(&funcCtx{file: c.file}, c.val, depth+1)
					}
				}
				return nil, false, -1
			}
		}
		return s.structField(fc.file.pkg, e.Sel.Name, depth+1)
	case *ast.IndexExpr:
		if sel, isSel := e.X.(*ast.SelectorExpr); isSel && sel.Sel.Name == "Fields" {
			return nil, true, -1 // another error's field message
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			// What is not text (a name, a number) becomes %s.
			l, lok, lp := s.resolve(fc, e.X, depth+1)
			r, rok, rp := s.resolve(fc, e.Y, depth+1)
			if len(l) == 0 || lp >= 0 {
				l, lok = []string{"%s"}, true
			}
			if len(r) == 0 || rp >= 0 {
				r, rok = []string{"%s"}, true
			}
			if !lok || !rok {
				return nil, false, -1
			}
			var out []string
			for _, a := range l {
				for _, b := range r {
					out = append(out, a+b)
				}
			}
			return out, true, -1
		}
	case *ast.CallExpr:
		if sel, isSel := e.Fun.(*ast.SelectorExpr); isSel {
			if x, isIdent := sel.X.(*ast.Ident); isIdent {
				switch {
				case fc.file.imports[x.Name] == "fmt" && sel.Sel.Name == "Sprintf" && len(e.Args) > 0:
					ts, ok, _ := s.resolve(fc, e.Args[0], depth+1)
					return ts, ok, -1
				case fc.file.imports[x.Name] == module+"/server/msgs":
					return nil, true, -1 // already in the reader's language
				case sel.Sel.Name == "Error" && len(e.Args) == 0:
					return s.errorsOf(fc, x.Name, e.Pos())
				}
			}
		}
		if ts, ok := s.returns(fc.file, e, 0, depth+1); ok {
			return ts, true, -1
		}
	}
	return nil, false, -1
}

// structField resolves x.name where name is a field of struct types of
// the package: the values given to it in the package's literals.
func (s *scanner) structField(p *scanPkg, name string, depth int) ([]string, bool, int) {
	var texts []string
	seen := false
	for typ, st := range p.structs {
		idx, i := -1, 0
		for _, fl := range st.Fields.List {
			if len(fl.Names) == 0 {
				i++ // embedded
			}
			for _, id := range fl.Names {
				if id.Name == name {
					idx = i
				}
				i++
			}
		}
		if idx < 0 {
			continue
		}
		for _, l := range p.lits {
			if l.typ != typ {
				continue
			}
			for j, el := range l.lit.Elts {
				var v ast.Expr
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					if k, ok := kv.Key.(*ast.Ident); ok && k.Name == name {
						v = kv.Value
					}
				} else if j == idx {
					v = el
				}
				if v == nil {
					continue
				}
				ts, ok, _ := s.resolve(&funcCtx{file: l.file}, v, depth)
				if !ok {
					return nil, false, -1
				}
				texts = append(texts, ts...)
				seen = true
			}
		}
	}
	return texts, seen, -1
}

// callee finds the declaration a call invokes in server/.
func (s *scanner) callee(f *scanFile, call *ast.CallExpr) *funcRef {
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		return f.pkg.funcs[fn.Name]
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); ok {
			if path, ok := f.imports[x.Name]; ok {
				if p := s.pkgs[path]; p != nil {
					return p.funcs[fn.Sel.Name]
				}
				return nil
			}
		}
		return f.pkg.funcs[fn.Sel.Name]
	}
	return nil
}

// returns resolves result idx of what a call to a function of server/
// returns ("" results are left out).
func (s *scanner) returns(f *scanFile, call *ast.CallExpr, idx, depth int) ([]string, bool) {
	ref := s.callee(f, call)
	if ref == nil || depth > 40 {
		return nil, false
	}
	key := s.pos(ref.decl) + "#" + strconv.Itoa(idx)
	if ts, ok := s.memo[key]; ok {
		return ts, true
	}
	if s.busy[key] {
		return nil, true // recursion: the other returns are scanned
	}
	s.busy[key] = true
	defer delete(s.busy, key)
	fc := s.newFuncCtx(ref.file, ref.decl)
	var texts []string
	ok := true
	ast.Inspect(ref.decl.Body, func(n ast.Node) bool {
		if _, lit := n.(*ast.FuncLit); lit {
			return false
		}
		ret, isRet := n.(*ast.ReturnStmt)
		if !isRet || idx >= len(ret.Results) {
			return true
		}
		r := ret.Results[idx]
		if id, isIdent := r.(*ast.Ident); isIdent && id.Name == "nil" {
			return true
		}
		ts, rok, _ := s.resolve(fc, r, depth+1)
		texts = append(texts, ts...)
		ok = ok && rok
		return true
	})
	if ok {
		s.memo[key] = texts
	}
	return texts, ok
}

// errorsOf resolves name.Error(): the texts of errors.New and fmt.Errorf
// in the functions whose result was assigned to name.
func (s *scanner) errorsOf(fc *funcCtx, name string, use token.Pos) ([]string, bool, int) {
	// The assignment that reaches the use: the last one before it.
	var last *callResult
	for _, r := range fc.results[name] {
		if r.call.Pos() < use && (last == nil || r.call.Pos() > last.call.Pos()) {
			last = &r
		}
	}
	for _, v := range fc.locals[name] {
		if call, ok := v.(*ast.CallExpr); ok && call.Pos() < use && (last == nil || call.Pos() > last.call.Pos()) {
			last = &callResult{call: call}
		}
	}
	if last == nil {
		return nil, false, -1
	}
	rs := []callResult{*last}
	var texts []string
	for _, r := range rs {
		ref := s.callee(fc.file, r.call)
		if ref == nil {
			return nil, false, -1
		}
		found := false
		ast.Inspect(ref.decl.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			x, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			path := ref.file.imports[x.Name]
			if (path == "errors" && sel.Sel.Name == "New") || (path == "fmt" && sel.Sel.Name == "Errorf") {
				if lit, ok := call.Args[0].(*ast.BasicLit); ok {
					if t, err := strconv.Unquote(lit.Value); err == nil {
						texts = append(texts, t)
						found = true
					}
				}
			}
			return true
		})
		if !found {
			return nil, false, -1
		}
	}
	return texts, true, -1
}

func (s *scanner) exprString(e ast.Expr) string {
	var b strings.Builder
	_ = printer.Fprint(&b, s.fset, e)
	t := strings.ReplaceAll(b.String(), "\n", " ")
	if len(t) > 80 {
		t = t[:80]
	}
	return t
}
