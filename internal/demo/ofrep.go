package demo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// maxOFREPBody caps an evaluation request; an evaluation context is small.
const maxOFREPBody = 64 << 10

func (w *World) ofrepHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /ofrep/v1/evaluate/flags/{key}", w.evaluateFlag)
	return mux
}

// ofrepSuccess is OFREP's serverEvaluationSuccess. Value is omitted when
// the flag defers to the caller's code default (a DISABLED flag).
type ofrepSuccess struct {
	Key      string          `json:"key"`
	Value    json.RawMessage `json:"value,omitempty"`
	Variant  string          `json:"variant,omitempty"`
	Reason   string          `json:"reason"`
	Metadata map[string]any  `json:"metadata,omitempty"`
}

type ofrepFailure struct {
	Key          string `json:"key"`
	ErrorCode    string `json:"errorCode"`
	ErrorDetails string `json:"errorDetails,omitempty"`
}

// evaluateFlag answers from the flags the service last loaded — not from
// the file on disk — so a verifier sees the change only once the service
// has really picked it up, as with flagd.
func (w *World) evaluateFlag(rw http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	evalCtx, err := decodeEvalRequest(http.MaxBytesReader(rw, r.Body, maxOFREPBody))
	if err != nil {
		writeJSON(rw, http.StatusBadRequest, ofrepFailure{Key: key, ErrorCode: "INVALID_CONTEXT", ErrorDetails: err.Error()})
		return
	}
	w.mu.RLock()
	fs := w.flags
	w.mu.RUnlock()
	res, err := fs.evaluate(key, evalCtx, time.Now())
	var ee *evalError
	switch {
	case errors.As(err, &ee) && ee.Code == codeFlagNotFound:
		writeJSON(rw, http.StatusNotFound, ofrepFailure{Key: key, ErrorCode: ee.Code, ErrorDetails: ee.Detail})
	case errors.As(err, &ee):
		writeJSON(rw, http.StatusBadRequest, ofrepFailure{Key: key, ErrorCode: ee.Code, ErrorDetails: ee.Detail})
	case err != nil:
		writeJSON(rw, http.StatusInternalServerError, map[string]string{"errorDetails": err.Error()})
	default:
		writeJSON(rw, http.StatusOK, ofrepSuccess{
			Key: res.Key, Value: res.Value, Variant: res.Variant, Reason: res.Reason,
			Metadata: scalarMetadata(fs.flags[key].Metadata),
		})
	}
}

// decodeEvalRequest reads an OFREP evaluationRequest ({"context":{...}}).
// An empty body is an empty context.
func decodeEvalRequest(body io.Reader) (map[string]any, error) {
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	if len(data) == 0 {
		return nil, nil
	}
	var req struct {
		Context json.RawMessage `json:"context"`
	}
	if err := json.Unmarshal(data, &req); err != nil {
		return nil, fmt.Errorf("request body is not an OFREP evaluation request: %w", err)
	}
	if len(req.Context) == 0 || string(req.Context) == "null" {
		return nil, nil
	}
	var ctx map[string]any
	if err := json.Unmarshal(req.Context, &ctx); err != nil {
		return nil, errors.New(`"context" must be a JSON object`)
	}
	return ctx, nil
}

// scalarMetadata keeps the metadata OFREP can carry: booleans, strings and
// numbers.
func scalarMetadata(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		switch v.(type) {
		case bool, string, float64:
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
