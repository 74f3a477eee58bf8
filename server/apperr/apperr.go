// Package apperr is the one error type of the portal: business code returns
// codes, and only the HTTP layer turns codes into statuses.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error for clients. Codes are part of the public API.
type Code string

const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	Gone         Code = "gone"
	TooLarge     Code = "too_large"
	RateLimited  Code = "rate_limited"
	Unavailable  Code = "unavailable"
	// InsufficientStorage: the disk (or the database's) is full, so what was
	// sent could not be kept; nothing of it was stored.
	InsufficientStorage Code = "insufficient_storage"
	Internal            Code = "internal"
)

// Error is a classified error. Fields holds per-field messages for
// validation errors (field name → message).
//
// Message and Fields are English. Format and Args (and FieldMsgs per
// field) keep what they were rendered from, so the HTTP layer can render
// them again in the reader's language (server/msgs). Code that changes
// Message or Fields afterwards needs not touch them: a rendering that no
// longer matches its format is translated from the text itself.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
	Err     error

	Format    string
	Args      []any
	FieldMsgs map[string]Msg
}

// Msg is a message before rendering: an English format and its args.
type Msg struct {
	Format string
	Args   []any
}

// String renders m in English.
func (m Msg) String() string { return fmt.Sprintf(m.Format, m.Args...) }

// Text is a message that is already text (nothing to substitute).
func Text(s string) Msg { return Msg{Format: "%s", Args: []any{s}} }

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with a code and a message safe to show to clients.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// Wrap classifies err, keeping it for logs.
func Wrap(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err, Format: format, Args: args}
}

// Internalf wraps an unexpected failure; clients only see "internal error".
func Internalf(err error, format string, args ...any) *Error {
	return &Error{Code: Internal, Message: "internal error", Format: "internal error", Err: fmt.Errorf(format+": %w", append(args, err)...)}
}

// Field is an Invalid error about one field: msg is both the message and
// the field's.
func Field(field, msg string) *Error {
	m := Text(msg)
	return &Error{Code: Invalid, Message: msg, Fields: map[string]string{field: msg},
		Format: m.Format, Args: m.Args, FieldMsgs: map[string]Msg{field: m}}
}

// Msg is the message of e before rendering; a Message changed since is
// taken as text.
func (e *Error) Msg() Msg {
	if e.Format != "" && fmt.Sprintf(e.Format, e.Args...) == e.Message {
		return Msg{Format: e.Format, Args: e.Args}
	}
	return Text(e.Message)
}

// FieldMsg is the message of field before rendering: its recorded format
// when it still renders to the field's text, the error's own message when
// the field repeats it, else the text itself.
func (e *Error) FieldMsg(field string) Msg {
	text := e.Fields[field]
	if m, ok := e.FieldMsgs[field]; ok && m.String() == text {
		return m
	}
	if text == e.Message {
		return e.Msg()
	}
	return Text(text)
}

// OrInternal passes a classified error through and wraps any other as
// Internal (what names the failed step in logs); nil stays nil.
func OrInternal(err error, what string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return Internalf(err, "%s", what)
}

// CodeOf returns the code of err, Internal for unclassified errors.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// Validation collects field errors so a client sees every problem at once.
type Validation struct {
	fields map[string]string
	msgs   map[string]Msg
}

// Add records a problem with field; the first message per field wins.
func (v *Validation) Add(field, format string, args ...any) {
	if v.fields == nil {
		v.fields, v.msgs = map[string]string{}, map[string]Msg{}
	}
	if _, ok := v.fields[field]; !ok {
		v.fields[field] = fmt.Sprintf(format, args...)
		v.msgs[field] = Msg{Format: format, Args: args}
	}
}

// Check adds the message when cond is false.
func (v *Validation) Check(cond bool, field, format string, args ...any) {
	if !cond {
		v.Add(field, format, args...)
	}
}

// Err returns nil when nothing was added, else an Invalid error.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "validation failed", Format: "validation failed", Fields: v.fields, FieldMsgs: v.msgs}
}
