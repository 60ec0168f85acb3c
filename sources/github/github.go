// Package github is the Changes source: what changed in the configured
// repositories shortly before and during the incident — deployments (with
// their latest status), merged pull requests and releases.
//
// Public API:
//
//	ps, err := github.New(cfg.GitHub, startFn, gh.WithMaxBody(cfg.Sources.MaxBody)) // one *Poller per repo, one client
//	p.ID()      // "github/org/repo"
//	p.Kind()    // sources.KindChanges
//	p.Poll(ctx) // Value: []incident.ChangeData, newest first, never mutated
//	p.Rate()    // the token's rate limit as last reported (no request)
//	p.Note()    // "" or one line for the pane, e.g. "rate limit low (40/5000 until 10:42 UTC): polling every 6m0s"
//	p.Interval()// grows when the rate limit runs low; the scheduler re-reads it after every poll
//	github.Fetch(ctx, client, cfg, start) // one fresh fetch of every repo, for the postmortem
//
// The Value contract (shared with the recorder and the postmortem): Kind is
// "deploy", "pr" or "release"; Ref is a stable id (the deployment id, the PR
// number, the release tag); At is when it happened (deployment created, PR
// merged, release published), in UTC; every string is sanitized. Title is
// stable across polls (the status lives in Status), so journal entries of
// the same change dedupe on Repo+Kind+Ref+Title.
//
// Window: changes at or after start-window (config github.window, default
// 6 h) up to now, so the pane shows what led up to the incident and what
// happened during it. start is a func because the incident start can be
// back-dated while the dashboard runs.
//
// Rate limit: why not in Value — Value is a plain []ChangeData by contract,
// so the rate limit is read from the poller (Rate, Note), which the
// dashboard holds anyway, and it shows in the pane's footer. Unchanged polls
// are conditional requests answered 304 (free); when the remaining budget
// runs low the poller stretches its Interval so the budget lasts until the
// reset, and after a rate-limit refusal it waits for the reset.
package github

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/gh"
	"github.com/sitrep-dev/sitrep/sources"
)

// Rate is the API's rate limit as last reported.
type Rate = gh.Rate

// maxStatusLookups bounds the per-deployment status requests in one poll;
// older deployments beyond it show no status rather than costing budget.
const maxStatusLookups = 30

// statusParallel is how many status lookups run at once.
const statusParallel = 4

// Poller reads one repository's changes. It is safe for concurrent use.
type Poller struct {
	client   *gh.Client
	repo     gh.Repo
	env      string
	window   time.Duration
	start    func() time.Time
	interval time.Duration
	timeout  time.Duration
	now      func() time.Time
	share    int // pollers spending the same token's budget

	mu        sync.Mutex
	last      []incident.ChangeData
	lastSince time.Time
	next      time.Duration // current interval, after backoff
	note      string
}

// New builds one Poller per configured repository; they share one client
// (the rate limit belongs to the token, not the repository). start returns
// the incident's start; a zero time means "now" (no incident yet). opts
// tune the client, e.g. gh.WithMaxBody(cfg.Sources.MaxBody).
func New(cfg *config.GitHub, start func() time.Time, opts ...gh.Option) ([]*Poller, error) {
	c, err := gh.FromConfig(cfg, nil, opts...)
	if err != nil {
		return nil, err
	}
	return NewWithClient(c, cfg, start)
}

// NewWithClient is New with a given client (tests, or a shared one).
func NewWithClient(c *gh.Client, cfg *config.GitHub, start func() time.Time) ([]*Poller, error) {
	var out []*Poller
	for _, name := range cfg.Repos {
		r, err := gh.ParseRepo(name)
		if err != nil {
			return nil, fmt.Errorf("github.repos: %v", err)
		}
		p := &Poller{
			client: c, repo: r, env: cfg.Environment, start: start,
			window:   orDefault(cfg.Window.D(), 6*time.Hour),
			interval: orDefault(cfg.Interval.D(), 60*time.Second),
			timeout:  orDefault(cfg.Timeout.D(), 10*time.Second),
			now:      func() time.Time { return time.Now().UTC() },
			share:    len(cfg.Repos),
		}
		p.next = p.interval
		out = append(out, p)
	}
	return out, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// ID is "github/owner/name".
func (p *Poller) ID() string { return "github/" + p.repo.String() }

// Kind is sources.KindChanges.
func (p *Poller) Kind() sources.Kind { return sources.KindChanges }

// Timeout bounds one poll, all of its requests together.
func (p *Poller) Timeout() time.Duration { return p.timeout }

// Interval is the configured interval, stretched while the rate limit is
// low (see backoff).
func (p *Poller) Interval() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.next
}

// Rate is the token's rate limit as last reported by GitHub.
func (p *Poller) Rate() Rate { return p.client.LastRate() }

// Note is "" normally, or one line the pane shows about the rate limit.
func (p *Poller) Note() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.note
}

