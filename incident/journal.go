package incident

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/sitrep-dev/sitrep/internal/fsutil"
)

// JournalFile is the name of the journal inside an incident's folder.
const JournalFile = "journal.jsonl"

// tailWindow is how much of the file's end is read to find the last entry.
// An entry is far smaller; a longer last line is read whole anyway.
const tailWindow = 64 << 10

// ErrDiskFull is returned (wrapped) when an append fails for lack of space.
var ErrDiskFull = errors.New("no space left on device")

// Recovery describes bytes that were moved aside because the journal's end
// was torn or corrupt (a crash mid-write, a power loss).
type Recovery struct {
	Bytes   int    // how many bytes were moved
	SavedAs string // where they are now
	Reason  string
}

func (r Recovery) String() string {
	return fmt.Sprintf("journal: moved %d corrupt byte(s) at the end aside to %s (%s)", r.Bytes, r.SavedAs, r.Reason)
}

// Journal is one incident's append-only record. It is safe for concurrent
// use by goroutines, and several processes may append to the same file:
// every append holds an exclusive flock and re-reads the tail under it.
type Journal struct {
	id   string
	path string

	// OnRecover, when set, is told about every recovery; the CLI prints it
	// on stderr. Set it before the first Append.
	OnRecover func(Recovery)

	mu       sync.Mutex
	f        *os.File
	size     int64  // file size after our last read or write, under lock
	lastSeq  int64  // seq of the last entry at size
	lastHash string // hash of the last line at size
	now      func() time.Time
	write    func(f *os.File, b []byte) (int, error) // replaced by tests to simulate a full disk
}

// OpenJournal opens the journal at path, which must exist. A torn or corrupt
// last line is moved aside (see Recovery) before it returns.
func OpenJournal(path string) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		return nil, err
	}
	j := &Journal{
		id:    filepath.Base(filepath.Dir(path)),
		path:  path,
		f:     f,
		size:  -1,
		now:   func() time.Time { return time.Now().UTC() },
		write: func(f *os.File, b []byte) (int, error) { return f.Write(b) },
	}
	return j, nil
}

// ID is the incident id (the folder name).
func (j *Journal) ID() string { return j.id }

// Path is the journal file's path.
func (j *Journal) Path() string { return j.path }

// Dir is the incident's folder.
func (j *Journal) Dir() string { return filepath.Dir(j.path) }

// Close releases the file.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}

// Check takes the lock and repairs a torn end now, so that a caller that
// only reads still reports a crash's leftovers promptly.
func (j *Journal) Check() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.locked(syscall.LOCK_EX, func() error { return j.syncTail() })
}

// Append adds an entry and returns it once it is on stable storage (written
// and fsynced). On failure the file is left exactly as it was.
func (j *Journal) Append(d Draft) (Entry, error) {
	if !validKind(d.Kind) {
		return Entry{}, fmt.Errorf("invalid kind %q: use lowercase letters, digits and '-'", d.Kind)
	}
	var data json.RawMessage
	if d.Data != nil {
		b, err := marshal(d.Data)
		if err != nil {
			return Entry{}, fmt.Errorf("encode %s data: %w", d.Kind, err)
		}
		data = b
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return Entry{}, os.ErrClosed
	}
	var e Entry
	err := j.locked(syscall.LOCK_EX, func() error {
		if err := j.syncTail(); err != nil {
			return err
		}
		e = Entry{
			Seq:    j.lastSeq + 1,
			At:     d.At.UTC(),
			Author: d.Author,
			Kind:   d.Kind,
			Text:   d.Text,
			Data:   data,
			Auto:   d.Auto,
			Prev:   j.lastHash,
		}
		if d.At.IsZero() {
			e.At = j.now()
		}
		line, err := marshal(e)
		if err != nil {
			return fmt.Errorf("encode entry: %w", err)
		}
		if err := j.writeLine(line); err != nil {
			return err
		}
		j.size += int64(len(line)) + 1
		j.lastSeq = e.Seq
		j.lastHash = hashLine(line)
		return nil
	})
	return e, err
}

// writeLine appends line+"\n" in one write and fsyncs. On any failure it
// truncates the file back so no partial line is left behind.
func (j *Journal) writeLine(line []byte) error {
	buf := make([]byte, 0, len(line)+1)
	buf = append(append(buf, line...), '\n')
	n, err := j.write(j.f, buf)
	if err == nil && n != len(buf) {
		err = io.ErrShortWrite
	}
	if err == nil {
		err = j.f.Sync()
	}
	if err != nil {
		// Undo whatever part reached the file; the caller gets an error and
		// the entry is not acknowledged.
		if terr := j.f.Truncate(j.size); terr == nil {
			_ = j.f.Sync()
		}
		if errors.Is(err, syscall.ENOSPC) {
			return fmt.Errorf("entry not saved, nothing was written: %w on the disk holding %s (free space there, or move the data with --data DIR), then run it again",
				ErrDiskFull, filepath.Dir(j.path))
		}
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is said once, below
		}
		return fmt.Errorf("entry not saved, nothing was written: append to %s: %w", j.path, err)
	}
	return nil
}

