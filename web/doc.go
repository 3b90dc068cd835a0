// Package web is summit's web board: a read-only web app and HTTP API over
// the same read side as the command line (package projections), served by
// "summit serve --http ADDR" beside the live projections, or by "summit web"
// against a deployment.
//
// A map of the package:
//
//   - server.go: [Server], its routes, the query parameters every read
//     takes (branch, as_of, known_at, timezone) and errors as JSON.
//   - api.go: the JSON and CSV API, each the same object as the CLI's
//     --json or --csv of the same read.
//   - live.go: /api/events, Server-Sent Events: one KV watch per branch in
//     the process ([projections.Watch]), fanned out to every open page.
//   - pages.go: the pages (board, meeting, branches), html/template over
//     embedded templates and assets: no build step, no CDN, works offline.
//   - picture.go: the meeting's timeline picture, an SVG drawn here.
//
// Every route is GET (or HEAD): nothing here writes. Every page carries a
// Content-Security-Policy that allows only the server's own scripts and
// styles; the pages put text from events into the page as text (templates
// escape it; the scripts use textContent), never as markup.
package web
