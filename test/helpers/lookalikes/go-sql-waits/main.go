// A load program (see ../load-process.ts for its contract): Go database/sql with lib/pq,
// SetMaxOpenConns(max-open), exposed by client_golang's collectors.NewDBStatsCollector on loopback,
// as a Go service does. `goroutines` goroutines start `start-every` apart and each runs
// pg_sleep(query-seconds) again and again: the first max-open run, the others wait for a connection.
// While the first queries run, no wait has ended: go_sql_wait_count_total grows as each waiter
// arrives while go_sql_wait_duration_seconds_total stays 0 (database/sql adds a wait's duration
// only when it ends).
//
// Built in GOPATH mode against Debian's golang-github-prometheus-client-golang-dev and
// golang-github-lib-pq-dev (no module download). The password comes by PGPASSWORD.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	_ "github.com/lib/pq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func main() {
	dsn := flag.String("dsn", "", "lib/pq connection string, without a password")
	dbName := flag.String("db-name", "app", "the db_name label of the collector")
	maxOpen := flag.Int("max-open", 2, "SetMaxOpenConns")
	goroutines := flag.Int("goroutines", 8, "concurrent callers")
	startEvery := flag.Duration("start-every", 300*time.Millisecond, "delay between the callers' starts")
	querySeconds := flag.Float64("query-seconds", 60, "each query's pg_sleep")
	limit := flag.Duration("limit", 180*time.Second, "exit after this long")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), *limit)
	defer cancel()
	go func() {
		// stdin closes when the parent goes, however it goes
		io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT)
	go func() {
		<-signals
		cancel()
	}()

	db, err := sql.Open("postgres", *dsn)
	if err != nil {
		fail(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(*maxOpen)

	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewDBStatsCollector(db, *dbName))
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	server := &http.Server{Handler: promhttp.HandlerFor(registry, promhttp.HandlerOpts{})}
	go server.Serve(listener)
	defer server.Close()

	for i := 0; i < *goroutines; i++ {
		go func(delay time.Duration) {
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return
			}
			for ctx.Err() == nil {
				// A cancelled context makes lib/pq send a cancel request: the query ends on the server too.
				db.ExecContext(ctx, "select pg_sleep($1)", *querySeconds)
			}
		}(time.Duration(i) * *startEvery)
	}

	emit(map[string]any{"ready": true, "pid": os.Getpid(), "metricsUrl": "http://" + listener.Addr().String() + "/metrics"})
	ticker := time.NewTicker(200 * time.Millisecond)
	defer ticker.Stop()
	for {
		stats := db.Stats()
		emit(map[string]any{
			"at":                  time.Now().UnixMilli(),
			"maxOpen":             stats.MaxOpenConnections,
			"open":                stats.OpenConnections,
			"inUse":               stats.InUse,
			"idle":                stats.Idle,
			"waitCount":           stats.WaitCount,
			"waitDurationSeconds": stats.WaitDuration.Seconds(),
		})
		select {
		case <-ticker.C:
		case <-ctx.Done():
			return
		}
	}
}

func emit(value map[string]any) {
	line, _ := json.Marshal(value)
	os.Stdout.Write(append(line, '\n'))
}

func fail(err error) {
	os.Stderr.WriteString("go-sql-waits: " + err.Error() + "\n")
	os.Exit(1)
}