// locked runs fn holding a flock of the given type on the journal.
func (j *Journal) locked(how int, fn func() error) error {
	if err := lockFile(j.f, how, fn); err != nil {
		var errno syscall.Errno
		if errors.As(err, &errno) {
			return fmt.Errorf("lock %s: %w", j.path, err)
		}
		return err
	}
	return nil
}

// syncTail brings size/lastSeq/lastHash up to date with the file, repairing
// a torn or corrupt end. It must run under the exclusive lock.
func (j *Journal) syncTail() error {
	st, err := j.f.Stat()
	if err != nil {
		return err
	}
	if st.Size() == j.size {
		return nil
	}
	tail, err := readTail(j.f, st.Size())
	if err != nil {
		return fmt.Errorf("read %s: %w", j.path, err)
	}
	if tail.badFrom >= 0 {
		if err := j.moveAside(tail.badFrom, st.Size(), tail.badReason); err != nil {
			return err
		}
	}
	j.size = tail.goodEnd
	j.lastSeq = tail.lastSeq
	j.lastHash = tail.lastHash
	return nil
}

// moveAside copies bytes [from, to) into journal.jsonl.corrupt-<time>,
// fsyncs that copy, then truncates the journal to from.
func (j *Journal) moveAside(from, to int64, reason string) error {
	bad := make([]byte, to-from)
	if _, err := j.f.ReadAt(bad, from); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read corrupt tail of %s: %w", j.path, err)
	}
	name := fmt.Sprintf("%s.corrupt-%s", j.path, j.now().Format("20060102T150405.000000000Z"))
	if err := writeFileSync(name, bad, 0o600); err != nil {
		return fmt.Errorf("save corrupt tail of %s: %w", j.path, err)
	}
	if err := j.f.Truncate(from); err != nil {
		return fmt.Errorf("truncate %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", j.path, err)
	}
	if j.OnRecover != nil {
		j.OnRecover(Recovery{Bytes: len(bad), SavedAs: name, Reason: reason})
	}
	return nil
}

type tailInfo struct {
	goodEnd   int64 // offset just past the last good line
	lastSeq   int64
	lastHash  string
	badFrom   int64 // start of corrupt bytes at the end, or -1
	badReason string
}

// readTail inspects the end of the file: the last complete line must be a
// valid entry that follows the line before it; anything after the last
// newline is torn. Both kinds of damage are reported as badFrom.
func readTail(f *os.File, size int64) (tailInfo, error) {
	info := tailInfo{badFrom: -1}
	for window := int64(tailWindow); ; window *= 4 {
		start := max(size-window, 0)
		buf := make([]byte, size-start)
		if _, err := f.ReadAt(buf, start); err != nil && !errors.Is(err, io.EOF) {
			return info, err
		}
		// Offsets within buf; a line start is only trusted when a newline
		// precedes it inside buf or it is the start of the file.
		end := bytes.LastIndexByte(buf, '\n') + 1 // end of the complete lines
		lastStart := bytes.LastIndexByte(buf[:max(end-1, 0)], '\n') + 1
		prevStart := 0
		if lastStart > 0 {
			prevStart = bytes.LastIndexByte(buf[:lastStart-1], '\n') + 1
		}
		if start > 0 && (end == 0 || prevStart == 0) {
			continue // the window cut a line we need: read more
		}
		if end < len(buf) {
			info.badFrom = start + int64(end)
			info.badReason = "last line is incomplete (no newline): a write was interrupted"
		}
		if end == 0 {
			return info, nil // nothing but a torn first line
		}
		var prev *Entry
		if lastStart > 0 {
			var pe Entry
			if json.Unmarshal(buf[prevStart:lastStart-1], &pe) == nil && pe.Seq > 0 {
				prev = &pe
			}
		}
		prevSeq := int64(0)
		if prev != nil {
			prevSeq = prev.Seq
		}
		line := buf[lastStart : end-1]
		var e Entry
		err := json.Unmarshal(line, &e)
		if err == nil {
			err = checkEntry(e, prevSeq)
		}
		if err == nil && (lastStart == 0 || prev != nil) {
			info.goodEnd = start + int64(end)
			info.lastSeq, info.lastHash = e.Seq, hashLine(line)
			return info, nil
		}
		// The last complete line is garbage (zero-filled blocks after a
		// power loss, a line cut and glued): it goes aside with any torn
		// bytes, and the line before it must be good.
		info.badFrom = start + int64(lastStart)
		info.badReason = "last line is not a valid entry"
		if err != nil {
			info.badReason += ": " + err.Error()
		}
		if lastStart == 0 {
			return info, nil
		}
		if prev == nil {
			return info, fmt.Errorf("the last two lines are both corrupt; run `sitrep verify` to find the first bad line")
		}
		info.goodEnd = start + int64(lastStart)
		info.lastSeq, info.lastHash = prev.Seq, hashLine(buf[prevStart:lastStart-1])
		return info, nil
	}
}

