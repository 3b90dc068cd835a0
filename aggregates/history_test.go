package aggregates_test

import (
	"testing"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/events"
)

func TestWholeHistoryOfANewMeetingIsWhole(t *testing.T) {
	tests := []struct {
		name string
		h    aggregates.History
		want bool
	}{
		{"nil records", aggregates.Whole(nil), true},
		{"empty records", aggregates.Whole([]events.Event{}), true},
		{"partial", aggregates.Partial(aggregates.Meeting{}, nil), false},
	}
	for _, tt := range tests {
		if got := tt.h.IsWhole(); got != tt.want {
			t.Errorf("%s: IsWhole() = %v, want %v", tt.name, got, tt.want)
		}
	}
}
