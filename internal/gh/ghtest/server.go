// Package ghtest is a fake GitHub REST API on 127.0.0.1 for tests: the
// paths sitrep uses, with state (issues, branches, files, pull requests,
// deployments, releases), Link-header pagination, ETags answered with 304,
// X-RateLimit-* headers that only non-304 answers consume, bearer-token
// checks, and a log of every request so tests can assert methods, paths,
// query parameters, headers and bodies.
package ghtest

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Prefix is where the fake mounts the API, as GitHub Enterprise does, so
// tests exercise a base URL with a path.
const Prefix = "/api/v3"

// Request is one request the fake received.
type Request struct {
	Method      string
	Path        string // without Prefix
	Query       url.Values
	Auth        string // the Authorization header
	IfNoneMatch string
	Body        []byte
	Status      int // what the fake answered
}

// Repo is one repository's state. Tests fill it before requests and read
// it after; lock Server.Mu when doing so while requests may run.
type Repo struct {
	DefaultBranch string
	Branches      map[string]string            // name → commit SHA
	Files         map[string]map[string]string // branch → path → content
	Issues        []*Issue
	Comments      []*Comment
	Pulls         []*Pull
	Deployments   []*Deployment // newest first, as GitHub lists them
	Statuses      map[int64][]*DeploymentStatus
	Releases      []*Release // newest first
}

// Issue is an issue in the fake.
type Issue struct {
	Number int      `json:"number"`
	Title  string   `json:"title"`
	Body   string   `json:"body"`
	State  string   `json:"state"`
	Labels []string `json:"-"`
}

// Comment is an issue comment in the fake.
type Comment struct {
	ID    int64  `json:"id"`
	Issue int    `json:"-"`
	Body  string `json:"body"`
}

// Pull is a pull request in the fake.
type Pull struct {
	Number    int
	Title     string
	Body      string
	User      string
	State     string
	Head      string
	Base      string
	UpdatedAt time.Time
	MergedAt  *time.Time
}

// Deployment is a deployment in the fake.
type Deployment struct {
	ID          int64
	Ref         string
	SHA         string
	Environment string
	Description string
	Creator     string
	CreatedAt   time.Time
}

// DeploymentStatus is a deployment status in the fake (newest first).
type DeploymentStatus struct {
	State     string
	CreatedAt time.Time
	LogURL    string
}

// Release is a release in the fake.
type Release struct {
	ID          int64
	Tag         string
	Name        string
	Author      string
	Draft       bool
	CreatedAt   time.Time
	PublishedAt time.Time
}

// Server is the fake. Zero rate fields mean 5000 requests per hour.
type Server struct {
	*httptest.Server
	Token string // expected bearer token; "" accepts anything

	Mu            sync.Mutex
	Repos         map[string]*Repo // "owner/name"
	RateLimit     int
	RateRemaining int
	RateReset     time.Time
	// Fail answers every request whose path starts with a key with that
	// status and a GitHub-style error body.
	Fail map[string]int

	requests []Request
	nextID   int64
}

