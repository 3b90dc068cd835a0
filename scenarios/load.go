package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"

	"github.com/summit-model/summit/events"
)

// The limits [Load] holds a file to. A real scenario is a few hundred lines
// nested four levels deep; the limits bound what a mistaken or hostile file
// can cost in memory and time.
const (
	// MaxFileSize is the largest scenario file, in bytes (8 MiB): a
	// hundred times a long scenario. The YAML reader holds a whole file as
	// nodes before summit reads a key of it, at up to 130 bytes of memory
	// per byte of file, so the limit also bounds that (about 1 GiB).
	MaxFileSize = 8 << 20
	// MaxDepth is how deeply mappings and lists may nest; the file's
	// top-level mapping is the first level.
	MaxDepth = 16
	// MaxStringLen is the longest string, value or key, in bytes (16 KiB).
	MaxStringLen = 16 << 10
	// MaxErrors is how many errors Load reports of one file; a last one
	// then says how many more there were. A file with more is not one a
	// list of errors helps to fix, and each error costs memory.
	MaxErrors = 100
)

// ErrNotRegular is wrapped by the error [LoadFile] returns for a path that
// is not a regular file: a directory, a named pipe, a device. A pipe or a
// device could keep a reader waiting for ever, so LoadFile refuses them
// before it reads a byte.
var ErrNotRegular = errors.New("not a regular file")

// LoadFile reads the file at path and loads it as [Load] does. It refuses
// anything but a regular file (a directory, a named pipe, a device) before
// it reads from it, and a file larger than [MaxFileSize]; it reads at most
// MaxFileSize+1 bytes whatever the file claims. An error opening or reading
// the file is returned as the os package gives it; every problem with what
// the path is or holds is in an [ErrorList].
func LoadFile(path string, mode Mode) (*Scenario, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) && path == "-" {
		// The usual name of standard input, which is no file either.
		return nil, ErrorList{{File: path, Msg: "no such file: summit reads a scenario or event file from a path, not from standard input; save it to a file first", Err: err}}
	}
	if err != nil {
		return nil, err
	}
	if err := checkRegular(path, fi); err != nil {
		return nil, err
	}
	// The path may have been replaced since Stat: open it so that a pipe
	// does not block the open (openFlags), then look again at what was
	// opened.
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := checkRegular(path, fi); err != nil {
		return nil, err
	}
	if fi.Size() > MaxFileSize {
		return nil, tooLarge(path)
	}
	// The limit holds for a file that grows while it is read: Load refuses
	// the extra byte.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	return Load(path, data, mode)
}

// checkRegular refuses what fi describes unless it is a regular file.
func checkRegular(path string, fi fs.FileInfo) error {
	if fi.Mode().IsRegular() {
		return nil
	}
	what := "a special file"
	switch t := fi.Mode().Type(); {
	case t&fs.ModeDir != 0:
		what = "a directory"
	case t&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case t&fs.ModeSocket != 0:
		what = "a socket"
	case t&fs.ModeDevice != 0:
		what = "a device"
	}
	return ErrorList{{File: path, Msg: fmt.Sprintf("%s, not a regular file: a scenario or event file is read from a file", what), Err: ErrNotRegular}}
}

func tooLarge(file string) ErrorList {
	return ErrorList{{File: file, Msg: fmt.Sprintf("the file is larger than the limit of %d MiB", MaxFileSize>>20)}}
}

// Load reads a scenario or event file from data, reporting problems
// against file. It returns the file's declarations, timeline and
// expectations, each checked as far as the file alone allows, or nil and an
// [ErrorList] of every problem found, sorted by line and capped at
// [MaxErrors]. It never returns part of a file. The names a file uses are
// resolved later, by [Scenario.Plan], against the file's own declarations
// and what a store holds.
//
// A [ScenarioFile] needs a name and may hold expectations; an [EventFile]
// may leave out its name and holds no expectations.
//
// Problems with the file as such (too large, not UTF-8, not YAML, anchors,
// nesting deeper than [MaxDepth], strings longer than [MaxStringLen]) are
// reported alone: Load does not read the keys of a file it will not
// interpret.
func Load(file string, data []byte, mode Mode) (*Scenario, error) {
	l := newLoader(file, mode)
	l.load(data)
	if err := l.finish(); err != nil {
		return nil, err
	}
	return l.sc, nil
}

func newLoader(file string, mode Mode) *loader {
	return &loader{
		report: report{file: file},
		mode:   mode,
		loc:    time.UTC,
		sc:     &Scenario{File: file, Location: time.UTC},
		fields: map[events.Kind][]events.Field{},
	}
}

