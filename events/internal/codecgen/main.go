//go:build codecgen

// Command codecgen writes the fast path of the events codec,
// events/codec_fast.go, from the kinds table: for the wire form and each
// kind's payload (events.Specs, read by reflection), a reader of exactly the
// form encoding/json writes, a writer of exactly its bytes, and the walk
// that reads a payload's dates in the event's zone. Run it with go generate
// in package events:
//
//	//go:generate go run -tags codecgen ./internal/codecgen -o codec_fast.go
//
// The tag builds package events without codec_fast.go (codecgen.go stands in
// for it), so that a stale codec_fast.go never stops its regeneration; a
// test in package events checks that codec_fast.go is what this writes.
//
// Field types are read as encoding/json reads them: strings (and named
// string types), bool, whole numbers (int, int64, uint64), pointers to and
// slices of what it reads, structs of exported fields with their json tags,
// types with UnmarshalText and MarshalText (as encoding/json, for a
// string), and the types with JSON methods of their own that the runtime
// (events/fastjson.go) knows: events.Time, events.Days, time.Time and
// uuid.UUID. A field of any other type stops the generator with the field's
// name: teach it the type, here and in fastjson.go, rather than write a
// codec by hand.
package main

import (
	"bytes"
	"encoding"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/summit-model/summit/events"
)

func main() {
	out := flag.String("o", "codec_fast.go", "the file to write")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("codecgen: ")
	src, err := generate()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

// leaf is how the runtime reads and writes a type with JSON methods of its
// own: read is an expression of a *scanner s, write appends the value x
// to b (and may fail, if fallible).
type leaf struct {
	read, write string
	fallible    bool
}

var leaves = map[reflect.Type]leaf{
	reflect.TypeFor[events.Time](): {read: "s.worldTime()", write: "appendWorldTime(b, %s)"},
	reflect.TypeFor[events.Days](): {read: "s.days()", write: "appendDays(b, %s)"},
	reflect.TypeFor[time.Time]():   {read: "s.recordTime()", write: "appendRecordTime(b, %s)", fallible: true},
	reflect.TypeFor[uuid.UUID]():   {read: "s.id()", write: "appendID(b, %s)"},
}

var (
	rawMessage       = reflect.TypeFor[json.RawMessage]()
	jsonMarshaler    = reflect.TypeFor[json.Marshaler]()
	jsonUnmarshaler  = reflect.TypeFor[json.Unmarshaler]()
	textMarshaler    = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshaler  = reflect.TypeFor[encoding.TextUnmarshaler]()
	eventsPkg        = reflect.TypeFor[events.Event]().PkgPath()
	worldTime        = reflect.TypeFor[events.Time]()
	maxFieldsOfShape = 64
)

// field is one field of a struct as encoding/json sees it.
type field struct {
	name      string // Go name
	key       string // JSON key
	omitempty bool
	omitzero  bool
	typ       reflect.Type
}

func fields(t reflect.Type) ([]field, error) {
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Anonymous {
			return nil, fmt.Errorf("%s.%s: embedded fields are not handled", t.Name(), f.Name)
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		fd := field{name: f.Name, key: name, typ: f.Type}
		for o := range strings.SplitSeq(opts, ",") {
			switch o {
			case "":
			case "omitempty":
				fd.omitempty = true
			case "omitzero":
				if f.Type.Kind() != reflect.Array || !f.Type.Comparable() {
					return nil, fmt.Errorf("%s.%s: omitzero is handled on arrays only", t.Name(), f.Name)
				}
				fd.omitzero = true
			default:
				return nil, fmt.Errorf("%s.%s: the json option %q is not handled", t.Name(), f.Name, o)
			}
		}
		if strconv.Quote(name) != `"`+name+`"` || strings.ContainsAny(name, `<>&`) {
			return nil, fmt.Errorf("%s.%s: the key %q needs escaping", t.Name(), f.Name, name)
		}
		out = append(out, fd)
	}
	if len(out) > maxFieldsOfShape {
		return nil, fmt.Errorf("%s: more than %d fields", t.Name(), maxFieldsOfShape)
	}
	return out, nil
}

// gen writes the file.
type gen struct {
	wire    reflect.Type
	read    bytes.Buffer
	write   bytes.Buffer
	structs []reflect.Type // queued for a reader and a writer
	queued  map[reflect.Type]bool
}

// typeName returns how codec_fast.go names t.
func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return "*" + typeName(t.Elem())
	case reflect.Slice:
		return "[]" + typeName(t.Elem())
	}
	if t.PkgPath() == "" || t.PkgPath() == eventsPkg {
		return t.Name()
	}
	return t.String()
}

