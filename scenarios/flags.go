package scenarios

import (
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/summit-model/summit/events"
)

// Flag is one flag of "summit add": its name, the scenario key with '_'
// written '-' (initiated-by), and its value as given ("" for a bool flag
// given alone: --early).
type Flag struct{ Name, Value string }

// The flags of "summit add" that are not a key of their own: a source is
// an outlet's name there (a file's source ids are not at hand), with its
// address and publication date.
const (
	flagSource    = "source"
	flagSourceURL = "source-url"
	flagPublished = "published"
)

// LoadFlags builds a one-entry event file from a kind and the values of
// "summit add"'s flags, with the same checks as a file entry, in the
// timezone zone ("" for UTC). Its errors, in an [ErrorList], name the flag
// ("--within: span \"3x\": want ..."), not a file and line; so do the
// errors of [Scenario.Plan] on what it returns.
//
// Values: lists are comma-separated (--participants trump,putin); a window
// and a range of days are FROM..TO (--window 2025-10-20..2025-10-30, --date
// 2019-02-27..2019-02-28); --requires names the meeting required held; a
// bool flag alone is true (--early), or takes true or false; --source is an
// outlet's name (--source ntv.de), with --source-url and --published. The
// caller passes --at (today, if the user gave none) and, if it wants one,
// --reported.
func LoadFlags(kind events.Kind, flags []Flag, zone string) (*Scenario, error) {
	l := newLoader("", EventFile)
	l.flags = true
	l.loadFlags(kind, flags, zone)
	if err := l.finish(); err != nil {
		return nil, err
	}
	return l.sc, nil
}

func (l *loader) loadFlags(kind events.Kind, flags []Flag, zone string) {
	if zone != "" {
		loc, err := events.Location(zone)
		if err != nil {
			l.errorf(0, "%v", err)
			return
		}
		l.setZone(zone, loc)
	}
	switch {
	case kind.Known() && !kind.InTimeline():
		l.errorf(0, "%s: not an event to add: summit declares parties, people and meetings from a scenario's own sections", kind)
		return
	case !kind.InTimeline():
		l.errorf(0, "unknown kind %q%s (want one of %s)", kind, events.DidYouMean(kind, events.TimelineKinds()), joinWords(events.TimelineKinds()))
		return
	}
	types := map[string]events.FieldType{}
	for _, f := range events.Fields(kind) {
		types[f.Key] = f.Type
	}
	required, optional := events.Keys(kind)
	var allowed []string
	for _, k := range slices.Concat(required, optional, commonKeys) {
		if k != "event" {
			allowed = append(allowed, flagName(k))
		}
	}
	allowed = append(allowed, flagName(flagSourceURL), flagName(flagPublished))

	root := &yaml.Node{Kind: yaml.MappingNode}
	add := func(key string, val *yaml.Node) {
		root.Content = append(root.Content, scalar(key), val)
	}
	add("event", scalar(string(kind)))
	var source []*yaml.Node
	seen := map[string]bool{}
	for _, f := range flags {
		f.Name = strings.TrimLeft(f.Name, "-")
		flag := flagName(f.Name)
		if !slices.Contains(allowed, flag) {
			l.errorf(0, "%s: %s takes no %s (want %s)", flag, kind, flag, strings.Join(allowed, ", "))
			continue
		}
		if seen[flag] {
			l.errorf(0, "%s: given twice", flag)
			continue
		}
		seen[flag] = true
		switch key := strings.ReplaceAll(f.Name, "-", "_"); f.Name {
		case flagSource:
			source = append(source, scalar("outlet"), scalar(f.Value))
		case flagSourceURL:
			source = append(source, scalar("address"), scalar(f.Value))
		case flagPublished:
			source = append(source, scalar("published"), scalar(f.Value))
		default:
			if n := l.flagValue(flag, types[key], f.Value); n != nil {
				add(key, n)
			}
		}
	}
	if source != nil {
		add("source", &yaml.Node{Kind: yaml.MappingNode, Content: source})
	}
	if e, ok := l.entry(root); ok {
		l.sc.Timeline = append(l.sc.Timeline, e)
	}
}

// flagValue returns the node the entry reader reads a flag's value from,
// as its field type wants it, or nil if the value has no such form.
func (l *loader) flagValue(flag string, t events.FieldType, v string) *yaml.Node {
	switch t {
	case events.FieldTexts, events.FieldActors, events.FieldParticipants:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for _, item := range strings.Split(v, ",") {
			n.Content = append(n.Content, scalar(strings.TrimSpace(item)))
		}
		return n
	case events.FieldWindow, events.FieldDays:
		from, to, ok := strings.Cut(v, "..")
		switch {
		case ok:
			return &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{scalar("from"), scalar(from), scalar("to"), scalar(to)}}
		case t == events.FieldDays:
			return scalar(v)
		}
		l.errorf(0, "%s %q: want FROM..TO, such as 2025-10-20..2025-10-30", flag, v)
		return nil
	case events.FieldRequires:
		return &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{scalar("held"), scalar(v)}}
	case events.FieldBool:
		if v == "" {
			v = "true"
		}
	}
	return scalar(v)
}

// scalar returns a node that holds s as a string, whatever s looks like.
func scalar(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

// flagName returns the flag of a scenario key: "--initiated-by" for
// initiated_by, and for the key of a list's item or a mapping's key
// ("add[1]", "window.to") the flag of the list or mapping.
func flagName(key string) string {
	if i := strings.IndexAny(key, "[."); i >= 0 {
		key = key[:i]
	}
	return "--" + strings.ReplaceAll(key, "_", "-")
}
