package events

import "fmt"

// The kinds of a precondition's life.
const (
	KindPreconditionAdded  Kind = "precondition.added"
	KindPreconditionMet    Kind = "precondition.met"
	KindPreconditionFailed Kind = "precondition.failed"
	KindPreconditionWaived Kind = "precondition.waived"
)

var preconditionSpecs = []Spec{
	{Kind: KindPreconditionAdded, Timeline: true, Meeting: Required, By: Optional,
		Help: "the meeting needs something before it can be held", New: func() Payload { return &PreconditionAdded{} },
		Example: "summit add precondition.added --meeting budapest-summit --precondition fm-prep --requires rubio-lavrov-prep --at 2025-10-16"},
	{Kind: KindPreconditionMet, Timeline: true, Meeting: Required, By: Optional,
		Help: "a precondition is met", New: func() Payload { return &PreconditionMet{} },
		Example: "summit add precondition.met --meeting budapest-summit --precondition fm-prep --at 2025-10-25"},
	{Kind: KindPreconditionFailed, Timeline: true, Meeting: Required, By: Optional,
		Help: "a precondition failed", New: func() Payload { return &PreconditionFailed{} },
		Example: "summit add precondition.failed --meeting budapest-summit --precondition fm-prep --reason 'talks broke down' --at 2025-10-21"},
	{Kind: KindPreconditionWaived, Timeline: true, Meeting: Required, By: Optional,
		Help: "the meeting no longer needs a precondition", New: func() Payload { return &PreconditionWaived{} },
		Example: "summit add precondition.waived --meeting budapest-summit --precondition fm-prep --at 2025-10-22"},
}

// Requirement is what a precondition waits for beyond its own events: the
// holding of another meeting.
type Requirement struct {
	Held string `json:"held"`
}

// PreconditionAdded records that a meeting needs something before it can be
// held. If Requires names a meeting, the precondition is met as soon as that
// meeting is held.
type PreconditionAdded struct {
	Precondition string       `json:"precondition" summit:"id,required" help:"the precondition's id"`
	Description  string       `json:"description,omitempty" summit:"text" help:"what is needed"`
	Requires     *Requirement `json:"requires,omitempty" summit:"requires" help:"a meeting whose holding meets it"`
}

// PreconditionMet records that a precondition is met.
type PreconditionMet struct {
	Precondition string `json:"precondition" summit:"id,required" help:"the precondition's id"`
}

// PreconditionFailed records that a precondition failed.
type PreconditionFailed struct {
	Precondition string `json:"precondition" summit:"id,required" help:"the precondition's id"`
	Reason       string `json:"reason,omitempty" summit:"text" help:"why"`
}

// PreconditionWaived records that a meeting no longer needs a precondition.
type PreconditionWaived struct {
	Precondition string `json:"precondition" summit:"id,required" help:"the precondition's id"`
	Reason       string `json:"reason,omitempty" summit:"text" help:"why"`
}

// Kind returns [KindPreconditionAdded].
func (*PreconditionAdded) Kind() Kind { return KindPreconditionAdded }

// Kind returns [KindPreconditionMet].
func (*PreconditionMet) Kind() Kind { return KindPreconditionMet }

// Kind returns [KindPreconditionFailed].
func (*PreconditionFailed) Kind() Kind { return KindPreconditionFailed }

// Kind returns [KindPreconditionWaived].
func (*PreconditionWaived) Kind() Kind { return KindPreconditionWaived }

// Validate requires a valid precondition id, and a valid meeting if it
// requires one.
func (p *PreconditionAdded) Validate() error {
	if err := checkPrecondition(p.Precondition); err != nil {
		return err
	}
	if p.Requires != nil {
		if p.Requires.Held == "" {
			return missing("requires.held")
		}
		if err := CheckName(p.Requires.Held); err != nil {
			return fmt.Errorf("requires.held: %w", err)
		}
	}
	return nil
}

// Validate requires a valid precondition id.
func (p *PreconditionMet) Validate() error { return checkPrecondition(p.Precondition) }

// Validate requires a valid precondition id.
func (p *PreconditionFailed) Validate() error { return checkPrecondition(p.Precondition) }

// Validate requires a valid precondition id.
func (p *PreconditionWaived) Validate() error { return checkPrecondition(p.Precondition) }

func checkPrecondition(id string) error {
	if id == "" {
		return missing("precondition")
	}
	if err := CheckName(id); err != nil {
		return fmt.Errorf("precondition: %w", err)
	}
	return nil
}

// Summary reads as "fm-prep, the description, requires rubio-lavrov-prep held".
func (p *PreconditionAdded) Summary() string {
	req := ""
	if p.Requires != nil {
		req = "requires " + p.Requires.Held + " held"
	}
	return summary(p.Precondition, p.Description, req)
}

// Summary is the precondition's id.
func (p *PreconditionMet) Summary() string { return p.Precondition }

// Summary reads as "fm-prep, the reason".
func (p *PreconditionFailed) Summary() string { return summary(p.Precondition, p.Reason) }

// Summary reads as "fm-prep, the reason".
func (p *PreconditionWaived) Summary() string { return summary(p.Precondition, p.Reason) }
