package apperr

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// Messages stay English for logs and callers, and keep what they were
// rendered from so the HTTP layer can render them in another language.
func TestMessagesKeepTheirFormat(t *testing.T) {
	e := New(Invalid, "page must be a whole number from 1 to %d", 50)
	if e.Message != "page must be a whole number from 1 to 50" || e.Error() != "invalid: page must be a whole number from 1 to 50" {
		t.Errorf("message %q, error %q", e.Message, e.Error())
	}
	if m := e.Msg(); m.Format != "page must be a whole number from 1 to %d" || !reflect.DeepEqual(m.Args, []any{50}) {
		t.Errorf("Msg = %+v", m)
	}
	w := Wrap(Unavailable, errors.New("boom"), "search unavailable")
	if w.Msg().Format != "search unavailable" || w.Error() != "unavailable: search unavailable: boom" {
		t.Errorf("Wrap: %+v %q", w.Msg(), w.Error())
	}
	if m := Internalf(errors.New("x"), "load %s", "y").Msg(); m.Format != "internal error" {
		t.Errorf("Internalf: %+v", m)
	}
}

// A message changed after the error was made is taken as text.
func TestChangedMessageIsText(t *testing.T) {
	e := New(Invalid, "a %s", "b")
	e.Message = "something else"
	if m := e.Msg(); m.Format != "%s" || !reflect.DeepEqual(m.Args, []any{"something else"}) {
		t.Errorf("Msg = %+v", m)
	}
}

func TestFieldMessages(t *testing.T) {
	var v Validation
	v.Add("purpose", "%s is required", "purpose")
	v.Add("purpose", "ignored: the first message per field wins")
	v.Check(false, "days", "an extension is 1 to %d working days", 5)
	v.Check(true, "never", "not added")
	err := v.Err()
	var e *Error
	if !errors.As(err, &e) || e.Code != Invalid || e.Message != "validation failed" {
		t.Fatalf("Err = %v", err)
	}
	want := map[string]string{"purpose": "purpose is required", "days": "an extension is 1 to 5 working days"}
	if !reflect.DeepEqual(e.Fields, want) {
		t.Errorf("fields %v, want %v", e.Fields, want)
	}
	if m := e.FieldMsg("days"); m.Format != "an extension is 1 to %d working days" || !reflect.DeepEqual(m.Args, []any{5}) {
		t.Errorf("FieldMsg(days) = %+v", m)
	}
	// A field set afterwards, or one repeating the message, still renders.
	e.Fields["topic"] = fmt.Sprintf("unknown topic %q", "x")
	if m := e.FieldMsg("topic"); m.String() != `unknown topic "x"` || m.Format != "%s" {
		t.Errorf("FieldMsg(topic) = %+v", m)
	}
	q := New(Invalid, "%s must be a whole number from %d to %d", "page", 1, 9)
	q.Fields = map[string]string{"page": q.Message}
	if m := q.FieldMsg("page"); m.Format != "%s must be a whole number from %d to %d" {
		t.Errorf("a field repeating the message: %+v", m)
	}
	f := Field("lang", "lang must be zh or en")
	if f.Fields["lang"] != "lang must be zh or en" || f.FieldMsg("lang").String() != "lang must be zh or en" || f.Msg().String() != "lang must be zh or en" {
		t.Errorf("Field = %+v", f)
	}
	if (&Validation{}).Err() != nil {
		t.Error("an empty validation is an error")
	}
}