// Load reads every entry, in file (append) order. A torn end is not an
// error here (it is repaired by the next Check or Append); a corrupt line
// anywhere else is, and the error names its line number.
func (j *Journal) Load() ([]Entry, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil, os.ErrClosed
	}
	var entries []Entry
	err := j.locked(syscall.LOCK_SH, func() error {
		data, err := io.ReadAll(io.NewSectionReader(j.f, 0, 1<<62))
		if err != nil {
			return err
		}
		entries, _, err = DecodeJournal(data)
		if err != nil {
			return fmt.Errorf("%s:%w", j.path, err)
		}
		return nil
	})
	return entries, err
}

// LineError is a corrupt line in the middle of a journal.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("%d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// DecodeJournal parses journal bytes. It returns the entries of the good
// prefix and the number of bytes they span. A torn last line (no newline)
// or a corrupt last line is not an error: it is simply not part of the good
// prefix. A corrupt line followed by more lines is a *LineError.
//
// Large journals are decoded in parallel chunks (JSON decoding is the whole
// cost of loading); the result is the same as a sequential decode.
func DecodeJournal(data []byte) ([]Entry, int, error) { return decodeAfter(data, 0) }

// decodeAfter decodes lines that continue a journal whose last seq is
// lastSeq (0: from the start).
func decodeAfter(data []byte, lastSeq int64) ([]Entry, int, error) {
	chunks := splitChunks(data, decodeWorkers(len(data)))
	results := make([]chunkResult, len(chunks))
	var wg sync.WaitGroup
	for i, c := range chunks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = decodeChunk(c)
		}()
	}
	wg.Wait()

	entries := make([]Entry, 0, bytes.Count(data, []byte{'\n'}))
	off, lineNo := 0, 0
	for _, r := range results {
		for k, e := range r.entries {
			if err := checkEntry(e, lastSeq); err != nil {
				return finish(data, entries, off, off+r.ends[k], lineNo+1, err)
			}
			lastSeq = e.Seq
			entries = append(entries, e)
			lineNo++
			off += r.ends[k]
		}
		if r.err != nil {
			return finish(data, entries, off, off+r.badLen, lineNo+1, r.err)
		}
		if r.torn {
			return entries, off, nil
		}
	}
	return entries, off, nil
}

// finish ends decoding at a bad line: it is the (crash-damaged) tail when
// nothing but a torn fragment follows it, else corruption in the middle.
func finish(data []byte, entries []Entry, off, lineEnd, lineNo int, err error) ([]Entry, int, error) {
	if bytes.IndexByte(data[lineEnd:], '\n') < 0 {
		return entries, off, nil
	}
	return entries, off, &LineError{Line: lineNo, Err: err}
}

type chunkResult struct {
	entries []Entry
	ends    []int // byte length of each entry's line, newline included
	err     error // first undecodable line, after entries
	badLen  int   // its length, newline included
	torn    bool  // the chunk ends without a newline
}

func decodeChunk(c []byte) chunkResult {
	var r chunkResult
	for len(c) > 0 {
		nl := bytes.IndexByte(c, '\n')
		if nl < 0 {
			r.torn = true
			return r
		}
		var e Entry
		if err := json.Unmarshal(c[:nl], &e); err != nil {
			r.err, r.badLen = err, nl+1
			return r
		}
		r.entries = append(r.entries, e)
		r.ends = append(r.ends, nl+1)
		c = c[nl+1:]
	}
	return r
}

// decodeWorkers: one goroutine per CPU, but only for data worth splitting.
func decodeWorkers(n int) int {
	if n < 1<<20 {
		return 1
	}
	return runtime.GOMAXPROCS(0)
}

