{{/* Names, labels and the checks every template relies on. */}}

{{- define "mcs-bridge.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The prefix of every object: the release name when it already says mcs-bridge. */}}
{{- define "mcs-bridge.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "mcs-bridge.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mcs-bridge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "mcs-bridge.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "mcs-bridge.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: mcs-bridge
{{- end }}

{{- define "mcs-bridge.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mcs-bridge.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name must name an existing ServiceAccount when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Service in front of the webhooks; the certificate is issued for its names. */}}
{{- define "mcs-bridge.webhookServiceName" -}}
{{- printf "%s-webhook" (include "mcs-bridge.fullname" . | trunc 55 | trimSuffix "-") }}
{{- end }}

{{- define "mcs-bridge.metricsServiceName" -}}
{{- printf "%s-metrics" (include "mcs-bridge.fullname" . | trunc 55 | trimSuffix "-") }}
{{- end }}

{{/* Both webhook configurations (one Mutating, one Validating) carry this name. */}}
{{- define "mcs-bridge.webhookConfigName" -}}
{{- include "mcs-bridge.fullname" . }}
{{- end }}

{{- define "mcs-bridge.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "mcs-bridge.fullname" . | trunc 59 | trimSuffix "-")) .Values.tls.secretName }}
{{- end }}

{{- define "mcs-bridge.certificateName" -}}
{{- printf "%s-serving" (include "mcs-bridge.fullname" . | trunc 55 | trimSuffix "-") }}
{{- end }}

{{- define "mcs-bridge.leaseName" -}}
{{- printf "%s-syncer" (include "mcs-bridge.fullname" . | trunc 56 | trimSuffix "-") }}
{{- end }}

{{- define "mcs-bridge.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (toString (default .Chart.AppVersion .Values.image.tag)) }}
{{- end }}
{{- end }}

{{/* The host of webhook.url, without port or IPv6 brackets; empty when there is no URL. */}}
{{- define "mcs-bridge.webhookURLHost" -}}
{{- if .Values.webhook.url }}
{{- $host := (urlParse .Values.webhook.url).host }}
{{- if hasPrefix "[" $host }}
{{- regexReplaceAll "^\\[([^]]*)\\].*$" $host "${1}" }}
{{- else }}
{{- regexReplaceAll ":[0-9]*$" $host "" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Extra DNS names of the certificate: tls.hosts, and webhook.url's host when it is a name. */}}
{{- define "mcs-bridge.certificateHosts" -}}
{{- $hosts := .Values.tls.hosts }}
{{- $urlHost := include "mcs-bridge.webhookURLHost" . }}
{{- if and $urlHost (not (regexMatch "^[0-9.]+$|:" $urlHost)) }}
{{- $hosts = append $hosts $urlHost }}
{{- end }}
{{- toJson (uniq $hosts) }}
{{- end }}

{{/* Extra IP addresses of the certificate: tls.ips, and webhook.url's host when it is an address. */}}
{{- define "mcs-bridge.certificateIPs" -}}
{{- $ips := .Values.tls.ips }}
{{- $urlHost := include "mcs-bridge.webhookURLHost" . }}
{{- if and $urlHost (regexMatch "^[0-9.]+$|:" $urlHost) }}
{{- $ips = append $ips $urlHost }}
{{- end }}
{{- toJson (uniq $ips) }}
{{- end }}

{{/* "true" when this release holds what the API needs: the hub, or the karmada-apiserver part. */}}
{{- define "mcs-bridge.holdsApi" -}}
{{- ne .Values.controlPlane.part "karmada-host" }}
{{- end }}

{{/* "true" when this release runs the pods: the hub, or the karmada-host part. */}}
{{- define "mcs-bridge.runsPods" -}}
{{- ne .Values.controlPlane.part "karmada-apiserver" }}
{{- end }}

{{/*
The base URL the API server calls the webhook at: webhook.url; on karmada-apiserver, which
resolves names through karmada-host's DNS but has no Services of its own to route through,
the webhook Service's name in karmada-host (as Karmada's own webhook configuration does);
else empty (the API server calls the Service).
*/}}
{{- define "mcs-bridge.webhookURL" -}}
{{- if .Values.webhook.url }}
{{- .Values.webhook.url }}
{{- else if eq .Values.controlPlane.part "karmada-apiserver" }}
{{- printf "https://%s.%s.svc:%v" (include "mcs-bridge.webhookServiceName" .) .Release.Namespace .Values.webhook.service.port }}
{{- end }}
{{- end }}

{{/* Where the karmada-host part mounts karmada-apiserver's kubeconfig in both containers. */}}
{{- define "mcs-bridge.karmadaKubeconfigPath" -}}
/etc/mcs-bridge/karmada/kubeconfig
{{- end }}

{{/* Where the member kubeconfig is mounted in both containers. */}}
{{- define "mcs-bridge.memberKubeconfigPath" -}}
/etc/mcs-bridge/members/kubeconfig
{{- end }}

{{/*
Checks across values that the schema cannot express, each failing with a message that names
the value to set.
*/}}
{{- define "mcs-bridge.validate" -}}
{{- $part := .Values.controlPlane.part }}
{{- if and (ne $part "hub") (eq .Values.tls.mode "certManager") }}
{{- fail (printf "controlPlane.part is %s: cert-manager's cainjector cannot fill the caBundle in karmada-apiserver; use tls.mode selfManaged or secret" $part) }}
{{- end }}
{{- if and (eq $part "karmada-host") (not .Values.controlPlane.karmadaKubeconfig.secretName) }}
{{- fail "controlPlane.part is karmada-host: set controlPlane.karmadaKubeconfig.secretName to the Secret holding karmada-apiserver's kubeconfig" }}
{{- end }}
{{- if and (eq .Values.members.source "kubeconfig") (not .Values.members.kubeconfig.secretName) }}
{{- fail "members.source is kubeconfig: set members.kubeconfig.secretName to the Secret (in the release namespace) holding the member kubeconfig" }}
{{- end }}
{{- if and (eq .Values.tls.mode "secret") (not .Values.tls.secret.caBundle) }}
{{- fail "tls.mode is secret: set tls.secret.caBundle to the base64 PEM of the CA that signed the certificate in tls.secretName" }}
{{- end }}
{{- if and (eq .Values.tls.mode "secret") (not .Values.tls.secretName) }}
{{- fail "tls.mode is secret: set tls.secretName to the existing Secret (tls.crt, tls.key) in the release namespace" }}
{{- end }}
{{- if eq (int .Values.webhook.port) (int .Values.webhook.healthPort) }}
{{- fail "webhook.port and webhook.healthPort must differ" }}
{{- end }}
{{- if has (int .Values.syncer.metricsPort) (list (int .Values.webhook.port) (int .Values.webhook.healthPort)) }}
{{- fail "syncer.metricsPort must differ from webhook.port and webhook.healthPort (both containers share the pod's network)" }}
{{- end }}
{{- /* Only against a live cluster (helm template and lint have no API to ask) that holds the API
objects: karmada-host serves no Karmada APIs. */}}
{{- if and (ne $part "karmada-host") (eq .Values.members.source "karmada") (lookup "v1" "Namespace" "" "kube-system") (not (.Capabilities.APIVersions.Has "cluster.karmada.io/v1alpha1")) }}
{{- fail "members.source is karmada, but this cluster does not serve cluster.karmada.io/v1alpha1 (Karmada's Cluster objects): install on a Karmada control plane, or set members.source=kubeconfig and members.kubeconfig.secretName" }}
{{- end }}
{{- if and (ne $part "karmada-host") (eq .Values.members.source "karmada") .Values.rbac.create (lookup "v1" "Namespace" "" "kube-system") (not (lookup "v1" "Namespace" "" .Values.members.karmada.secretNamespace)) }}
{{- fail (printf "members.karmada.secretNamespace: namespace %s, where the Clusters' Secrets should be, does not exist" .Values.members.karmada.secretNamespace) }}
{{- end }}
{{- end }}

{{/* The downward-API environment both containers read (leader identity, namespace). */}}
{{- define "mcs-bridge.podEnv" -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
{{- end }}
