// Package queries holds the analysts' catalogue of named SQL queries,
// embedded in the binary, and renders query results as tables, CSV and JSON.
// It also makes the fixed reads of the loaded data that the dashboard and
// the API show: the store's totals and the file register (overview.go).
package queries
