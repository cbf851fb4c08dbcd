package data

// The sample partner feeds under feeds/ are written by feeds/gen; its test
// fails when they are stale.
//go:generate go run ./feeds/gen -out feeds -police police-uk -shared ../../shared
