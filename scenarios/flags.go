package scenarios

import "strings"

// flagName returns the flag of a scenario key: "--initiated-by" for
// initiated_by, and for the key of a list's item or a mapping's key
// ("add[1]", "window.to") the flag of the list or mapping.
func flagName(key string) string {
	if i := strings.IndexAny(key, "[."); i >= 0 {
		key = key[:i]
	}
	return "--" + strings.ReplaceAll(key, "_", "-")
}
