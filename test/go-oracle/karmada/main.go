// Command karmada answers AdmissionReviews with Karmada v1.18.2's own MultiClusterService
// webhooks (pkg/webhook/multiclusterservice), served as Karmada's webhook server serves them
// (controller-runtime's admission.Webhook), chained as the API server chains them: the mutating
// webhook, its JSON Patch applied, then the validating webhook on the result. The suite
// test/e2e/karmada-webhook-parity.test.ts runs it beside ours; nothing here is shipped.
//
//	go run .   # stdin: JSON [AdmissionReview]; stdout: JSON [{mutateStatus, mutate, mutated, validateStatus, validate}]
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"

	jsonpatch "github.com/evanphx/json-patch/v5"
	"k8s.io/klog/v2"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/karmada-io/karmada/pkg/util/gclient"
	"github.com/karmada-io/karmada/pkg/webhook/multiclusterservice"
)

func main() {
	if err := karmada(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "karmada:", err)
		os.Exit(2)
	}
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
	// Karmada's handlers log every refusal at error level; the answers are what matters here.
	flags := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(flags)
	if err := flags.Parse([]string{"-logtostderr=false", "-stderrthreshold=FATAL"}); err != nil {
		return err
	}
	klog.SetOutput(io.Discard)
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