// splitChunks cuts data into about n pieces at line boundaries.
func splitChunks(data []byte, n int) [][]byte {
	var chunks [][]byte
	for n > 1 && len(data) > 0 {
		cut := len(data) / n
		nl := bytes.IndexByte(data[cut:], '\n')
		if nl < 0 {
			break
		}
		chunks = append(chunks, data[:cut+nl+1])
		data = data[cut+nl+1:]
		n--
	}
	return append(chunks, data)
}

func checkEntry(e Entry, lastSeq int64) error {
	switch {
	case e.Seq != lastSeq+1:
		return fmt.Errorf("seq %d follows seq %d (entries must be numbered 1, 2, 3, ... without gaps)", e.Seq, lastSeq)
	case e.At.IsZero():
		return fmt.Errorf("entry %d has no time", e.Seq)
	case !validKind(e.Kind):
		return fmt.Errorf("entry %d has invalid kind %q", e.Seq, e.Kind)
	}
	return nil
}

func validKind(k Kind) bool {
	if k == "" || len(k) > 32 {
		return false
	}
	for _, c := range k {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// Broken is the result of a failed chain check.
type Broken struct {
	Seq    int64
	Line   int
	Reason string
}

// Verify checks the hash chain of the whole file: every entry's prev must be
// the hash of the line before it. It returns nil when the chain holds.
func (j *Journal) Verify() (*Broken, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	var broken *Broken
	err := j.locked(syscall.LOCK_SH, func() error {
		data, err := io.ReadAll(io.NewSectionReader(j.f, 0, 1<<62))
		if err != nil {
			return err
		}
		broken = VerifyChain(data)
		return nil
	})
	return broken, err
}

// VerifyChain checks journal bytes; see Journal.Verify.
func VerifyChain(data []byte) *Broken {
	prevHash := ""
	var lastSeq int64
	for off, lineNo := 0, 1; off < len(data); lineNo++ {
		nl := bytes.IndexByte(data[off:], '\n')
		if nl < 0 {
			return &Broken{Seq: lastSeq + 1, Line: lineNo, Reason: "incomplete last line (no newline)"}
		}
		line := data[off : off+nl]
		var e Entry
		if err := json.Unmarshal(line, &e); err != nil {
			return &Broken{Seq: lastSeq + 1, Line: lineNo, Reason: "not a valid entry: " + err.Error()}
		}
		if err := checkEntry(e, lastSeq); err != nil {
			return &Broken{Seq: e.Seq, Line: lineNo, Reason: err.Error()}
		}
		if e.Prev != prevHash {
			return &Broken{Seq: e.Seq, Line: lineNo, Reason: "prev does not match the hash of the line before: an earlier line was changed, removed or inserted"}
		}
		prevHash = hashLine(line)
		lastSeq = e.Seq
		off += nl + 1
	}
	return nil
}

// EncodeLine is the journal's line encoding of e (compact JSON, no HTML
// escaping, no newline); HashLine of it is the next entry's prev. Tools that
// write journals in bulk (the benchmark) use these so `sitrep verify` agrees.
func EncodeLine(e Entry) ([]byte, error) { return marshal(e) }

// HashLine is the hex SHA-256 of a line's bytes (without its newline).
func HashLine(line []byte) string { return hashLine(line) }

func hashLine(line []byte) string {
	sum := sha256.Sum256(line)
	return hex.EncodeToString(sum[:])
}

// marshal encodes v as compact JSON without HTML escaping and without the
// trailing newline json.Encoder adds.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// Reader returns the entries appended since its previous call; see Follow.
type Reader struct {
	j       *Journal
	f       *os.File
	off     int64
	lastSeq int64
}

// NewReader starts reading at the beginning of the journal.
func (j *Journal) NewReader() (*Reader, error) {
	f, err := os.Open(j.path)
	if err != nil {
		return nil, err
	}
	return &Reader{j: j, f: f}, nil
}

// Close releases the reader's file.
func (r *Reader) Close() error { return r.f.Close() }

// Next returns complete entries appended since the last call (none when
// nothing changed). It never blocks on writers for longer than one append.
func (r *Reader) Next() ([]Entry, error) {
	st, err := r.f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() == r.off {
		return nil, nil
	}
	if st.Size() < r.off {
		// Only a torn end we never consumed can be cut off; anything else
		// means the file was replaced or rewritten behind our back.
		return nil, fmt.Errorf("%s shrank from %d to %d bytes: it was modified outside sitrep", r.j.path, r.off, st.Size())
	}
	var out []Entry
	err = lockFile(r.f, syscall.LOCK_SH, func() error {
		data, err := io.ReadAll(io.NewSectionReader(r.f, r.off, 1<<62))
		if err != nil {
			return err
		}
		// Only complete, valid lines are taken. A torn end or a corrupt
		// line under the shared lock is a crash's leftover that the next
		// writer moves aside: stop before it and read on later.
		entries, n, _ := decodeAfter(data, r.lastSeq)
		out = entries
		if len(entries) > 0 {
			r.lastSeq = entries[len(entries)-1].Seq
		}
		r.off += int64(n)
		return nil
	})
	return out, err
}

// lockFile runs fn holding a flock on f. The lock error itself is returned
// as a bare syscall.Errno so callers can tell it from fn's errors.
func lockFile(f *os.File, how int, fn func() error) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err == nil {
			break
		}
		if err != syscall.EINTR {
			return err
		}
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing the fd would release it too
	return fn()
}

// FollowInterval is how often Follow looks for new entries. A stat per
// interval costs nothing measurable and keeps every open view within 1 s.
const FollowInterval = 250 * time.Millisecond

// Follow calls fn with every batch of new entries (starting with all
// existing ones) until ctx is done. Errors are passed to fn's caller via
// the returned error only when reading cannot continue.
func (j *Journal) Follow(ctx context.Context, every time.Duration, fn func([]Entry)) error {
	r, err := j.NewReader()
	if err != nil {
		return err
	}
	defer r.Close()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		batch, err := r.Next()
		if err != nil {
			return err
		}
		if len(batch) > 0 {
			fn(batch)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// writeFileSync writes a new file and fsyncs it and its directory.
func writeFileSync(name string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return fsutil.SyncDir(filepath.Dir(name))
}

// Peek reads the journal's first entry and its last n entries without
// reading what lies between, so a view of a 100,000-entry journal can draw
// its header and newest rows at once while the whole file loads behind it.
// A torn or corrupt line at either end is skipped, not reported.
func (j *Journal) Peek(n int) (first Entry, last []Entry, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return Entry{}, nil, os.ErrClosed
	}
	err = j.locked(syscall.LOCK_SH, func() error {
		st, err := j.f.Stat()
		if err != nil {
			return err
		}
		head := make([]byte, min(st.Size(), tailWindow))
		if _, err := j.f.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if nl := bytes.IndexByte(head, '\n'); nl > 0 {
			_ = json.Unmarshal(head[:nl], &first)
		}
		start := max(0, st.Size()-int64(n)*1024)
		buf := make([]byte, st.Size()-start)
		if _, err := j.f.ReadAt(buf, start); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		lines := bytes.Split(buf, []byte{'\n'})
		if start > 0 {
			lines = lines[1:] // the window began mid-line
		}
		for _, l := range lines {
			var e Entry
			if len(l) == 0 || json.Unmarshal(l, &e) != nil || e.Seq <= first.Seq {
				continue
			}
			last = append(last, e)
		}
		if len(last) > n {
			last = last[len(last)-n:]
		}
		return nil
	})
	return first, last, err
}

// LoadKinds returns the entries of the given kinds, in file order, by
// scanning the file and decoding only the lines that name one of them: a
// recorder that needs the last health and alert states of a 100,000-entry
// journal reads it without building every entry. Lines are found by the
// `"kind":"…"` text sitrep's encoder always writes.
func (j *Journal) LoadKinds(kinds ...Kind) ([]Entry, error) {
	needles := make([][]byte, len(kinds))
	for i, k := range kinds {
		needles[i] = []byte(`"kind":"` + string(k) + `"`)
	}
	var out []Entry
	err := j.scan(func(line []byte) {
		for _, n := range needles {
			if bytes.Contains(line, n) {
				var e Entry
				if json.Unmarshal(line, &e) == nil {
					out = append(out, e)
				}
				return
			}
		}
	})
	return out, err
}

// scan calls fn with every complete line, under the shared lock.
func (j *Journal) scan(fn func(line []byte)) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return os.ErrClosed
	}
	return j.locked(syscall.LOCK_SH, func() error {
		sc := bufio.NewScanner(io.NewSectionReader(j.f, 0, 1<<62))
		sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
		for sc.Scan() {
			fn(sc.Bytes())
		}
		return sc.Err()
	})
}

// Start is when the incident's impact began (see Record.Start), found by
// scanning: only the opened and started lines are decoded. It lets a
// dashboard know the change window of a 100,000-entry incident without
// loading it first.
func (j *Journal) Start() (time.Time, error) {
	es, err := j.LoadKinds(KindOpened, KindStarted)
	if err != nil {
		return time.Time{}, err
	}
	return NewRecord(es).Start, nil
}
