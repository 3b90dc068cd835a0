package scenarios

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
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

// Cast is who and what a file may name besides what it declares itself: the
// parties, people and meetings already in a store, by id. An event file
// appended to such a store names them without declaring them again.
type Cast struct {
	Parties  map[string]Party
	People   map[string]Person
	Meetings map[string]Meeting
}

// LoadFile reads the scenario file at path and loads it as [Load] does. It
// refuses a file larger than [MaxFileSize] before reading it. An error
// reading the file is returned as the os package gives it; every problem
// with its content is in an [ErrorList].
func LoadFile(path string, known *Cast) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > MaxFileSize {
		var errs ErrorList
		errs.Add(path, 0, "the file is larger than the limit of %d MiB", MaxFileSize>>20)
		return nil, errs
	}
	// The limit holds for what Stat cannot size (a pipe, a file that grows):
	// Load refuses the extra byte.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	return Load(path, data, known)
}

// Load reads a scenario from data, reporting problems against file. It
// returns the scenario with every name resolved and every event checked as
// far as a file alone allows (the rules of a meeting's life are the
// aggregate's), or nil and an [ErrorList] of every problem found, sorted by
// line. It never returns part of a scenario.
//
// With known nil the file is a scenario of its own and must have a name;
// otherwise it is an event file for a store that holds known, its name is
// optional, and it may name the parties, people and meetings of known as
// well as its own.
//
// Problems with the file as such (too large, not UTF-8, not YAML, anchors,
// nesting deeper than [MaxDepth], strings longer than [MaxStringLen]) are
// reported alone: Load does not read the keys of a file it will not
// interpret.
func Load(file string, data []byte, known *Cast) (*Scenario, error) {
	sum := sha256.Sum256(data)
	l := &loader{
		file:     file,
		known:    known,
		sc:       &Scenario{File: file, Digest: hex.EncodeToString(sum[:])},
		parties:  map[string]bool{},
		people:   map[string]Person{},
		meetings: map[string]bool{},
	}
	l.load(data)
	l.errs.Sort()
	if more := l.total - len(l.errs); more > 0 {
		last := l.errs[len(l.errs)-1]
		l.errs.Add(file, last.Line, "too many errors: %d more not shown", more)
	}
	if err := l.errs.Err(); err != nil {
		return nil, err
	}
	return l.sc, nil
}

// loader is the state of one Load: the scenario it fills, the errors it
// collects, and the file's own declarations by id.
type loader struct {
	file  string
	known *Cast
	errs  ErrorList
	// total counts every error found, kept in errs or not.
	total    int
	sc       *Scenario
	parties  map[string]bool
	people   map[string]Person
	meetings map[string]bool
}

// errorf reports an error at line; past [MaxErrors], it only counts it.
func (l *loader) errorf(line int, format string, args ...any) {
	l.total++
	if len(l.errs) < MaxErrors {
		l.errs.Add(l.file, line, format, args...)
	}
}