// New starts a fake with one empty repository per name.
func New(t testing.TB, token string, repos ...string) *Server {
	s := &Server{Token: token, Repos: map[string]*Repo{}, RateLimit: 5000, RateRemaining: 5000,
		RateReset: time.Now().Add(time.Hour).Truncate(time.Second), nextID: 1000}
	for _, r := range repos {
		s.Repos[r] = &Repo{
			DefaultBranch: "main",
			Branches:      map[string]string{"main": "base0000sha"},
			Files:         map[string]map[string]string{},
			Statuses:      map[int64][]*DeploymentStatus{},
		}
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// BaseURL is the API root to give gh.New (deliberately without the
// trailing slash, which the client must add).
func (s *Server) BaseURL() string { return s.URL + Prefix }

// Requests returns a copy of the request log.
func (s *Server) Requests() []Request {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests clears the request log.
func (s *Server) ResetRequests() {
	s.Mu.Lock()
	s.requests = nil
	s.Mu.Unlock()
}

// Repo returns the state of "owner/name" (nil when absent).
func (s *Server) Repo(name string) *Repo {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	return s.Repos[name]
}

type apiError struct {
	status int
	msg    string
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path := strings.TrimPrefix(r.URL.Path, Prefix)
	rec := Request{Method: r.Method, Path: path, Query: r.URL.Query(), Auth: r.Header.Get("Authorization"),
		IfNoneMatch: r.Header.Get("If-None-Match"), Body: body}

	s.Mu.Lock()
	defer s.Mu.Unlock()
	status, out, link := s.route(r, path, body, rec.Query)
	if ae, ok := out.(apiError); ok {
		status = ae.status
		out = map[string]string{"message": ae.msg, "documentation_url": "https://docs.github.com/rest"}
	}
	data, _ := json.Marshal(out)
	etag := ""
	if r.Method == http.MethodGet && status == http.StatusOK {
		sum := sha256.Sum256(data)
		etag = `"` + hex.EncodeToString(sum[:8]) + `"`
	}
	h := w.Header()
	if etag != "" && rec.IfNoneMatch == etag {
		// An unchanged resource costs no rate limit on GitHub.
		s.rateHeaders(h)
		h.Set("ETag", etag)
		w.WriteHeader(http.StatusNotModified)
		rec.Status = http.StatusNotModified
		s.requests = append(s.requests, rec)
		return
	}
	if status != http.StatusUnauthorized && s.RateRemaining > 0 {
		s.RateRemaining--
	}
	s.rateHeaders(h)
	if etag != "" {
		h.Set("ETag", etag)
	}
	if link != "" {
		h.Set("Link", link)
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(data)
	rec.Status = status
	s.requests = append(s.requests, rec)
}

func (s *Server) rateHeaders(h http.Header) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.RateLimit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(s.RateRemaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(s.RateReset.Unix(), 10))
}

// route answers one request under s.Mu: status, JSON value, Link header.
func (s *Server) route(r *http.Request, path string, body []byte, q url.Values) (int, any, string) {
	if s.Token != "" && r.Header.Get("Authorization") != "Bearer "+s.Token {
		return 0, apiError{http.StatusUnauthorized, "Bad credentials"}, ""
	}
	for prefix, st := range s.Fail {
		if strings.HasPrefix(path, prefix) {
			if st == http.StatusForbidden && s.RateRemaining == 0 {
				return 0, apiError{st, "API rate limit exceeded"}, ""
			}
			return 0, apiError{st, http.StatusText(st)}, ""
		}
	}
	if path == "/rate_limit" && r.Method == http.MethodGet {
		core := map[string]int64{"limit": int64(s.RateLimit), "remaining": int64(s.RateRemaining), "reset": s.RateReset.Unix()}
		return 200, map[string]any{"resources": map[string]any{"core": core}}, ""
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(parts) < 3 || parts[0] != "repos" {
		return 0, apiError{http.StatusNotFound, "Not Found"}, ""
	}
	name := parts[1] + "/" + parts[2]
	repo := s.Repos[name]
	if repo == nil {
		return 0, apiError{http.StatusNotFound, "Not Found"}, ""
	}
	rest := parts[3:]
	h := handler{s: s, repo: repo, name: name, r: r, body: body, q: q}
	return h.dispatch(rest)
}

type handler struct {
	s    *Server
	repo *Repo
	name string
	r    *http.Request
	body []byte
	q    url.Values
}

func (h handler) dispatch(rest []string) (int, any, string) {
	m := h.r.Method
	seg := func(i int) string {
		if i < len(rest) {
			return rest[i]
		}
		return ""
	}
	switch {
	case len(rest) == 0 && m == "GET":
		return 200, map[string]any{"full_name": h.name, "default_branch": h.repo.DefaultBranch}, ""
	case seg(0) == "git" && seg(1) == "ref" && seg(2) == "heads" && m == "GET":
		return h.getRef(strings.Join(rest[3:], "/"))
	case seg(0) == "git" && seg(1) == "refs" && len(rest) == 2 && m == "POST":
		return h.createRef()
	case seg(0) == "contents" && m == "GET":
		return h.getContents(strings.Join(rest[1:], "/"))
	case seg(0) == "contents" && m == "PUT":
		return h.putContents(strings.Join(rest[1:], "/"))
	case seg(0) == "pulls" && len(rest) == 1 && m == "GET":
		return h.listPulls()
	case seg(0) == "pulls" && len(rest) == 1 && m == "POST":
		return h.createPull()
	case seg(0) == "issues" && len(rest) == 1 && m == "POST":
		return h.createIssue()
	case seg(0) == "issues" && seg(1) == "comments" && len(rest) == 3 && m == "PATCH":
		return h.editComment(seg(2))
	case seg(0) == "issues" && len(rest) == 2 && (m == "GET" || m == "PATCH"):
		return h.issue(seg(1))
	case seg(0) == "issues" && seg(2) == "comments" && len(rest) == 3:
		return h.comments(seg(1))
	case seg(0) == "deployments" && len(rest) == 1 && m == "GET":
		return h.listDeployments()
	case seg(0) == "deployments" && seg(2) == "statuses" && len(rest) == 3 && m == "GET":
		return h.listStatuses(seg(1))
	case seg(0) == "releases" && len(rest) == 1 && m == "GET":
		return h.listReleases()
	}
	return 0, apiError{http.StatusNotFound, "Not Found"}, ""
}

func (h handler) getRef(branch string) (int, any, string) {
	sha, ok := h.repo.Branches[branch]
	if !ok {
		return 0, apiError{http.StatusNotFound, "Not Found"}, ""
	}
	return 200, map[string]any{"ref": "refs/heads/" + branch, "object": map[string]string{"sha": sha, "type": "commit"}}, ""
}

func (h handler) createRef() (int, any, string) {
	var in struct{ Ref, SHA string }
	if err := json.Unmarshal(h.body, &in); err != nil || !strings.HasPrefix(in.Ref, "refs/heads/") || in.SHA == "" {
		return 0, apiError{http.StatusUnprocessableEntity, "Invalid request"}, ""
	}
	branch := strings.TrimPrefix(in.Ref, "refs/heads/")
	if _, ok := h.repo.Branches[branch]; ok {
		return 0, apiError{http.StatusUnprocessableEntity, "Reference already exists"}, ""
	}
	h.repo.Branches[branch] = in.SHA
	h.repo.Files[branch] = copyFiles(h.repo.Files[h.repo.DefaultBranch])
	return 201, map[string]any{"ref": in.Ref, "object": map[string]string{"sha": in.SHA}}, ""
}

func copyFiles(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// BlobSHA is the SHA GitHub reports for a file: git's blob object id.
func BlobSHA(content string) string {
	sum := sha1.Sum([]byte(fmt.Sprintf("blob %d\x00%s", len(content), content)))
	return hex.EncodeToString(sum[:])
}

func (h handler) branch() string {
	if b := h.q.Get("ref"); b != "" {
		return b
	}
	return h.repo.DefaultBranch
}

func (h handler) getContents(path string) (int, any, string) {
	content, ok := h.repo.Files[h.branch()][path]
	if !ok {
		return 0, apiError{http.StatusNotFound, "Not Found"}, ""
	}
	return 200, map[string]any{"type": "file", "path": path, "sha": BlobSHA(content), "encoding": "base64",
		"content": base64.StdEncoding.EncodeToString([]byte(content))}, ""
}

func (h handler) putContents(path string) (int, any, string) {
	var in struct {
		Message, Content, Branch string
		SHA                      *string
	}
	if err := json.Unmarshal(h.body, &in); err != nil || in.Message == "" {
		return 0, apiError{http.StatusUnprocessableEntity, "Invalid request: message is required"}, ""
	}
	branch := in.Branch
	if branch == "" {
		branch = h.repo.DefaultBranch
	}
	files, ok := h.repo.Files[branch]
	if _, hasBranch := h.repo.Branches[branch]; !hasBranch {
		return 0, apiError{http.StatusNotFound, "Branch not found"}, ""
	}
	if !ok {
		files = map[string]string{}
		h.repo.Files[branch] = files
	}
	old, exists := files[path]
	switch {
	case exists && in.SHA == nil:
		return 0, apiError{http.StatusUnprocessableEntity, `Invalid request. "sha" wasn't supplied.`}, ""
	case exists && *in.SHA != BlobSHA(old):
		return 0, apiError{http.StatusConflict, fmt.Sprintf("%s does not match %s", path, *in.SHA)}, ""
	case !exists && in.SHA != nil:
		return 0, apiError{http.StatusNotFound, "Not Found"}, ""
	}
	content, err := base64.StdEncoding.DecodeString(in.Content)
	if err != nil {
		return 0, apiError{http.StatusUnprocessableEntity, "content is not valid Base64"}, ""
	}
	files[path] = string(content)
	h.s.nextID++
	commit := fmt.Sprintf("commit%d", h.s.nextID)
	h.repo.Branches[branch] = commit
	status := 201
	if exists {
		status = 200
	}
	return status, map[string]any{"content": map[string]string{"path": path, "sha": BlobSHA(string(content))},
		"commit": map[string]string{"sha": commit, "message": in.Message}}, ""
}

func (h handler) pullJSON(p *Pull) map[string]any {
	out := map[string]any{
		"number": p.Number, "title": p.Title, "body": p.Body, "state": p.State,
		"html_url":   fmt.Sprintf("https://github.example/%s/pull/%d", h.name, p.Number),
		"user":       map[string]string{"login": p.User},
		"head":       map[string]string{"ref": p.Head, "label": strings.Split(h.name, "/")[0] + ":" + p.Head},
		"base":       map[string]string{"ref": p.Base},
		"updated_at": p.UpdatedAt.UTC().Format(time.RFC3339),
	}
	if p.MergedAt != nil {
		out["merged_at"] = p.MergedAt.UTC().Format(time.RFC3339)
	}
	return out
}

func (h handler) listPulls() (int, any, string) {
	state := h.q.Get("state")
	if state == "" {
		state = "open"
	}
	var sel []*Pull
	for _, p := range h.repo.Pulls {
		if state != "all" && p.State != state {
			continue
		}
		if hd := h.q.Get("head"); hd != "" && strings.Split(h.name, "/")[0]+":"+p.Head != hd {
			continue
		}
		if b := h.q.Get("base"); b != "" && p.Base != b {
			continue
		}
		sel = append(sel, p)
	}
	if h.q.Get("sort") == "updated" {
		desc := h.q.Get("direction") != "asc"
		sort.SliceStable(sel, func(i, j int) bool {
			if desc {
				return sel[i].UpdatedAt.After(sel[j].UpdatedAt)
			}
			return sel[i].UpdatedAt.Before(sel[j].UpdatedAt)
		})
	}
	return paginate(h, sel, h.pullJSON)
}

func (h handler) createPull() (int, any, string) {
	var in struct{ Title, Head, Base, Body string }
	if err := json.Unmarshal(h.body, &in); err != nil || in.Title == "" || in.Head == "" || in.Base == "" {
		return 0, apiError{http.StatusUnprocessableEntity, "Validation Failed"}, ""
	}
	for _, p := range h.repo.Pulls {
		if p.State == "open" && p.Head == in.Head && p.Base == in.Base {
			return 0, apiError{http.StatusUnprocessableEntity, "A pull request already exists for " + in.Head}, ""
		}
	}
	if _, ok := h.repo.Branches[in.Head]; !ok {
		return 0, apiError{http.StatusUnprocessableEntity, "head branch does not exist"}, ""
	}
	p := &Pull{Number: h.nextNumber(), Title: in.Title, Body: in.Body, User: "sitrep-bot", State: "open",
		Head: in.Head, Base: in.Base, UpdatedAt: time.Now().UTC()}
	h.repo.Pulls = append(h.repo.Pulls, p)
	return 201, h.pullJSON(p), ""
}

func (h handler) nextNumber() int {
	return len(h.repo.Issues) + len(h.repo.Pulls) + 1
}

func (h handler) issueJSON(is *Issue) map[string]any {
	labels := []map[string]string{}
	for _, l := range is.Labels {
		labels = append(labels, map[string]string{"name": l})
	}
	return map[string]any{"number": is.Number, "title": is.Title, "body": is.Body, "state": is.State,
		"labels": labels, "html_url": fmt.Sprintf("https://github.example/%s/issues/%d", h.name, is.Number)}
}

type issueIn struct {
	Title  *string   `json:"title"`
	Body   *string   `json:"body"`
	State  *string   `json:"state"`
	Labels *[]string `json:"labels"`
}

func (h handler) createIssue() (int, any, string) {
	var in issueIn
	if err := json.Unmarshal(h.body, &in); err != nil || in.Title == nil || *in.Title == "" {
		return 0, apiError{http.StatusUnprocessableEntity, "Validation Failed: title is required"}, ""
	}
	is := &Issue{Number: h.nextNumber(), Title: *in.Title, State: "open"}
	applyIssue(is, in)
	h.repo.Issues = append(h.repo.Issues, is)
	return 201, h.issueJSON(is), ""
}

func applyIssue(is *Issue, in issueIn) {
	if in.Title != nil {
		is.Title = *in.Title
	}
	if in.Body != nil {
		is.Body = *in.Body
	}
	if in.State != nil {
		is.State = *in.State
	}
	if in.Labels != nil {
		is.Labels = *in.Labels
	}
}

func (h handler) findIssue(num string) *Issue {
	n, _ := strconv.Atoi(num)
	for _, is := range h.repo.Issues {
		if is.Number == n {
			return is
		}
	}
	return nil
}

func (h handler) issue(num string) (int, any, string) {
	is := h.findIssue(num)
	if is == nil {
		return 0, apiError{http.StatusNotFound, "Not Found"}, ""
	}
	if h.r.Method == "PATCH" {
		var in issueIn
		if err := json.Unmarshal(h.body, &in); err != nil {
			return 0, apiError{http.StatusBadRequest, "Problems parsing JSON"}, ""
		}
		applyIssue(is, in)
	}
	return 200, h.issueJSON(is), ""
}

func (h handler) commentJSON(c *Comment) map[string]any {
	return map[string]any{"id": c.ID, "body": c.Body, "user": map[string]string{"login": "sitrep-bot"},
		"html_url": fmt.Sprintf("https://github.example/%s/issues/%d#issuecomment-%d", h.name, c.Issue, c.ID)}
}

func (h handler) comments(num string) (int, any, string) {
	is := h.findIssue(num)
	if is == nil {
		return 0, apiError{http.StatusNotFound, "Not Found"}, ""
	}
	switch h.r.Method {
	case "POST":
		var in struct{ Body string }
		if err := json.Unmarshal(h.body, &in); err != nil || in.Body == "" {
			return 0, apiError{http.StatusUnprocessableEntity, "Validation Failed: body is required"}, ""
		}
		h.s.nextID++
		c := &Comment{ID: h.s.nextID, Issue: is.Number, Body: in.Body}
		h.repo.Comments = append(h.repo.Comments, c)
		return 201, h.commentJSON(c), ""
	case "GET":
		var sel []*Comment
		for _, c := range h.repo.Comments {
			if c.Issue == is.Number {
				sel = append(sel, c)
			}
		}
		return paginate(h, sel, h.commentJSON)
	}
	return 0, apiError{http.StatusNotFound, "Not Found"}, ""
}

func (h handler) editComment(id string) (int, any, string) {
	n, _ := strconv.ParseInt(id, 10, 64)
	for _, c := range h.repo.Comments {
		if c.ID == n {
			var in struct{ Body string }
			if err := json.Unmarshal(h.body, &in); err != nil || in.Body == "" {
				return 0, apiError{http.StatusUnprocessableEntity, "Validation Failed: body is required"}, ""
			}
			c.Body = in.Body
			return 200, h.commentJSON(c), ""
		}
	}
	return 0, apiError{http.StatusNotFound, "Not Found"}, ""
}

func (h handler) listDeployments() (int, any, string) {
	var sel []*Deployment
	for _, d := range h.repo.Deployments {
		if env := h.q.Get("environment"); env != "" && d.Environment != env {
			continue
		}
		sel = append(sel, d)
	}
	return paginate(h, sel, func(d *Deployment) map[string]any {
		return map[string]any{"id": d.ID, "ref": d.Ref, "sha": d.SHA, "environment": d.Environment,
			"description": d.Description, "creator": map[string]string{"login": d.Creator},
			"created_at": d.CreatedAt.UTC().Format(time.RFC3339)}
	})
}

func (h handler) listStatuses(id string) (int, any, string) {
	n, _ := strconv.ParseInt(id, 10, 64)
	found := false
	for _, d := range h.repo.Deployments {
		found = found || d.ID == n
	}
	if !found {
		return 0, apiError{http.StatusNotFound, "Not Found"}, ""
	}
	return paginate(h, h.repo.Statuses[n], func(st *DeploymentStatus) map[string]any {
		return map[string]any{"state": st.State, "log_url": st.LogURL, "created_at": st.CreatedAt.UTC().Format(time.RFC3339)}
	})
}

func (h handler) listReleases() (int, any, string) {
	return paginate(h, h.repo.Releases, func(rel *Release) map[string]any {
		out := map[string]any{"id": rel.ID, "tag_name": rel.Tag, "name": rel.Name, "draft": rel.Draft,
			"author":     map[string]string{"login": rel.Author},
			"html_url":   fmt.Sprintf("https://github.example/%s/releases/tag/%s", h.name, rel.Tag),
			"created_at": rel.CreatedAt.UTC().Format(time.RFC3339)}
		if !rel.PublishedAt.IsZero() {
			out["published_at"] = rel.PublishedAt.UTC().Format(time.RFC3339)
		}
		return out
	})
}

// paginate slices items by per_page/page (GitHub's defaults: 30, 1) and
// builds the Link header GitHub sends.
func paginate[T any](h handler, items []T, render func(T) map[string]any) (int, any, string) {
	per, _ := strconv.Atoi(h.q.Get("per_page"))
	if per <= 0 {
		per = 30
	}
	page, _ := strconv.Atoi(h.q.Get("page"))
	if page <= 0 {
		page = 1
	}
	lo := min((page-1)*per, len(items))
	hi := min(lo+per, len(items))
	out := make([]map[string]any, 0, hi-lo)
	for _, it := range items[lo:hi] {
		out = append(out, render(it))
	}
	last := max((len(items)+per-1)/per, 1)
	var links []string
	link := func(p int, rel string) {
		q := url.Values{}
		for k, v := range h.q {
			q[k] = v
		}
		q.Set("page", strconv.Itoa(p))
		u := url.URL{Scheme: "http", Host: h.r.Host, Path: h.r.URL.Path, RawQuery: q.Encode()}
		links = append(links, fmt.Sprintf(`<%s>; rel="%s"`, u.String(), rel))
	}
	if page < last {
		link(page+1, "next")
		link(last, "last")
	}
	if page > 1 {
		link(1, "first")
		link(page-1, "prev")
	}
	return 200, out, strings.Join(links, ", ")
}
