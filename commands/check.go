package commands

import (
	"context"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
	"github.com/sitrep-dev/sitrep/sources"
	"github.com/sitrep-dev/sitrep/sources/alerts"
	"github.com/sitrep-dev/sitrep/sources/health"
	"github.com/sitrep-dev/sitrep/sources/metric"
)

// CheckResult is one row of `sitrep check`.
type CheckResult struct {
	Source  string
	Kind    sources.Kind
	OK      bool
	Latency time.Duration
	Value   string // a short reading when it worked: "42/s warn", "up", "3 firing"
	Error   string // why it failed; "" when OK
}

// Check probes every poller once, all in parallel and each within its own
// timeout, prints a table (source, kind, result, latency, value, error) on
// w, and returns an error when any failed. The config was validated when
// it was loaded; the caller builds pollers from it (wire.Pollers, plus the
// flag providers' and GitHub's).
func Check(ctx context.Context, pollers []sources.Poller, w io.Writer) ([]CheckResult, error) {
	if len(pollers) == 0 {
		fmt.Fprintln(w, "no sources configured: add prometheus, alertmanager, metrics, health, flags or github to the config")
		return nil, nil
	}
	snaps := sources.ProbeOnce(ctx, pollers)
	rows := make([]CheckResult, len(snaps))
	failed := 0
	for i, s := range snaps {
		r := CheckResult{Source: s.ID, Kind: s.Kind, OK: true, Latency: s.Latency}
		switch {
		case s.Err != nil:
			r.OK, r.Error = false, s.Err.Error()
		default:
			r.Value = summarize(s.Value)
			if p, ok := s.Value.(sources.Problem); ok && p.Problem() != "" {
				r.OK, r.Error = false, p.Problem()
			}
		}
		if !r.OK {
			failed++
		}
		rows[i] = r
	}
	printCheck(w, rows)
	if failed > 0 {
		return rows, fmt.Errorf("%d of %d sources failed", failed, len(rows))
	}
	return rows, nil
}

func printCheck(w io.Writer, rows []CheckResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tKIND\tRESULT\tLATENCY\tVALUE\tERROR")
	for _, r := range rows {
		result := "ok"
		if !r.OK {
			result = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", sanitize.Line(r.Source), r.Kind, result,
			latency(r.Latency), sanitize.Line(r.Value), sanitize.Line(r.Error))
	}
	tw.Flush()
}

func latency(d time.Duration) string {
	if d < time.Millisecond {
		return "<1ms"
	}
	return d.Round(time.Millisecond).String()
}

// summarize is a few words about a source's value.
func summarize(v any) string {
	switch v := v.(type) {
	case metric.Value:
		if math.IsNaN(v.Current) {
			return strings.TrimSpace(string(v.State) + " " + v.Note)
		}
		return fmt.Sprintf("%.4g%s %s", v.Current, v.Unit, v.State)
	case health.Result:
		if v.Reason != "" && v.State != health.Down {
			return string(v.State) + ": " + v.Reason
		}
		return string(v.State)
	case []alerts.Alert:
		return fmt.Sprintf("%d firing", len(v))
	case []incident.ChangeData:
		return fmt.Sprintf("%d changes", len(v))
	case nil:
		return ""
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice {
		return fmt.Sprintf("%d items", rv.Len())
	}
	return ""
}