func (g *gen) queue(t reflect.Type) string {
	if !g.queued[t] {
		g.queued[t] = true
		g.structs = append(g.structs, t)
	}
	return t.Name()
}

// isPlainStruct reports a struct read field by field: no JSON or text
// methods.
func isPlainStruct(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return t.Kind() == reflect.Struct && !p.Implements(jsonUnmarshaler) && !p.Implements(textUnmarshaler) &&
		!t.Implements(jsonMarshaler) && !t.Implements(textMarshaler) && t.PkgPath() == eventsPkg
}

// readValue returns the statements that read a value of type t into the
// addressable expression dst.
func (g *gen) readValue(t reflect.Type, dst, where string) (string, error) {
	if l, ok := leaves[t]; ok {
		return fmt.Sprintf("%s = %s", dst, l.read), nil
	}
	p := reflect.PointerTo(t)
	switch {
	case t == rawMessage:
		return fmt.Sprintf("%s = s.skip()", dst), nil
	case p.Implements(jsonUnmarshaler):
		return "", fmt.Errorf("%s: %s has an UnmarshalJSON the runtime does not know", where, t)
	case p.Implements(textUnmarshaler):
		return fmt.Sprintf("s.text(%s)", addr(dst)), nil
	}
	switch t.Kind() {
	case reflect.String:
		if t.Name() == "string" {
			return fmt.Sprintf("%s = s.str()", dst), nil
		}
		return fmt.Sprintf("%s = %s(s.str())", dst, typeName(t)), nil
	case reflect.Bool:
		return fmt.Sprintf("%s = s.boolean()", dst), nil
	case reflect.Int, reflect.Int64:
		return fmt.Sprintf("%s = %s", dst, convert(t, "int", "s.int()")), nil
	case reflect.Uint64:
		return fmt.Sprintf("%s = %s", dst, convert(t, "uint64", "s.uint()")), nil
	case reflect.Pointer:
		inner, err := g.readValue(t.Elem(), "*x", where)
		if isPlainStruct(t.Elem()) {
			inner = fmt.Sprintf("s.read%s(x)", g.queue(t.Elem()))
		}
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("{\nx := new(%s)\n%s\n%s = x\n}", typeName(t.Elem()), inner, dst), nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String && t.Elem().Name() == "string" {
			return fmt.Sprintf("%s = s.strs()", dst), nil
		}
		inner, err := g.readValue(t.Elem(), "x[len(x)-1]", where)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf(`{
			// Not nil: encoding/json makes an empty slice of [].
			x := make(%s, 0, 2)
			for ok := s.elem(true); ok; ok = s.elem(false) {
				var zero %s
				x = append(x, zero)
				%s
			}
			%s = x
		}`, typeName(t), typeName(t.Elem()), inner, dst), nil
	case reflect.Struct:
		if isPlainStruct(t) {
			return fmt.Sprintf("s.read%s(%s)", g.queue(t), addr(dst)), nil
		}
	}
	return "", fmt.Errorf("%s: the type %s is not handled", where, t)
}

// addr returns the address of the addressable expression dst: x for *x.
func addr(dst string) string {
	if strings.HasPrefix(dst, "*") {
		return dst[1:]
	}
	return "&" + dst
}

