// Package scheduler runs the pipeline's jobs for `safercity serve` and
// `safercity run`: on their cron schedules (Europe/London) and after new
// data, one at a time, retrying failures with backoff, recovering runs an
// earlier process left unfinished, and recording every run in the job
// history (table job_runs, whose SQL is here). It knows jobs only as
// functions over the store; which jobs exist is package pipeline.
package scheduler
