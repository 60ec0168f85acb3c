package commands

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sitrep-dev/sitrep/config"
	"github.com/sitrep-dev/sitrep/incident"
	"github.com/sitrep-dev/sitrep/internal/gh"
	"github.com/sitrep-dev/sitrep/internal/sanitize"
)

// Postmortem export to GitHub (`sitrep export --github-issue|--github-pr`):
//
//	res, err := ExportIssue(ctx, j, cfg.GitHub, markdown, author)
//	res, err := ExportPR(ctx, j, cfg.GitHub, markdown, author)
//	fmt.Println(res) // "created issue #12: https://…" / "updated pull request #13: https://…"
//
// markdown is the rendered postmortem (incident.Postmortem.Markdown). Both
// publish to github.postmortem_repo, journal an `export` entry
// (incident.ExportData{Target: "github-issue"|"github-pr", URL, Ref: number})
// before returning, and on a second run update what the first created
// instead of duplicating it. The token is read from token_env/token_file at
// call time and never reaches the journal, the result or an error.

// Export targets in ExportData.Target.
const (
	TargetGitHubIssue = "github-issue"
	TargetGitHubPR    = "github-pr"
)

// issueBodyMax is GitHub's limit on an issue body, in characters.
const issueBodyMax = 65536

// Exported says what an export to GitHub did.
type Exported struct {
	Target  string // TargetGitHubIssue | TargetGitHubPR
	Number  int
	URL     string
	Created bool   // false: an earlier export was updated
	Path    string // the file, for a PR
	Seq     int64  // the journal entry recording it
	Note    string // e.g. "file unchanged"
}

func (e Exported) String() string {
	what, verb := "issue", "updated"
	if e.Target == TargetGitHubPR {
		what = "pull request"
	}
	if e.Created {
		verb = "created"
	}
	s := fmt.Sprintf("%s %s #%d: %s", verb, what, e.Number, e.URL)
	if e.Note != "" {
		s += " (" + e.Note + ")"
	}
	return s
}

// ghExport is what both exports share: the client (which bounds each
// request by github.timeout), the target repository and the incident.
type ghExport struct {
	client  *gh.Client
	repo    gh.Repo
	rec     *incident.Record
	entries []incident.Entry
}

func newGHExport(j *incident.Journal, cfg *config.GitHub) (*ghExport, error) {
	if cfg == nil {
		return nil, errors.New("export to GitHub needs a github: section in the config (repos, postmortem_repo, token_env)")
	}
	name := cfg.PostmortemRepo
	if name == "" && len(cfg.Repos) > 0 {
		name = cfg.Repos[0]
	}
	repo, err := gh.ParseRepo(name)
	if err != nil {
		return nil, fmt.Errorf("github.postmortem_repo: %v", err)
	}
	c, err := gh.FromConfig(cfg, nil)
	if err != nil {
		return nil, err
	}
	entries, err := j.Load()
	if err != nil {
		return nil, err
	}
	return &ghExport{client: c, repo: repo, rec: incident.NewRecord(entries), entries: entries}, nil
}

func (x *ghExport) title() string {
	t := sanitize.Line(x.rec.Title)
	if t == "" {
		t = x.rec.ID
	}
	return "Postmortem: " + t
}

// previous returns the number of the last export of target to this
// repository, or 0.
func (x *ghExport) previous(target, kind string) int {
	n := 0
	for _, e := range x.entries {
		var d incident.ExportData
		if e.Kind != incident.KindExport || e.Decode(&d) != nil || d.Target != target {
			continue
		}
		// GitHub names are case-insensitive; the URL has the canonical case.
		if !strings.Contains(strings.ToLower(d.URL), strings.ToLower("/"+x.repo.String()+"/"+kind+"/")) {
			continue // exported to another repository before the config changed
		}
		if v, err := strconv.Atoi(d.Ref); err == nil {
			n = v
		}
	}
	return n
}

// record journals the export; only then is it reported as done.
func (x *ghExport) record(j *incident.Journal, author string, res Exported) (Exported, error) {
	e, err := j.Append(incident.Draft{
		Author: author, Kind: incident.KindExport, Text: res.String(),
		Data: incident.ExportData{Target: res.Target, URL: res.URL, Ref: strconv.Itoa(res.Number)},
	})
	if err != nil {
		return res, fmt.Errorf("%s, but journaling it failed (a re-run will not find it and may duplicate it): %w", res, err)
	}
	res.Seq = e.Seq
	return res, nil
}