// loader is the state of one Load: the scenario it fills and the errors
// it collects.
type loader struct {
	report
	mode Mode
	// flags is set when the loader reads the entry that [LoadFlags] builds:
	// its messages then name flags (--within), not keys.
	flags bool
	sc    *Scenario
	// loc is the scenario's timezone: date-only values are days in it.
	loc *time.Location
	// fields caches the kinds table's fields of each kind.
	fields map[events.Kind][]events.Field
}

// name is how messages call key: the key itself in a file, its flag
// (--initiated-by) in "summit add".
func (l *loader) name(key string) string {
	if l.flags {
		return flagName(key)
	}
	return key
}

// firstAt reads " (first at line N)", or nothing for flags, which have no
// lines.
func (l *loader) firstAt(line int) string {
	if l.flags || line == 0 {
		return ""
	}
	return fmt.Sprintf(" (first at line %d)", line)
}

// empty is the message for a file with nothing in it.
func (l *loader) empty() string {
	if l.mode == EventFile {
		return "the file is empty: an event file needs a timeline"
	}
	return "the file is empty: a scenario needs at least a name and a timeline"
}

func (l *loader) load(data []byte) {
	if len(data) > MaxFileSize {
		l.errs = tooLarge(l.file)
		l.total = 1
		return
	}
	if !l.encoding(data) {
		return
	}
	root := l.parse(data)
	if root == nil || l.total > 0 {
		return
	}
	if l.guard(root, 1); l.total > 0 {
		return
	}
	l.scenario(root)
}

// encoding reports the first byte that is not UTF-8, or the first character
// YAML does not allow, with its line. The YAML reader refuses both too, but
// without saying where.
func (l *loader) encoding(data []byte) bool {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			l.errorf(lineAt(data, i), "the file is not UTF-8 (byte %#x)", data[i])
			return false
		case !yamlChar(r):
			l.errorf(lineAt(data, i), "character %U is not allowed in YAML", r)
			return false
		}
		i += size
	}
	return true
}

// lineAt returns the line of data[i], counting line breaks as YAML does: a
// CR, an LF, a CR LF, and the Unicode NEL, LS and PS.
func lineAt(data []byte, i int) int {
	line := 1
	for j, r := range string(data[:i]) {
		if breaks(data, j, r) {
			line++
		}
	}
	return line
}

