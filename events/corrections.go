package events

import (
	"fmt"

	"github.com/google/uuid"
)

// KindEventRetracted withdraws an event from the record: the log keeps
// both, and reads from the retraction's reported date on leave the event
// out.
const KindEventRetracted Kind = "event.retracted"

var correctionSpecs = []Spec{
	{Kind: KindEventRetracted, Timeline: true, Meeting: Optional, By: Optional,
		Help: "an event is withdrawn: a report denied, a mistake", New: func() Payload { return &EventRetracted{} },
		Example: "summit add event.retracted --retracts lavrov-oct19 --reason 'the ministry denied it' --at 2025-10-23"},
}

// EventRetracted records that an event is withdrawn. It belongs to the
// aggregate of the event it retracts.
type EventRetracted struct {
	// Retracts names the event: its ref, or its id.
	Retracts string `json:"retracts" summit:"ref,required" help:"the ref name (or the id) of the event withdrawn"`
	Reason   string `json:"reason,omitempty" summit:"text" help:"why"`
}

// Kind returns [KindEventRetracted].
func (*EventRetracted) Kind() Kind { return KindEventRetracted }

// Validate requires a ref name or an event id.
func (p *EventRetracted) Validate() error {
	if p.Retracts == "" {
		return missing("retracts")
	}
	return CheckTarget(p.Retracts)
}

// Summary reads as "lavrov-oct19, the reason".
func (p *EventRetracted) Summary() string { return summary(p.Retracts, p.Reason) }

// CheckTarget reports a name that is neither a ref name nor an event id:
// what a correction corrects and a retraction retracts.
func CheckTarget(s string) error {
	if _, err := uuid.Parse(s); err == nil && len(s) == 36 {
		return nil
	}
	if err := CheckName(s); err != nil {
		return fmt.Errorf("not a ref name nor an event id: %w", err)
	}
	return nil
}