// convert returns x, of the type named to, as a t.
func convert(t reflect.Type, to, x string) string {
	if t.Name() == to && t.PkgPath() == "" {
		return x
	}
	return typeName(t) + "(" + x + ")"
}

// nonEmpty returns the negation of encoding/json's test of an empty value
// for omitempty, "" where a value is never empty.
func nonEmpty(t reflect.Type, x string) string {
	switch t.Kind() {
	case reflect.String, reflect.Slice, reflect.Map, reflect.Array:
		if t.Kind() == reflect.Array && t.Len() > 0 {
			return ""
		}
		return fmt.Sprintf("len(%s) != 0", x)
	case reflect.Bool:
		return x
	case reflect.Int, reflect.Int64, reflect.Uint64:
		return x + " != 0"
	case reflect.Pointer, reflect.Interface:
		return x + " != nil"
	}
	return ""
}

// writeValue returns the statements that append x, of type t, to b.
func (g *gen) writeValue(t reflect.Type, x, where string) (string, error) {
	return g.writeValueOmit(t, x, where, false)
}

// writeValueOmit is writeValue, for a value known not to be empty (nil)
// if notNil.
func (g *gen) writeValueOmit(t reflect.Type, x, where string, notNil bool) (string, error) {
	if l, ok := leaves[t]; ok {
		w := fmt.Sprintf(l.write, x)
		if l.fallible {
			return fmt.Sprintf("if b, ok = %s; !ok {\nreturn b, false\n}", w), nil
		}
		return "b = " + w, nil
	}
	switch {
	case t.Kind() == reflect.Pointer:
		// encoding/json writes a nil pointer as null, and otherwise what
		// it points to.
	case t == rawMessage:
		if where != g.wire.Name()+".Data" {
			return "", fmt.Errorf("%s: json.RawMessage is read only as the wire's data", where)
		}
		return "if b, ok = appendPayload(b, p); !ok {\nreturn b, false\n}", nil
	case t.Implements(jsonMarshaler):
		return "", fmt.Errorf("%s: %s has a MarshalJSON the runtime does not know", where, t)
	case t.Implements(textMarshaler):
		return fmt.Sprintf("if b, ok = appendText(b, %s); !ok {\nreturn b, false\n}", x), nil
	case reflect.PointerTo(t).Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(textMarshaler):
		return "", fmt.Errorf("%s: %s marshals by a pointer method, which encoding/json calls only where it can take the address", where, t)
	}
	switch t.Kind() {
	case reflect.String:
		if t.Name() == "string" {
			return fmt.Sprintf("b = appendString(b, %s)", x), nil
		}
		return fmt.Sprintf("b = appendString(b, string(%s))", x), nil
	case reflect.Bool:
		return fmt.Sprintf("b = appendBool(b, %s)", x), nil
	case reflect.Int, reflect.Int64:
		return fmt.Sprintf("b = appendInt(b, %s)", convert(t, "int", x)), nil
	case reflect.Uint64:
		return fmt.Sprintf("b = appendUint(b, %s)", convert(t, "uint64", x)), nil
	case reflect.Pointer:
		inner, err := g.writeValue(t.Elem(), "*"+x, where)
		switch _, isLeaf := leaves[t.Elem()]; {
		case t.Elem().Kind() == reflect.Struct && isPlainStruct(t.Elem()):
			inner, err = fmt.Sprintf("if b, ok = append%s(b, %s); !ok {\nreturn b, false\n}", g.queue(t.Elem()), x), nil
		case !isLeaf && t.Elem().Implements(textMarshaler) && !t.Elem().Implements(jsonMarshaler):
			// The pointer has the value's MarshalText.
			inner, err = fmt.Sprintf("if b, ok = appendText(b, %s); !ok {\nreturn b, false\n}", x), nil
		}
		if err != nil {
			return "", err
		}
		if notNil {
			return inner, nil
		}
		return fmt.Sprintf("if %s == nil {\nb = append(b, \"null\"...)\n} else {\n%s\n}", x, inner), nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String && t.Elem().Name() == "string" {
			return fmt.Sprintf("b = appendStrings(b, %s)", x), nil
		}
		inner, err := g.writeValue(t.Elem(), x+"[i]", where)
		if t.Elem().Kind() == reflect.Struct && isPlainStruct(t.Elem()) {
			inner, err = fmt.Sprintf("if b, ok = append%s(b, &%s[i]); !ok {\nreturn b, false\n}", g.queue(t.Elem()), x), nil
		}
		if err != nil {
			return "", err
		}
		if notNil {
			return fmt.Sprintf(`b = append(b, '[')
			for i := range %s {
				if i > 0 {
					b = append(b, ',')
				}
				%s
			}
			b = append(b, ']')`, x, inner), nil
		}
		return fmt.Sprintf(`if %s == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for i := range %s {
				if i > 0 {
					b = append(b, ',')
				}
				%s
			}
			b = append(b, ']')
		}`, x, x, inner), nil
	case reflect.Struct:
		if isPlainStruct(t) {
			return fmt.Sprintf("if b, ok = append%s(b, &%s); !ok {\nreturn b, false\n}", g.queue(t), x), nil
		}
	}
	return "", fmt.Errorf("%s: the type %s is not handled", where, t)
}