// breaks reports whether r, at data[j], ends a line: a CR, an LF that no
// CR comes just before, or a NEL, LS or PS.
func breaks(data []byte, j int, r rune) bool {
	switch r {
	case '\n':
		return j == 0 || data[j-1] != '\r'
	case '\r', 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// tabIndents reports whether the indentation of line n of data (the white
// space it begins with) holds a tab. Lines are counted as [lineAt] counts
// them.
func tabIndents(data []byte, n int) bool {
	line, start := 1, 0
	for j, r := range string(data) {
		if line == n {
			break
		}
		if breaks(data, j, r) {
			line++
		}
		start = j + utf8.RuneLen(r)
	}
	if line != n {
		return false
	}
	if start > 0 && start < len(data) && data[start] == '\n' && data[start-1] == '\r' {
		start++ // past the LF of the CR LF that ended the line before
	}
	for _, c := range data[start:] {
		switch c {
		case '\t':
			return true
		case ' ':
		default:
			return false
		}
	}
	return false
}

// yamlChar reports whether YAML allows r in a file, as the YAML 1.2 spec's
// c-printable does.
func yamlChar(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r', r == 0x85:
	case r >= 0x20 && r <= 0x7E, r >= 0xA0 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
	default:
		return false
	}
	return true
}

// parse returns the root node of the file's one YAML document, or nil.
func (l *loader) parse(data []byte) (root *yaml.Node) {
	defer func() {
		// yaml.v3 panics on a few inputs it calls internal errors. A
		// scenario file, whatever it holds, must not bring the program
		// down.
		if r := recover(); r != nil {
			l.errorf(0, "the YAML parser failed: %v", r)
			root = nil
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err == io.EOF {
		l.errorf(0, "%s", l.empty())
		return nil
	} else if err != nil {
		l.syntax(err, data)
		return nil
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		l.errorf(max(next.Line, 1), "a second YAML document begins here: a scenario file holds one")
	} else if err != io.EOF {
		l.syntax(err, data)
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		l.errorf(0, "%s", l.empty())
		return nil
	}
	return doc.Content[0]
}

// syntax reports an error of the YAML parser at its line. yaml.v3 writes
// them as "yaml: line N: problem", but counts lines from 0 for the parser's
// problems (and from 1 for the scanner's), and leaves out "line 0".
func (l *loader) syntax(err error, data []byte) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, m, ok := strings.Cut(rest, ": "); ok {
			if v, err := strconv.Atoi(n); err == nil {
				line, msg = v, m
			}
		}
	}
	switch {
	case parserProblem(msg):
		line++
	case strings.HasPrefix(msg, "unknown anchor '"):
		// Only an alias whose anchor is missing gets here: the others reach
		// guard. Find it in the text.
		name := strings.TrimSuffix(strings.TrimPrefix(msg, "unknown anchor '"), "' referenced")
		line, msg = lineOf(data, "*"+name), fmt.Sprintf("alias *%s: anchors and aliases are not supported", name)
	case msg == "found character that cannot start any token" && tabIndents(data, line):
		// A tab where YAML wants spaces: the scanner's words do not say so.
		msg = "a tab indents this line: YAML indents with spaces only"
	case strings.HasPrefix(msg, "exceeded max depth"):
		// The reader's own limit, far past Load's.
		msg = fmt.Sprintf("nested more than %d levels deep", MaxDepth)
	}
	if line == 0 {
		line = 1
	}
	l.errorf(line, "%s", msg)
}

// parserProblem reports whether msg is one of the problems of yaml.v3's
// parser (parserc.go), as opposed to its scanner.
func parserProblem(msg string) bool {
	switch msg {
	case "did not find expected <stream-start>", "did not find expected <document start>",
		"found undefined tag handle", "did not find expected node content",
		"did not find expected '-' indicator", "did not find expected key",
		"did not find expected ',' or ']'", "did not find expected ',' or '}'",
		"found duplicate %YAML directive", "found incompatible YAML document",
		"found duplicate %TAG directive":
		return true
	}
	return false
}

// lineOf returns the line on which s first occurs in data, or 0.
func lineOf(data []byte, s string) int {
	i := bytes.Index(data, []byte(s))
	if i < 0 {
		return 0
	}
	return lineAt(data, i)
}

// guard reports what Load refuses to interpret: anchors and aliases (an
// alias makes one line of text stand for many, and its errors would point
// at the anchor), nesting deeper than MaxDepth and strings longer than
// MaxStringLen.
func (l *loader) guard(n *yaml.Node, depth int) {
	switch {
	case n.Kind == yaml.AliasNode:
		l.errorf(n.Line, "alias *%s: anchors and aliases are not supported", n.Value)
		return
	case n.Anchor != "":
		l.errorf(n.Line, "anchor &%s: anchors and aliases are not supported", n.Anchor)
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if len(n.Value) > MaxStringLen {
			l.errorf(n.Line, "a string of %d bytes is longer than the limit of %d", len(n.Value), MaxStringLen)
		}
	case yaml.MappingNode, yaml.SequenceNode:
		if depth > MaxDepth {
			l.errorf(n.Line, "nested more than %d levels deep", MaxDepth)
			return
		}
		for _, c := range n.Content {
			l.guard(c, depth+1)
		}
	}
}

// scenario reads the top-level mapping, one section after another in the
// order they depend on each other (the timezone before any date, the
// sources before the entries that cite them), whatever their order in the
// file. Names are not resolved here: a file may name what a store holds.
func (l *loader) scenario(root *yaml.Node) {
	if root.Kind != yaml.MappingNode {
		l.errorf(root.Line, "a %s is a mapping of name, title, timezone, sources, parties, people, meetings, timeline and expect, not %s", l.mode, kindName(root))
		return
	}
	f := l.object(root, "scenario", "name", "title", "timezone", "sources", "parties", "people", "meetings", "timeline", "expect")
	switch l.sc.Name = l.str(f.val("name"), "name"); {
	case l.sc.Name != "":
		if err := events.CheckName(l.sc.Name); err != nil {
			l.errorf(f.line("name"), "name: %v", err)
		}
	case l.mode == ScenarioFile:
		l.errorf(root.Line, "missing name: a scenario needs one, such as budapest-2025")
	}
	l.sc.Title = l.str(f.val("title"), "title")
	l.timezone(f.val("timezone"))
	l.sources(f.val("sources"))
	l.declareParties(f.val("parties"))
	l.declarePeople(f.val("people"))
	l.declareMeetings(f.val("meetings"))
	l.timeline(f.val("timeline"))
	if _, ok := f["expect"]; ok && l.mode == EventFile {
		l.errorf(f.line("expect"), "an event file has no expectations: replay a scenario to check them")
		return
	}
	l.expectations(f.val("expect"))
}

// timezone reads the scenario's timezone, an IANA name; UTC if it names
// none (or names a zone summit does not know, which is an error).
func (l *loader) timezone(n *yaml.Node) {
	name := l.str(n, "timezone")
	if name == "" {
		return
	}
	loc, err := events.Location(name)
	if err != nil {
		l.errorf(n.Line, "%v", err)
		return
	}
	l.setZone(name, loc)
}

// setZone makes loc, named name, the scenario's timezone. UTC is kept as
// "", as events keep it, so that a file that names UTC and one that names
// no zone record the same events.
func (l *loader) setZone(name string, loc *time.Location) {
	if loc == time.UTC {
		name = ""
	}
	l.loc, l.sc.Zone, l.sc.Location = loc, name, loc
}

func (l *loader) sources(n *yaml.Node) {
	for _, p := range l.pairs(n, "sources") {
		if p.key.Value == "" {
			l.errorf(p.key.Line, "sources: a source needs a key")
			continue
		}
		s := l.source(p.val, fmt.Sprintf("source %q", p.key.Value))
		s.ID = p.key.Value
		if l.sc.Sources == nil {
			l.sc.Sources = map[string]events.Source{}
		}
		l.sc.Sources[s.ID] = s
	}
}

// source reads a source's mapping: under sources, or inline in an entry.
func (l *loader) source(n *yaml.Node, what string) events.Source {
	f := l.object(n, what, "outlet", "address", "published", "note")
	return events.Source{
		Outlet:    l.str(f.val("outlet"), what+": outlet"),
		Address:   l.str(f.val("address"), what+": address"),
		Published: l.str(f.val("published"), what+": published"),
		Note:      l.str(f.val("note"), what+": note"),
	}
}

func (l *loader) declareParties(n *yaml.Node) {
	for _, p := range l.pairs(n, "parties") {
		id, line := p.key.Value, p.key.Line
		what := fmt.Sprintf("party %q", id)
		l.checkName(line, "party", id)
		f := l.object(p.val, what, "name")
		party := Party{Line: line, ID: id, Name: l.str(f.val("name"), what+": name")}
		if party.Name == "" {
			l.errorf(line, "%s: missing name", what)
		}
		l.sc.Parties = append(l.sc.Parties, party)
	}
}

func (l *loader) declarePeople(n *yaml.Node) {
	parties := make(map[string]bool, len(l.sc.Parties))
	for _, p := range l.sc.Parties {
		parties[p.ID] = true
	}
	for _, p := range l.pairs(n, "people") {
		id, line := p.key.Value, p.key.Line
		what := fmt.Sprintf("person %q", id)
		l.checkName(line, "person", id)
		if parties[id] {
			l.errorf(line, "%s: already a party's id (parties and people share one namespace)", what)
		}
		f := l.object(p.val, what, "name", "party", "role")
		person := Person{
			Line:  line,
			ID:    id,
			Name:  l.str(f.val("name"), what+": name"),
			Party: l.str(f.val("party"), what+": party"),
			Role:  l.str(f.val("role"), what+": role"),
			Lines: f.lines(),
		}
		if person.Name == "" {
			l.errorf(line, "%s: missing name", what)
		}
		if person.Party == "" {
			l.errorf(line, "%s: missing party", what)
		} else if err := events.CheckName(person.Party); err != nil {
			l.errorf(f.line("party"), "%s: party: %v", what, err)
		}
		l.sc.People = append(l.sc.People, person)
	}
}

func (l *loader) declareMeetings(n *yaml.Node) {
	for _, p := range l.pairs(n, "meetings") {
		id, line := p.key.Value, p.key.Line
		what := fmt.Sprintf("meeting %q", id)
		l.checkName(line, "meeting", id)
		f := l.object(p.val, what, "title", "participants")
		m := Meeting{Line: line, ID: id, Title: l.str(f.val("title"), what+": title"), Lines: f.lines()}
		if m.Title == "" {
			l.errorf(line, "%s: missing title", what)
		}
		m.Participants = l.ids(f.val("participants"), "participants", what+": participants", m.Lines)
		if len(m.Participants) == 0 {
			l.errorf(line, "%s: needs at least one participant (a person, or a party)", what)
		}
		l.sc.Meetings = append(l.sc.Meetings, m)
	}
}

// ids reads a list of ids (people, parties) under key, each named once,
// noting each item's line in lines as "key[i]".
func (l *loader) ids(n *yaml.Node, key, what string, lines map[string]int) []string {
	var out []string
	first := map[string]int{}
	for _, item := range l.list(n, what) {
		id := l.str(item, what)
		switch {
		case id == "":
			if item.Kind == yaml.ScalarNode {
				l.errorf(item.Line, "%s: an empty item", what)
			}
			continue
		}
		if at, ok := first[id]; ok {
			l.errorf(item.Line, "%s: %q named twice%s", what, id, l.firstAt(at))
			continue
		}
		if err := events.CheckName(id); err != nil {
			l.errorf(item.Line, "%s: %v", what, err)
		}
		lines[fmt.Sprintf("%s[%d]", key, len(out))] = item.Line
		first[id] = item.Line
		out = append(out, id)
	}
	return out
}

func (l *loader) checkName(line int, what, id string) {
	if err := events.CheckName(id); err != nil {
		l.errorf(line, "%s id: %v", what, err)
	}
}

// A pair is one key and its value in a mapping.
type pair struct{ key, val *yaml.Node }

// pairs returns the pairs of mapping n in the file's order, reporting keys
// that are not single values and keys given twice (yaml.v3 reports neither
// when it decodes into nodes). A missing or null n has no pairs.
func (l *loader) pairs(n *yaml.Node, what string) []pair {
	if blank(n) || !l.want(n, yaml.MappingNode, what) {
		return nil
	}
	var ps []pair
	first := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			l.errorf(k.Line, "%s: a key must be a single value, not %s", what, kindName(k))
			continue
		}
		if k.ShortTag() == "!!merge" {
			l.errorf(k.Line, "%s: merge keys (<<) are not supported: write the keys out", what)
			continue
		}
		if at, ok := first[k.Value]; ok {
			l.errorf(k.Line, "%s: key %q given twice (first at line %d)", what, k.Value, at)
			continue
		}
		first[k.Value] = k.Line
		ps = append(ps, pair{k, v})
	}
	return ps
}

