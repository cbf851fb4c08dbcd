// Package queries holds the analysts' catalogue of named SQL queries,
// embedded in the binary, and renders query results as tables, CSV and JSON.
package queries
