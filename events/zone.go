package events

import (
	"fmt"
	"reflect"
	"sync"
	"time"

	// The zone database goes with the program, so that a scenario's
	// timezone reads the same on every machine.
	_ "time/tzdata"
)

var locations sync.Map // zone name -> *time.Location

// Location returns the IANA time zone name, as a scenario's timezone names
// it; "" and "UTC" are UTC.
func Location(name string) (*time.Location, error) {
	if name == "" || name == "UTC" {
		return time.UTC, nil
	}
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, fmt.Errorf("timezone %q: not an IANA time zone name (such as Europe/Budapest)", name)
	}
	locations.Store(name, loc)
	return loc, nil
}

// localize reads every date of e (its world and reported times and the
// dates of its payload) as a day of e's zone. The codec writes a date as its
// calendar day, and the zone once, in the envelope.
func localize(e *Event) error {
	loc, err := Location(e.Zone)
	if err != nil || loc == time.UTC {
		return err
	}
	e.At = e.At.In(loc)
	e.Reported = e.Reported.In(loc)
	// The generated localizePayload knows the times of every kind; the
	// walk by reflection is for a payload it does not know.
	if e.Payload != nil && !localizePayload(e.Payload, loc) {
		eachTime(reflect.ValueOf(e.Payload), func(t *Time) { *t = t.In(loc) })
	}
	return nil
}

var timeType = reflect.TypeFor[Time]()

// eachTime calls fn with every Time that v holds, through pointers,
// structs and slices.
func eachTime(v reflect.Value, fn func(*Time)) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			eachTime(v.Elem(), fn)
		}
	case reflect.Struct:
		if v.Type() == timeType {
			if v.CanAddr() {
				fn(v.Addr().Interface().(*Time))
			}
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				eachTime(v.Field(i), fn)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			eachTime(v.Index(i), fn)
		}
	}
}