// structFuncs writes the reader and the writer of the struct t.
func (g *gen) structFuncs(t reflect.Type) error {
	fs, err := fields(t)
	if err != nil {
		return err
	}
	name := t.Name()
	r := &g.read
	fmt.Fprintf(r, "\n// read%s reads a %s as encoding/json does, or marks s bad.\n", name, name)
	fmt.Fprintf(r, "func (s *scanner) read%s(v *%s) {\n", name, name)
	if len(fs) == 0 {
		fmt.Fprintf(r, "if s.open() {\nif _, ok := s.key(true); ok {\ns.fail()\n}\n}\n}\n")
	} else {
		fmt.Fprintf(r, "if !s.open() {\nreturn\n}\nvar seen uint64\n")
		fmt.Fprintf(r, "for k, ok := s.key(true); ok; k, ok = s.key(false) {\nswitch string(k) {\n")
		for i, f := range fs {
			stmt, err := g.readValue(f.typ, "v."+f.name, name+"."+f.name)
			if err != nil {
				return err
			}
			fmt.Fprintf(r, "case %q:\ns.twice(&seen, 1<<%d)\n%s\n", f.key, i, stmt)
		}
		fmt.Fprintf(r, "default:\ns.fail()\n}\n}\n}\n")
	}

	w := &g.write
	extra, what := "", "a "+name
	if t == g.wire {
		extra, what = ", p Payload", "the wire form, with p as its data,"
	}
	var body bytes.Buffer
	// first is whether no field can stand before the next; written,
	// whether one surely does, so that its comma is static. Between the
	// two, the comma depends on what was written since start.
	first, written, dynamic := true, false, false
	for _, f := range fs {
		x := "v." + f.name
		cond := ""
		switch {
		case f.omitempty:
			cond = nonEmpty(f.typ, x)
		case f.omitzero:
			// encoding/json's test for an array with no IsZero method.
			cond = fmt.Sprintf("nonZero(%s)", x)
		}
		val, err := g.writeValueOmit(f.typ, x, name+"."+f.name, cond != "")
		if err != nil {
			return err
		}
		var key string
		switch {
		case first:
			key = fmt.Sprintf("b = append(b, `%q:`...)", f.key)
		case written:
			key = fmt.Sprintf("b = append(b, `,%q:`...)", f.key)
		default:
			dynamic = true
			key = fmt.Sprintf("if len(b) > start {\nb = append(b, ',')\n}\nb = append(b, `%q:`...)", f.key)
		}
		first = false
		if cond != "" {
			fmt.Fprintf(&body, "if %s {\n%s\n%s\n}\n", cond, key, val)
		} else {
			fmt.Fprintf(&body, "%s\n%s\n", key, val)
			written = true
		}
	}
	fmt.Fprintf(w, "\n// append%s appends %s as encoding/json writes it, or returns false.\n", name, what)
	fmt.Fprintf(w, "func append%s(b []byte, v *%s%s) ([]byte, bool) {\n", name, name, extra)
	if bytes.Contains(body.Bytes(), []byte("ok = ")) {
		fmt.Fprintf(w, "var ok bool\n")
	}
	fmt.Fprintf(w, "b = append(b, '{')\n")
	if dynamic {
		fmt.Fprintf(w, "start := len(b)\n")
	}
	w.Write(body.Bytes())
	fmt.Fprintf(w, "return append(b, '}'), true\n}\n")
	return nil
}