// ExportIssue publishes markdown as an issue in the postmortem repository,
// labelled with github.labels. A second run edits the issue the journal
// says the first one created (creating a new one only if it was deleted).
func ExportIssue(ctx context.Context, j *incident.Journal, cfg *config.GitHub, markdown []byte, author string) (Exported, error) {
	if n := utf8.RuneCount(markdown); n > issueBodyMax {
		return Exported{}, fmt.Errorf("the postmortem is %d characters, over GitHub's %d for an issue body: export it as a pull request (--github-pr) instead", n, issueBodyMax)
	}
	x, err := newGHExport(j, cfg)
	if err != nil {
		return Exported{}, err
	}
	body, title := string(markdown), x.title()
	res := Exported{Target: TargetGitHubIssue}
	if n := x.previous(TargetGitHubIssue, "issues"); n > 0 {
		is, err := x.client.EditIssue(ctx, x.repo, n, gh.IssueEdit{Title: &title, Body: &body})
		switch st := gh.StatusOf(err); {
		case err == nil:
			res.Number, res.URL = is.Number, is.URL
			return x.record(j, author, res)
		case st == http.StatusNotFound || st == http.StatusGone:
			res.Note = fmt.Sprintf("issue #%d is gone, opened a new one", n)
		default:
			return Exported{}, err
		}
	}
	is, err := x.client.CreateIssue(ctx, x.repo, title, body, cfg.Labels)
	if err != nil {
		return Exported{}, err
	}
	res.Number, res.URL, res.Created = is.Number, is.URL, true
	return x.record(j, author, res)
}

// PostmortemPath is where ExportPR commits the postmortem:
// postmortems/<YYYY-MM-DD of the start>-<slug of the title>.md.
func PostmortemPath(rec *incident.Record) string {
	day := rec.Start
	if day.IsZero() {
		day = rec.Opened
	}
	return fmt.Sprintf("postmortems/%s-%s.md", day.UTC().Format("2006-01-02"), incident.Slug(rec.Title))
}

// ExportPR commits markdown to postmortems/<date>-<slug>.md on the branch
// postmortem/<incident id> (created from the default branch when missing)
// and opens a pull request into the default branch — review is the
// approval step. A second run commits the new export over the file (with
// the file's current SHA, so GitHub refuses with 409 if someone pushed in
// between; earlier commits, reviewers' included, stay in the branch's
// history), makes no commit when nothing changed, and reuses the open pull
// request.
func ExportPR(ctx context.Context, j *incident.Journal, cfg *config.GitHub, markdown []byte, author string) (Exported, error) {
	x, err := newGHExport(j, cfg)
	if err != nil {
		return Exported{}, err
	}
	branch := "postmortem/" + j.ID()
	path := PostmortemPath(x.rec)
	res := Exported{Target: TargetGitHubPR, Path: path}

	base, err := x.client.DefaultBranch(ctx, x.repo)
	if err != nil {
		return Exported{}, err
	}
	if _, err := x.client.BranchSHA(ctx, x.repo, branch); gh.IsNotFound(err) {
		baseSHA, err := x.client.BranchSHA(ctx, x.repo, base)
		if err != nil {
			return Exported{}, err
		}
		if err := x.client.CreateBranch(ctx, x.repo, branch, baseSHA); err != nil {
			return Exported{}, err
		}
	} else if err != nil {
		return Exported{}, err
	}

	sha, found, err := x.client.FileSHA(ctx, x.repo, path, branch)
	if err != nil {
		return Exported{}, err
	}
	if found && sha == GitBlobSHA(markdown) {
		res.Note = "file unchanged"
	} else {
		msg := "Add postmortem for " + j.ID()
		if found {
			msg = "Update postmortem for " + j.ID()
		}
		if _, err := x.client.PutFile(ctx, x.repo, path, branch, msg, markdown, sha); err != nil {
			return Exported{}, err
		}
	}

	if pr, ok, err := x.client.FindOpenPullRequest(ctx, x.repo, branch, base); err != nil {
		return Exported{}, err
	} else if ok {
		res.Number, res.URL = pr.Number, pr.URL
		return x.record(j, author, res)
	}
	body := fmt.Sprintf("Adds `%s`, the postmortem of incident `%s`, exported by sitrep.\n\nReview is the approval step: comment or push fixes to this branch; a later `sitrep export --github-pr` updates the file.\n", path, j.ID())
	pr, err := x.client.CreatePullRequest(ctx, x.repo, branch, base, x.title(), body)
	if err != nil {
		return Exported{}, err
	}
	res.Number, res.URL, res.Created = pr.Number, pr.URL, true
	return x.record(j, author, res)
}

// GitBlobSHA is git's object id for content as a blob, which is the SHA
// GitHub reports for a file: equal means the commit would change nothing.
func GitBlobSHA(content []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(content))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}
