package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/scenarios"
)

const addHelp = `
Usage: summit add KIND [flags]

Record one event from the command line, as one entry of an event file would:
the same keys, as flags (--meeting, --by, --at, and the kind's own), the same
checks, and errors that name the flag. The event goes to the record (main).

--at is when it happened (default: today); --reported when it became known
(default: now), so that a late report (--at 2025-10-19 on the 23rd) is said
as such. --ref NAME names the event, so that a later "summit add ... --corrects
NAME" or "summit add event.retracted --retracts NAME" can correct or withdraw
it. The same event added twice is recorded once.

"summit add KIND -h" lists the kind's flags, with an example.

Exit status: 0 ok; 2 a bad flag, name or value, or an event the model
refuses (nothing recorded); 3 the store failed.
`

// runAdd records the event args describe.
func runAdd(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			printKinds(e.stdout)
			return flag.ErrHelp
		}
		// Bad input: the kinds go with the error, on standard error.
		printKinds(e.stderr)
		return badInputf("want a KIND first: summit add KIND [flags] (the kinds are listed above)")
	}
	kind := events.Kind(args[0])
	spec, ok := events.SpecOf(kind)
	if !ok || !spec.Timeline {
		if near, ok := events.Nearest(kind, events.TimelineKinds()); ok {
			return badInputf("%q is not a kind an event file may write, did you mean %s? (summit add -h lists the kinds)", args[0], near)
		}
		printKinds(e.stderr)
		return badInputf("%q is not a kind an event file may write (the kinds are listed above)", args[0])
	}
	fl := newFlags("add "+string(kind), kindHelp(spec), e)
	var f storeFlags
	f.register(fl, e, false, false)
	zone := fl.String("timezone", "UTC", "the IANA time `ZONE` whose days --at and the kind's dates name")
	values := kindFlags(fl.FlagSet, spec)
	rest, err := fl.parse(args[1:])
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return badInputf("unexpected arguments %q: every value is a flag (summit add %s -h)", rest, kind)
	}
	now := e.clock()().UTC()
	var given []scenarios.Flag
	fl.Visit(func(fl *flag.Flag) {
		if v, ok := values[fl.Name]; ok {
			given = append(given, scenarios.Flag{Name: fl.Name, Value: *v})
		}
	})
	if !fl.set("at") {
		given = append(given, scenarios.Flag{Name: "at", Value: now.Format(events.DateLayout)})
	}
	if !fl.set("reported") {
		given = append(given, scenarios.Flag{Name: "reported", Value: now.Format(time.RFC3339)})
	}
	sc, err := scenarios.LoadFlags(kind, given, *zone)
	if err != nil {
		return fileError(err)
	}
	s, err := f.openToWrite(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	out, err := record(ctx, s, eventlog.Main(), sc, writeOptions{})
	if err != nil {
		return err
	}
	reportWrite(e.stderr, "summit add "+string(kind), out, s.where, "")
	return projections.CatchUp(ctx, s.log, s.views, eventlog.Main(), f.runner())
}

// kindFlags registers the flags of spec's kind on fs (the entry keys every
// kind has, the envelope's it takes, and its own fields), and returns their
// values by flag name. Booleans are flags that take no value.
func kindFlags(fs *flag.FlagSet, spec events.Spec) map[string]*string {
	values := map[string]*string{}
	str := func(name, usage string) {
		values[name] = fs.String(name, "", usage)
	}
	str("at", "when it happened: `DATE` or date-time with a zone (default: today)")
	str("reported", "when it became known: `DATE` (default: now)")
	str("source", "the `OUTLET` that reported it (ntv.de)")
	str("source-url", "the report's `URL`")
	str("published", "when the report was published: `DATE`")
	str("quote", "the report's words: `TEXT`")
	str("cameo", "the CAMEO event `CODE`, if not the kind's")
	str("ref", "a `NAME` for the event, for a later correction or retraction")
	str("corrects", "the `NAME` (or id) of the event this one stands in the place of")
	if spec.Meeting != events.Never {
		str("meeting", "the `MEETING`"+need(spec.Meeting))
	}
	if spec.By != events.Never {
		str("by", "who acted: a `PERSON or PARTY`"+need(spec.By))
	}
	for _, field := range events.Fields(spec.Kind) {
		if field.Type == events.FieldQuote {
			continue
		}
		name := strings.ReplaceAll(field.Key, "_", "-")
		usage := field.Help
		if d := flagForm(field.Type); !strings.Contains(usage, d) {
			usage += " (" + d + ")"
		}
		if field.Required {
			usage += " (required)"
		}
		if field.Type == events.FieldBool {
			v := new(string)
			values[name] = v
			fs.Var(boolValue{v}, name, usage)
			continue
		}
		values[name] = fs.String(name, "", usage+": `VALUE`")
	}
	return values
}

// flagForm says how a field of type t is written as a flag's value: as in
// a file, except that ranges take two dots.
func flagForm(t events.FieldType) string {
	switch t {
	case events.FieldWindow:
		return "FROM..TO, two dates"
	case events.FieldDays:
		return "a date, or FROM..TO"
	case events.FieldTexts, events.FieldActors, events.FieldParticipants:
		return t.Describe() + ", comma-separated"
	}
	return t.Describe()
}

func need(n events.Need) string {
	if n == events.Required {
		return " (required)"
	}
	return ""
}

// kindHelp is the help page of "summit add KIND".
func kindHelp(spec events.Spec) string {
	return fmt.Sprintf(`
Usage: summit add %s [flags]

Record %s: %s.
Lists take commas (--participants trump,putin); ranges two dots
(--window 2025-10-20..2025-10-30, --date 2019-02-27..2019-02-28).

Example:
  %s --server nats://127.0.0.1:4222
`, spec.Kind, article(spec.Kind), spec.Help, spec.Example)
}

// printKinds lists the kinds "summit add" takes, with what each records.
func printKinds(w io.Writer) {
	fmt.Fprint(w, strings.TrimLeft(addHelp, "\n"))
	fmt.Fprintln(w, "\nKinds:")
	for _, s := range events.Specs() {
		if s.Timeline {
			fmt.Fprintf(w, "  %-21s %s\n", s.Kind, s.Help)
		}
	}
}

// boolValue is a flag that takes no value (--early), or true or false.
type boolValue struct{ v *string }

func (b boolValue) String() string {
	if b.v == nil {
		return ""
	}
	return *b.v
}

func (b boolValue) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true or false, not %q", s)
	}
	*b.v = strconv.FormatBool(v)
	return nil
}

// IsBoolFlag lets the flag be given without a value.
func (b boolValue) IsBoolFlag() bool { return true }

// article returns kind with its indefinite article: "an event.retracted".
func article(k events.Kind) string {
	if strings.ContainsRune("aeiou", rune(string(k)[0])) {
		return "an " + string(k)
	}
	return "a " + string(k)
}