func (l *loader) load(data []byte) {
	if len(data) > MaxFileSize {
		l.errorf(0, "the file is larger than the limit of %d MiB", MaxFileSize>>20)
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
		switch r {
		case '\n':
			if j == 0 || data[j-1] != '\r' {
				line++
			}
		case '\r', 0x85, 0x2028, 0x2029:
			line++
		}
	}
	return line
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
		l.errorf(0, "the file is empty: a scenario needs at least a name and a timeline")
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
	if len(doc.Content) == 0 {
		l.errorf(0, "the file is empty: a scenario needs at least a name and a timeline")
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
// order their names resolve in (a person names a party, a meeting people),
// whatever their order in the file.
func (l *loader) scenario(root *yaml.Node) {
	if root.Kind != yaml.MappingNode {
		l.errorf(root.Line, "a scenario is a mapping of name, title, parties, people, meetings, timeline and expect, not %s", kindName(root))
		return
	}
	f := l.object(root, "scenario", "name", "title", "sources", "parties", "people", "meetings", "timeline", "expect")
	switch l.sc.Name = l.str(f["name"], "name"); {
	case l.sc.Name != "":
		if err := events.CheckName(l.sc.Name); err != nil {
			l.errorf(f["name"].Line, "name: %v", err)
		}
	case l.known == nil:
		l.errorf(root.Line, "missing name: a scenario needs one, such as budapest-2025")
	}
	l.sc.Title = l.str(f["title"], "title")
	l.sources(f["sources"])
	l.declareParties(f["parties"])
	l.declarePeople(f["people"])
	l.declareMeetings(f["meetings"])
	l.timeline(f["timeline"])
	l.expectations(f["expect"])
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
		Outlet:    l.str(f["outlet"], what+": outlet"),
		Address:   l.str(f["address"], what+": address"),
		Published: l.str(f["published"], what+": published"),
		Note:      l.str(f["note"], what+": note"),
	}
}

func (l *loader) declareParties(n *yaml.Node) {
	for _, p := range l.pairs(n, "parties") {
		id, line := p.key.Value, p.key.Line
		what := fmt.Sprintf("party %q", id)
		l.checkName(line, "party", id)
		if _, ok := l.knownPerson(id); ok {
			l.errorf(line, "%s: already a person's id (parties and people share one namespace)", what)
		}
		f := l.object(p.val, what, "name")
		party := Party{Line: line, ID: id, Name: l.str(f["name"], what+": name")}
		if party.Name == "" {
			l.errorf(line, "%s: missing name", what)
		}
		l.parties[id] = true
		l.sc.Parties = append(l.sc.Parties, party)
	}
}

func (l *loader) declarePeople(n *yaml.Node) {
	for _, p := range l.pairs(n, "people") {
		id, line := p.key.Value, p.key.Line
		what := fmt.Sprintf("person %q", id)
		l.checkName(line, "person", id)
		if l.isParty(id) {
			l.errorf(line, "%s: already a party's id (parties and people share one namespace)", what)
		}
		f := l.object(p.val, what, "name", "party", "role")
		person := Person{
			Line:  line,
			ID:    id,
			Name:  l.str(f["name"], what+": name"),
			Party: l.str(f["party"], what+": party"),
			Role:  l.str(f["role"], what+": role"),
		}
		if person.Name == "" {
			l.errorf(line, "%s: missing name", what)
		}
		switch {
		case person.Party == "":
			l.errorf(line, "%s: missing party", what)
		case !l.isParty(person.Party):
			l.errorf(f["party"].Line, "%s: party: unknown party %q", what, person.Party)
		}
		l.people[id] = person
		l.sc.People = append(l.sc.People, person)
	}
}

func (l *loader) declareMeetings(n *yaml.Node) {
	for _, p := range l.pairs(n, "meetings") {
		id, line := p.key.Value, p.key.Line
		what := fmt.Sprintf("meeting %q", id)
		l.checkName(line, "meeting", id)
		f := l.object(p.val, what, "title", "participants")
		m := Meeting{Line: line, ID: id, Title: l.str(f["title"], what+": title")}
		if m.Title == "" {
			l.errorf(line, "%s: missing title", what)
		}
		first := map[string]int{}
		for _, pn := range l.list(f["participants"], what+": participants") {
			who := l.str(pn, what+": participants")
			switch _, person := l.person(who); {
			case who == "":
				l.errorf(pn.Line, "%s: participants: an empty entry", what)
				continue
			case !person && l.isParty(who):
				l.errorf(pn.Line, "%s: participants: %q is a party; a meeting's participants are people", what, who)
			case !person:
				l.errorf(pn.Line, "%s: participants: unknown person %q", what, who)
			}
			if at, ok := first[who]; ok {
				l.errorf(pn.Line, "%s: participants: %q named twice (first at line %d)", what, who, at)
				continue
			}
			first[who] = pn.Line
			m.Participants = append(m.Participants, who)
		}
		if pn := f["participants"]; blank(pn) || pn.Kind == yaml.SequenceNode && len(pn.Content) == 0 {
			l.errorf(line, "%s: needs at least one participant", what)
		}
		l.meetings[id] = true
		l.sc.Meetings = append(l.sc.Meetings, m)
	}
}

func (l *loader) checkName(line int, what, id string) {
	if err := events.CheckName(id); err != nil {
		l.errorf(line, "%s id: %v", what, err)
	}
}

// The names a file may use: its own declarations first, then known's.

func (l *loader) isParty(id string) bool {
	if l.parties[id] {
		return true
	}
	_, ok := l.knownParty(id)
	return ok
}

func (l *loader) person(id string) (Person, bool) {
	if p, ok := l.people[id]; ok {
		return p, true
	}
	return l.knownPerson(id)
}

func (l *loader) isMeeting(id string) bool {
	if l.meetings[id] {
		return true
	}
	if l.known == nil {
		return false
	}
	_, ok := l.known.Meetings[id]
	return ok
}

func (l *loader) knownParty(id string) (Party, bool) {
	if l.known == nil {
		return Party{}, false
	}
	p, ok := l.known.Parties[id]
	return p, ok
}

func (l *loader) knownPerson(id string) (Person, bool) {
	if l.known == nil {
		return Person{}, false
	}
	p, ok := l.known.People[id]
	return p, ok
}

// actor reads the id of a person or party from n, and returns it with the
// party it acts for.
func (l *loader) actor(n *yaml.Node, what string) (id, party string) {
	if id = l.str(n, what); id == "" {
		return "", ""
	}
	if p, ok := l.person(id); ok {
		return id, p.Party
	}
	if l.isParty(id) {
		return id, id
	}
	l.errorf(n.Line, "%s: unknown person or party %q", what, id)
	return id, ""
}

// meeting reads the id of a meeting from n.
func (l *loader) meeting(n *yaml.Node, what string) string {
	id := l.str(n, what)
	if id != "" && !l.isMeeting(id) {
		l.errorf(n.Line, "%s: unknown meeting %q", what, id)
	}
	return id
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

// object returns the values of mapping n by key, reporting every key not
// among allowed.
func (l *loader) object(n *yaml.Node, what string, allowed ...string) map[string]*yaml.Node {
	f := map[string]*yaml.Node{}
	for _, p := range l.pairs(n, what) {
		if !slices.Contains(allowed, p.key.Value) {
			l.errorf(p.key.Line, "%s: unknown key %q (want %s)", what, p.key.Value, strings.Join(allowed, ", "))
			continue
		}
		f[p.key.Value] = p.val
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
	t, err := events.ParseTime(s)
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