// fields are the pairs of a mapping by key.
type fields map[string]pair

// val returns the value of key, or nil.
func (f fields) val(key string) *yaml.Node {
	if p, ok := f[key]; ok {
		return p.val
	}
	return nil
}

// line returns the line of key, or 0.
func (f fields) line(key string) int {
	if p, ok := f[key]; ok {
		return p.key.Line
	}
	return 0
}

// lines returns the line of each key.
func (f fields) lines() map[string]int {
	m := make(map[string]int, len(f))
	for k, p := range f {
		m[k] = p.key.Line
	}
	return m
}

// object returns the pairs of mapping n by key, reporting every key not
// among allowed.
func (l *loader) object(n *yaml.Node, what string, allowed ...string) fields {
	f := fields{}
	for _, p := range l.pairs(n, what) {
		if !slices.Contains(allowed, p.key.Value) {
			l.errorf(p.key.Line, "%s: unknown key %q%s (want %s)", what, p.key.Value, events.DidYouMean(p.key.Value, allowed), strings.Join(allowed, ", "))
			continue
		}
		f[p.key.Value] = p
	}
	return f
}

// list returns the items of list n; a missing or null n has none.
func (l *loader) list(n *yaml.Node, what string) []*yaml.Node {
	if blank(n) || !l.want(n, yaml.SequenceNode, what) {
		return nil
	}
	return n.Content
}

// str returns the single value n holds, or "" for a missing or null n.
func (l *loader) str(n *yaml.Node, what string) string {
	if n == nil || isNull(n) || !l.want(n, yaml.ScalarNode, what) {
		return ""
	}
	return n.Value
}

// time reads a world time from n; the zero Time if n is missing or bad.
func (l *loader) time(n *yaml.Node, what string) events.Time {
	s := l.str(n, what)
	if s == "" {
		return events.Time{}
	}
	t, err := events.ParseTimeIn(s, l.loc)
	if err != nil {
		l.errorf(n.Line, "%s: %v", what, err)
	}
	return t
}

func (l *loader) want(n *yaml.Node, kind yaml.Kind, what string) bool {
	if n.Kind == kind {
		return true
	}
	l.errorf(n.Line, "%s: want %s, not %s", what, kindName(&yaml.Node{Kind: kind}), kindName(n))
	return false
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value"
	}
	return "an alias"
}

// isNull reports whether n is YAML's null: "~", "null" or nothing at all.
func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// blank reports whether n is missing, null or the empty string.
func blank(n *yaml.Node) bool {
	return n == nil || isNull(n) || (n.Kind == yaml.ScalarNode && n.Value == "")
}
