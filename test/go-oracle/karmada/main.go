// Command go-oracle answers, with Go's and Karmada's own code, the questions our TypeScript
// re-implements: how Go quotes and marshals a value, how apimachinery's field.Invalid renders
// it, which runes strconv calls printable, and what Karmada v1.18.2's MultiClusterService
// webhooks answer to an AdmissionReview. Tests run it; nothing here is shipped.
//
//	go run . printable   # JSON [[first,last],...]: the runes strconv.IsPrint accepts
//	go run . render      # stdin: JSON [{"value":…,"detail":…}]; stdout: how Go renders each value
//	go run . karmada     # stdin: JSON [AdmissionReview]; stdout: Karmada's answers (mutate, then validate)
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"unicode"

	jsonpatch "github.com/evanphx/json-patch/v5"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/klog/v2"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/karmada-io/karmada/pkg/util/gclient"
	"github.com/karmada-io/karmada/pkg/webhook/multiclusterservice"
)

func main() {
	if len(os.Args) != 2 {
		fail(fmt.Errorf("usage: go-oracle printable|render|karmada"))
	}
	var err error
	switch os.Args[1] {
	case "printable":
		err = printable(os.Stdout)
	case "render":
		err = render(os.Stdin, os.Stdout)
	case "karmada":
		err = karmada(os.Stdin, os.Stdout)
	default:
		err = fmt.Errorf("unknown mode %q: use printable, render or karmada", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "go-oracle:", err)
	os.Exit(2)
}

// printable lists the runes strconv.IsPrint accepts as ranges, with Go's Unicode version.
func printable(w io.Writer) error {
	var ranges [][2]rune
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !strconv.IsPrint(r) {
			continue
		}
		if n := len(ranges); n > 0 && ranges[n-1][1] == r-1 {
			ranges[n-1][1] = r
		} else {
			ranges = append(ranges, [2]rune{r, r})
		}
	}
	return json.NewEncoder(w).Encode(map[string]any{"unicode": unicode.Version, "ranges": ranges})
}

type renderCase struct {
	Value  json.RawMessage `json:"value"`
	Detail string          `json:"detail"`
}

type rendered struct {
	Quote   *string `json:"quote,omitempty"`
	JSON    string  `json:"json"`
	Invalid string  `json:"invalid"`
}

// render decodes each value as the API server decodes a custom resource (int64 or float64 for
// numbers) and renders it as Go's %q, json.Marshal and apimachinery's field.Invalid do.
func render(r io.Reader, w io.Writer) error {
	var cases []renderCase
	if err := json.NewDecoder(r).Decode(&cases); err != nil {
		return fmt.Errorf("reading the cases: %w", err)
	}
	out := make([]rendered, 0, len(cases))
	for i, c := range cases {
		var value any
		if err := utiljson.Unmarshal(c.Value, &value); err != nil {
			return fmt.Errorf("case %d: %w", i, err)
		}
		var res rendered
		if s, ok := value.(string); ok {
			q := strconv.Quote(s)
			res.Quote = &q
		}
		b, err := json.Marshal(value)
		if err != nil {
			return fmt.Errorf("case %d: %w", i, err)
		}
		res.JSON = string(b)
		res.Invalid = field.Invalid(field.NewPath("spec", "ports").Index(0).Child("port"), value, c.Detail).Error()
		out = append(out, res)
	}
	return json.NewEncoder(w).Encode(out)
}

type karmadaAnswer struct {
	// Mutate is Karmada's mutating webhook's HTTP status and AdmissionReview answer, as sent.
	MutateStatus int             `json:"mutateStatus"`
	Mutate       json.RawMessage `json:"mutate"`
	// Mutated is the object after Karmada's patch (absent when the mutation was refused).
	Mutated json.RawMessage `json:"mutated,omitempty"`
	// Validate is the validating webhook's answer on the mutated object (absent likewise).
	ValidateStatus int             `json:"validateStatus,omitempty"`
	Validate       json.RawMessage `json:"validate,omitempty"`
}

// karmada sends each AdmissionReview through Karmada's own handlers as its webhook server
// registers them (controller-runtime's admission.Webhook over HTTP), the way the API server
// chains them: the mutating webhook, its patch applied, then the validating webhook.
func karmada(r io.Reader, w io.Writer) error {
	klog.SetOutput(io.Discard)
	klog.LogToStderr(false)
	decoder := admission.NewDecoder(gclient.NewSchema())
	mutate := &admission.Webhook{Handler: &multiclusterservice.MutatingAdmission{Decoder: decoder}}
	validate := &admission.Webhook{Handler: &multiclusterservice.ValidatingAdmission{Decoder: decoder}}

	var reviews []json.RawMessage
	if err := json.NewDecoder(r).Decode(&reviews); err != nil {
		return fmt.Errorf("reading the reviews: %w", err)
	}
	out := make([]karmadaAnswer, 0, len(reviews))
	for i, body := range reviews {
		var answer karmadaAnswer
		answer.MutateStatus, answer.Mutate = serve(mutate, body)
		var mutated struct {
			Response struct {
				Allowed bool   `json:"allowed"`
				Patch   []byte `json:"patch"`
			} `json:"response"`
		}
		if err := json.Unmarshal(answer.Mutate, &mutated); err != nil {
			return fmt.Errorf("review %d: reading the mutating answer: %w", i, err)
		}
		if mutated.Response.Allowed {
			next, object, err := withPatchedObject(body, mutated.Response.Patch)
			if err != nil {
				return fmt.Errorf("review %d: %w", i, err)
			}
			answer.Mutated = object
			answer.ValidateStatus, answer.Validate = serve(validate, next)
		}
		out = append(out, answer)
	}
	return json.NewEncoder(w).Encode(out)
}

// withPatchedObject applies a JSON Patch to the review's request.object, leaving every other
// byte of the review (number literals included) as it was sent.
func withPatchedObject(body, rawPatch []byte) ([]byte, json.RawMessage, error) {
	var review map[string]json.RawMessage
	if err := json.Unmarshal(body, &review); err != nil {
		return nil, nil, err
	}
	var request map[string]json.RawMessage
	if err := json.Unmarshal(review["request"], &request); err != nil {
		return nil, nil, err
	}
	object := []byte(request["object"])
	if len(rawPatch) > 0 {
		patch, err := jsonpatch.DecodePatch(rawPatch)
		if err != nil {
			return nil, nil, fmt.Errorf("karmada's patch: %w", err)
		}
		if object, err = patch.Apply(object); err != nil {
			return nil, nil, fmt.Errorf("applying Karmada's patch: %w", err)
		}
	}
	request["object"] = object
	var err error
	if review["request"], err = json.Marshal(request); err != nil {
		return nil, nil, err
	}
	next, err := json.Marshal(review)
	return next, object, err
}

func serve(hook http.Handler, body []byte) (int, json.RawMessage) {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	hook.ServeHTTP(rec, req)
	return rec.Code, bytes.TrimSpace(rec.Body.Bytes())
}