// since is the start of the window.
func (p *Poller) since() time.Time {
	s := time.Time{}
	if p.start != nil {
		s = p.start()
	}
	if s.IsZero() {
		s = p.now()
	}
	return s.UTC().Add(-p.window)
}

// Poll fetches the window's changes. When every request was answered 304
// (nothing changed) and the window did not move, it returns the previous
// slice itself.
func (p *Poller) Poll(ctx context.Context) (any, error) {
	since := p.since()
	ctx, stats := gh.WithStats(ctx)
	changes, err := fetchRepo(ctx, p.client, p.repo, p.env, since)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next, p.note = backoff(p.interval, p.client.LastRate(), stats, p.share, err, p.now())
	if err != nil {
		return nil, err
	}
	if stats.Unchanged() && p.last != nil && since.Equal(p.lastSince) {
		return p.last, nil
	}
	p.last, p.lastSince = changes, since
	return changes, nil
}

// fetchRepo reads one repository's deployments, merged PRs and releases at
// or after since, newest first.
func fetchRepo(ctx context.Context, c *gh.Client, r gh.Repo, env string, since time.Time) ([]incident.ChangeData, error) {
	deps, err := c.ListDeployments(ctx, r, env, since)
	if err != nil {
		return nil, err
	}
	statuses, err := latestStatuses(ctx, c, r, deps)
	if err != nil {
		return nil, err
	}
	prs, err := c.ListMergedPullRequests(ctx, r, since)
	if err != nil {
		return nil, err
	}
	rels, err := c.ListReleases(ctx, r, since)
	if err != nil {
		return nil, err
	}
	out := make([]incident.ChangeData, 0, len(deps)+len(prs)+len(rels))
	for i, d := range deps {
		out = append(out, fromDeployment(r, d, statuses[i]))
	}
	for _, pr := range prs {
		out = append(out, fromPR(r, pr))
	}
	for _, rel := range rels {
		out = append(out, fromRelease(r, rel))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out, nil
}

// latestStatuses looks up the newest status of the first maxStatusLookups
// deployments, a few at a time; the first error wins.
func latestStatuses(ctx context.Context, c *gh.Client, r gh.Repo, deps []gh.Deployment) ([]*gh.DeploymentStatus, error) {
	out := make([]*gh.DeploymentStatus, len(deps))
	n := min(len(deps), maxStatusLookups)
	errs := make([]error, n)
	sem := make(chan struct{}, statusParallel)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			st, ok, err := c.LatestDeploymentStatus(ctx, r, deps[i].ID)
			if ok {
				out[i] = &st
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func fromDeployment(r gh.Repo, d gh.Deployment, st *gh.DeploymentStatus) incident.ChangeData {
	title := "deploy " + d.Ref
	if d.Environment != "" {
		title += " to " + d.Environment
	}
	if d.Description != "" {
		title += ": " + d.Description
	}
	cd := incident.ChangeData{
		Repo: r.String(), Kind: "deploy", Title: title, Author: d.Creator,
		At: d.CreatedAt, Ref: strconv.FormatInt(d.ID, 10), Status: "pending",
	}
	if st != nil {
		cd.Status, cd.URL = st.State, st.URL
	}
	return cd
}

func fromPR(r gh.Repo, pr gh.PullRequest) incident.ChangeData {
	return incident.ChangeData{
		Repo: r.String(), Kind: "pr", Title: pr.Title, Author: pr.Author, URL: pr.URL,
		At: pr.MergedAt, Status: "merged", Ref: strconv.Itoa(pr.Number),
	}
}

func fromRelease(r gh.Repo, rel gh.Release) incident.ChangeData {
	title := rel.Name
	if title == "" {
		title = rel.Tag
	}
	status := "published"
	if rel.Prerelease {
		status = "prerelease"
	}
	return incident.ChangeData{
		Repo: r.String(), Kind: "release", Title: title, Author: rel.Author, URL: rel.URL,
		At: rel.PublishedAt, Status: status, Ref: rel.Tag,
	}
}

// Fetch reads every configured repository once (for the postmortem's
// "what changed before" and the `sitrep export` path), newest first. A
// repository that fails fails the whole fetch: a silently partial list
// would read as "nothing changed there".
func Fetch(ctx context.Context, c *gh.Client, cfg *config.GitHub, start time.Time) ([]incident.ChangeData, error) {
	since := start.UTC().Add(-orDefault(cfg.Window.D(), 6*time.Hour))
	var all []incident.ChangeData
	for _, name := range cfg.Repos {
		r, err := gh.ParseRepo(name)
		if err != nil {
			return nil, fmt.Errorf("github.repos: %v", err)
		}
		cs, err := fetchRepo(ctx, c, r, cfg.Environment, since)
		if err != nil {
			return nil, err
		}
		all = append(all, cs...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].At.After(all[j].At) })
	return all, nil
}
