package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
)

// builtin holds the scenarios shipped in the binary: the YAML files of this
// package's directory.
//
//go:embed *.yaml
var builtin embed.FS

// Builtins returns the names of the built-in scenarios, sorted.
func Builtins() []string {
	entries, _ := fs.ReadDir(builtin, ".")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	slices.Sort(names)
	return names
}

// ErrNotFound is returned by [Open] for a name that is neither a built-in
// scenario nor a file.
var ErrNotFound = errors.New("no such scenario")

// Open loads the scenario that arg names: a built-in scenario's name
// (budapest-2025), or the path of a file, as a [ScenarioFile]. A file path
// wins over a built-in of the same name; a path that is not a regular file
// is refused ([LoadFile]).
func Open(arg string) (*Scenario, error) {
	if _, err := os.Stat(arg); err == nil {
		return LoadFile(arg, ScenarioFile)
	}
	name := strings.TrimSuffix(path.Base(arg), ".yaml")
	if !strings.ContainsAny(arg, `/\`) {
		if data, err := builtin.ReadFile(name + ".yaml"); err == nil {
			return Load("scenarios/"+name+".yaml", data, ScenarioFile)
		}
	}
	return nil, fmt.Errorf("%w %q: not a file, nor a built-in scenario (built-ins: %s)", ErrNotFound, arg, strings.Join(Builtins(), ", "))
}