// localize returns the statements that read every events.Time that x, of
// type t, holds in loc, as the reflective walk of localize does: through
// exported fields, pointers and slices.
func localize(t reflect.Type, x string, depth int) []string {
	if depth > 8 {
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		if t.Elem() == worldTime {
			return []string{fmt.Sprintf("if %s != nil {\n*%s = %s.In(loc)\n}", x, x, x)}
		}
		deref := "(*" + x + ")"
		if t.Elem().Kind() == reflect.Struct && t.Elem() != worldTime {
			deref = x // a selector goes through the pointer
		}
		in := localize(t.Elem(), deref, depth+1)
		if len(in) == 0 {
			return nil
		}
		return []string{fmt.Sprintf("if %s != nil {\n%s\n}", x, strings.Join(in, "\n"))}
	case reflect.Struct:
		if t == worldTime {
			return []string{fmt.Sprintf("%s = %s.In(loc)", x, x)}
		}
		var out []string
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				out = append(out, localize(f.Type, x+"."+f.Name, depth+1)...)
			}
		}
		return out
	case reflect.Slice:
		in := localize(t.Elem(), x+"[i]", depth+1)
		if len(in) == 0 {
			return nil
		}
		return []string{fmt.Sprintf("for i := range %s {\n%s\n}", x, strings.Join(in, "\n"))}
	}
	return nil
}

// vocabulary returns the short strings an event often holds, which the
// reader shares rather than copies: the kinds and their CAMEO codes, the
// aggregate types, the main branch, the stances and the claim words.
func vocabulary() []string {
	words := []string{string(events.AggregateMeeting), string(events.AggregateActor), events.Main}
	for _, s := range events.Specs() {
		words = append(words, string(s.Kind), s.CAMEO)
	}
	for _, st := range []events.Stance{events.StanceSupportive, events.StanceNoncommittal, events.StanceOpposed} {
		words = append(words, string(st), events.CAMEO(events.KindStatementMade, &events.StatementMade{Stance: st}))
	}
	words = append(words, events.ClaimWords...)
	words = slices.DeleteFunc(words, func(w string) bool { return w == "" })
	slices.Sort(words)
	return slices.Compact(words)
}

