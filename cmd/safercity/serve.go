package main

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/safercity/safercity/config"
	"github.com/safercity/safercity/hotspots"
	"github.com/safercity/safercity/pipeline"
	"github.com/safercity/safercity/scheduler"
	"github.com/safercity/safercity/serve"
	"github.com/safercity/safercity/store"
)

func init() {
	register(&command{
		name: "serve",
		summary: "Run the pipeline's jobs on their schedules (Europe/London) and after new data, and serve\n" +
			"the HTTP API and the dashboard (index RAG grid, hotspot maps, queries, job history) in\n" +
			"one process that holds the database. Requests from other machines need a bearer token\n" +
			"from serve.tokens. SIGINT or SIGTERM stops it: the running job gets serve.grace to finish.",
		run: runServe,
	})
}

func runServe(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, lookup("serve"))
	f.dbFlag()
	cfgPath := f.configFlag()
	addr := f.String("addr", "", "listen `address` host:port (default serve.addr from the configuration, else "+config.DefaultAddr+")")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: serve takes no arguments", errUsage)
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	sc, err := cfg.ServeSettings(*addr)
	if err != nil {
		return err
	}
	jobs, err := pipeline.Jobs(e.log, cfg, *cfgPath, "")
	if err != nil {
		return err
	}
	// One process at a time may write the file: a second server, or a
	// loading command while this one runs, fails here with store's advice.
	st, err := store.Open(ctx, f.db)
	if err != nil {
		return err
	}
	defer st.Close()
	runner, err := scheduler.NewRunner(st, jobs, pipeline.RunnerOptions(cfg, e.log))
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	interrupted, err := scheduler.MarkInterrupted(ctx, st)
	if err != nil {
		return err
	}
	for _, r := range interrupted {
		e.log.Warn("a run was interrupted when an earlier process stopped; marked interrupted", "job", r.Job, "run", r.ID, "started", r.Started)
	}
	ln, err := net.Listen("tcp", sc.Addr)
	if err != nil {
		return fmt.Errorf("%w (is another server on that port? choose another with --addr or serve.addr)", err)
	}
	switch tcp, ok := ln.Addr().(*net.TCPAddr); {
	case sc.BehindProxy && len(sc.Tokens) == 0:
		e.log.Warn("serve.behind_proxy without serve.tokens: only the commands beside the database will be answered")
	case ok && !tcp.IP.IsLoopback() && len(sc.Tokens) == 0:
		e.log.Warn("listening beyond this machine without serve.tokens: requests from other machines will all be refused", "addr", ln.Addr())
	}
	var names []string
	for _, j := range jobs {
		names = append(names, j.Name)
	}
	srv := serve.NewServer(st, runner, serve.ServerOptions{Tokens: sc.Tokens, Hosts: sc.Hosts, BehindProxy: sc.BehindProxy, Log: e.log,
		Profile: func(name string) (hotspots.Options, error) {
			p, err := cfg.Profile(name)
			if err != nil {
				return hotspots.Options{}, err
			}
			return cfg.HotspotOptions(p)
		}})
	// Commands that find the database locked read this to ask the server.
	removeRunFile, err := serve.WriteRunFile(f.db, ln.Addr(), srv.LocalKey())
	if err != nil {
		ln.Close()
		return err
	}
	defer removeRunFile()
	e.log.Info("serving", "url", "http://"+ln.Addr().String()+"/", "db", f.db, "jobs", strings.Join(names, ","))
	err = serve.Serve(ctx, ln, srv, runner, sc.Grace)
	e.log.Info("stopped")
	return err
}
