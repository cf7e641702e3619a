// Command render answers, with Go's and apimachinery's own code, how a value is shown in a
// Kubernetes error message: strconv.Quote (what %q prints), json.Marshal, and
// field.Invalid(...).Error(), on values decoded as the API server decodes a custom resource.
// It also lists the runes strconv.IsPrint accepts, which webhook/go-render/go-printable-table.ts holds.
// The webhook's unit tests run it; nothing here is shipped.
//
//	go run . printable   # JSON {"unicode": version, "ranges": [[first,last],...]}
//	go run . table       # the same ranges as the TypeScript module webhook/go-render/go-printable-table.ts
//	go run . render      # stdin: JSON [{"value":…,"detail":…}]; stdout: JSON [{"quote","json","invalid"}]
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"

	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func main() {
	if len(os.Args) != 2 {
		fail(fmt.Errorf("usage: render printable|table|render"))
	}
	var err error
	switch os.Args[1] {
	case "printable":
		err = json.NewEncoder(os.Stdout).Encode(map[string]any{"unicode": unicode.Version, "ranges": printableRanges()})
	case "table":
		err = writeTable(os.Stdout)
	case "render":
		err = render(os.Stdin, os.Stdout)
	default:
		err = fmt.Errorf("unknown mode %q: use printable, table or render", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "render:", err)
	os.Exit(2)
}

// printableRanges lists the runes strconv.IsPrint accepts, as inclusive ranges.
func printableRanges() [][2]rune {
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
	return ranges
}

// writeTable writes the ranges as a TypeScript module: hexadecimal "first-last" pairs, ten to a line.
func writeTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "/**\n * The runes Go's strconv.IsPrint accepts (Unicode %s, as in the Go toolchains that build\n", unicode.Version)
	b.WriteString(" * Kubernetes and Karmada), as inclusive hexadecimal ranges. Generated: do not edit; run\n")
	b.WriteString(" * `cd test/go-oracle/render && go run . table > ../../../webhook/go-render/go-printable-table.ts`.\n */\n")
	b.WriteString("export const GO_PRINTABLE_RANGES = `\n")
	for i, r := range printableRanges() {
		if i > 0 && i%10 == 0 {
			b.WriteString("\n")
		} else if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%x-%x", r[0], r[1])
	}
	b.WriteString("\n`;\n")
	_, err := io.WriteString(w, b.String())
	return err
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

// render decodes each value as the API server decodes a custom resource (numbers become int64
// or float64) and renders it as %q, json.Marshal and field.Invalid do.
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