func generate() ([]byte, error) {
	g := &gen{wire: events.CodecgenWire(), queued: map[reflect.Type]bool{}}
	g.queue(g.wire)
	specs := events.Specs()
	type kind struct {
		name string
		typ  reflect.Type
	}
	var kinds []kind
	for _, s := range specs {
		t := reflect.TypeOf(s.New())
		if t.Kind() != reflect.Pointer || !isPlainStruct(t.Elem()) {
			return nil, fmt.Errorf("kind %s: its payload %s is not a pointer to a plain struct", s.Kind, t)
		}
		kinds = append(kinds, kind{string(s.Kind), t.Elem()})
		g.queue(t.Elem())
	}
	for i := 0; i < len(g.structs); i++ {
		if err := g.structFuncs(g.structs[i]); err != nil {
			return nil, err
		}
	}

	var b bytes.Buffer
	b.WriteString(`// Code generated by events/internal/codecgen from the kinds table. DO NOT EDIT.

//go:build !codecgen

package events

import (
	"time"
)

// This file is the fast path of the codec, written from the kinds table by
// internal/codecgen (go generate): a reader and a writer of the wire form
// and of each kind's payload, field by field, on the runtime of
// fastjson.go. The reader accepts only the plain form Marshal writes and
// leaves anything else to encoding/json; the writer writes the bytes
// encoding/json writes.

`)
	words := vocabulary()
	longest := 0
	for _, w := range words {
		longest = max(longest, len(w))
	}
	if longest >= 32 {
		return nil, fmt.Errorf("the word %q is too long to intern", words[len(words)-1])
	}
	fmt.Fprintf(&b, "// maxInterned is the length of the longest word intern knows.\nconst maxInterned = %d\n\n", longest)
	b.WriteString("// intern returns v as a string, sharing the words of summit's vocabulary.\nfunc intern(v []byte) string {\nswitch string(v) {\n")
	for _, w := range words {
		fmt.Fprintf(&b, "case %q:\nreturn %q\n", w, w)
	}
	b.WriteString("}\nreturn string(v)\n}\n\n")
	var table [256]uint32
	for _, w := range words {
		table[w[0]] |= 1 << len(w)
	}
	b.WriteString("// internable holds, for each first byte, the lengths of the words intern knows\n// (bit n for length n).\nvar internable = [256]uint32{\n")
	for c, lens := range table {
		if lens != 0 {
			fmt.Fprintf(&b, "%q: %#x,\n", rune(c), lens)
		}
	}
	b.WriteString("}\n\n")

	wn := g.wire.Name()
	fmt.Fprintf(&b, `// fastUnmarshal reads b into w and a payload of w's kind, and returns
// false for anything it leaves to encoding/json.
func fastUnmarshal(b []byte, w *%s) (Payload, bool) {
	s := scanner{b: b}
	s.read%s(w)
	if !s.end() {
		return nil, false
	}
	s = scanner{b: w.Data}
	var p Payload
	switch w.Kind {
`, wn, wn)
	for _, k := range kinds {
		fmt.Fprintf(&b, "case %q:\nv := new(%s)\ns.read%s(v)\np = v\n", k.name, k.typ.Name(), k.typ.Name())
	}
	b.WriteString("default:\nreturn nil, false\n}\nif !s.end() {\nreturn nil, false\n}\nreturn p, true\n}\n\n")

	fmt.Fprintf(&b, `// fastMarshal appends to dst what encoding/json writes of w with p as its
// data, and returns false where it cannot say.
func fastMarshal(dst []byte, w *%s, p Payload) ([]byte, bool) {
	return append%s(dst, w, p)
}

// appendPayload appends p as encoding/json writes it, and returns false
// for a payload it does not know.
func appendPayload(b []byte, p Payload) ([]byte, bool) {
	switch p := p.(type) {
`, wn, wn)
	for _, k := range kinds {
		fmt.Fprintf(&b, "case *%s:\nif p != nil {\nreturn append%s(b, p)\n}\n", k.typ.Name(), k.typ.Name())
	}
	b.WriteString("}\nreturn b, false\n}\n\n")

	b.WriteString(`// localizePayload reads every date of p in loc, and returns false for a
// payload it does not know.
func localizePayload(p Payload, loc *time.Location) bool {
	switch p := p.(type) {
`)
	var none []string
	for _, k := range kinds {
		st := localize(k.typ, "p", 0)
		if len(st) == 0 {
			none = append(none, "*"+k.typ.Name())
			continue
		}
		fmt.Fprintf(&b, "case *%s:\n%s\n", k.typ.Name(), strings.Join(st, "\n"))
	}
	if len(none) > 0 {
		fmt.Fprintf(&b, "case %s:\n// No dates.\n", strings.Join(none, ", "))
	}
	b.WriteString("default:\nreturn false\n}\nreturn true\n}\n")

	b.Write(g.read.Bytes())
	b.Write(g.write.Bytes())
	src, err := format.Source(b.Bytes())
	if err != nil {
		return b.Bytes(), fmt.Errorf("the generated source does not format: %w", err)
	}
	return src, nil
}
