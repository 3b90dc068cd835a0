package projections

import jsonv2 "github.com/go-json-experiment/json"

// decode reads a view or a snapshot as the store's buckets hold them. It
// decodes with JSON v2 (github.com/go-json-experiment/json, from which
// the standard library's encoding/json/v2 comes, and which the module
// needs already for the browser tests): every meeting's view is read for
// a board (summit status), a snapshot for each command on a meeting the
// handler has not met and for each meeting a branch's board starts from,
// and encoding/json took twice as long or more (27 µs against 13 for the
// view of a meeting of 200 events, 37 against 16 for its snapshot). The
// runner writes both with encoding/json; v2 reads them as it would
// ([TestStoredDecodeAsWritten]).
func decode[T View | Snapshot](data []byte, v *T) error { return jsonv2.Unmarshal(data, v) }
