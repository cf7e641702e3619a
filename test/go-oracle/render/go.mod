module github.com/mcs-bridge/mcs-bridge/test/go-oracle/render

go 1.25.0

require k8s.io/apimachinery v0.35.3

require sigs.k8s.io/json v0.0.0-20250730193827-2d320260d730 // indirect
