{{/*
The services of Tally: values key -> service name, HTTP port (the service's default port) and workload kind.
Kafka Streams services with local state are StatefulSets (stable pod names are their static-membership ids and
each pod can keep its state volume), and so are services with a single-writer file (places-workers' DuckDB
warehouse); the others are Deployments. Flags:
  worker: true     built on the worker SDK: gets TALLY_WORKER_INSTANCE_ID (the pod name)
  artifacts: true  mounts the shared artifact store (artifacts.*) with TALLY_ARTIFACTS_DIR
A new worker service is one line here plus its block in values.yaml (enabled, replicaCount, resources, env,
extraEnv, and autoscaling for a Deployment).
*/}}
{{- define "tally.services" -}}
jobTracker: {name: job-tracker, port: 8080, kind: StatefulSet, artifacts: true}
scheduler: {name: scheduler, port: 8082, kind: Deployment}
chartScraper: {name: chart-scraper, port: 8083, kind: Deployment, worker: true}
chartProcessor: {name: chart-processor, port: 8084, kind: StatefulSet, worker: true}
trackSearch: {name: track-search, port: 8085, kind: Deployment, worker: true}
playlistService: {name: playlist-service, port: 8086, kind: StatefulSet, worker: true}
notificationService: {name: notification-service, port: 8087, kind: StatefulSet, worker: true}
jobsApi: {name: jobs-api, port: 8088, kind: Deployment, artifacts: true}
transcribeWorkers: {name: transcribe-workers, port: 8090, kind: Deployment, worker: true, artifacts: true}
celebrityWorkers: {name: celebrity-workers, port: 8091, kind: Deployment, worker: true}
placesWorkers: {name: places-workers, port: 8094, kind: StatefulSet, worker: true}
mediaWorkers: {name: media-workers, port: 8096, kind: Deployment, worker: true}
commandWorker: {name: command-worker, port: 8095, kind: Deployment, worker: true}
{{- end }}

{{/* Name of the artifact store's PersistentVolumeClaim: artifacts.persistence.existingClaim or the chart's own. */}}
{{- define "tally.artifactsClaim" -}}
{{- default (printf "%s-artifacts" (include "tally.fullname" .)) .Values.artifacts.persistence.existingClaim }}
{{- end }}

{{- define "tally.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tally.fullname" -}}
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

{{- define "tally.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of one service's objects. Call with (dict "root" $ "svc" $svc). */}}
{{- define "tally.serviceFullname" -}}
{{- printf "%s-%s" (include "tally.fullname" .root) .svc.name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Kubernetes recommended labels. Call with (dict "root" $ "component" "job-tracker"). */}}
{{- define "tally.labels" -}}
helm.sh/chart: {{ include "tally.chart" .root }}
{{ include "tally.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: tally
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end }}

{{/* Labels that select one component's pods; never change them (selectors are immutable). */}}
{{- define "tally.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tally.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "tally.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tally.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "tally.credentialsSecret" -}}
{{- default (printf "%s-credentials" (include "tally.fullname" .)) .Values.secrets.existingSecret }}
{{- end }}

{{- define "tally.image" -}}
{{- $root := .root }}
{{- $repo := printf "%s/%s" $root.Values.image.repository .svc.name }}
{{- if $root.Values.image.registry }}
{{- $repo = printf "%s/%s" $root.Values.image.registry $repo }}
{{- end }}
{{- printf "%s:%s" $repo (default $root.Chart.AppVersion $root.Values.image.tag) }}
{{- end }}

{{/* A secretKeyRef env entry. Call with (dict "name" ENV "secret" NAME "key" KEY "optional" BOOL). */}}
{{- define "tally.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
      optional: {{ .optional }}
{{- end }}

{{/* Environment shared by every service: Kafka, security, registry, identity. Call with (dict "root" $ "svc" $svc). */}}
{{- define "tally.commonEnv" -}}
{{- $v := .root.Values }}
- name: SERVER_PORT
  value: {{ .svc.port | quote }}
- name: KAFKA_BOOTSTRAP_SERVERS
  value: {{ required "kafka.bootstrapServers is required (your Kafka's bootstrap address)" $v.kafka.bootstrapServers | quote }}
- name: TALLY_REGISTRY_URL
  value: {{ required "schemaRegistry.url is required (e.g. http://apicurio:8080/apis/registry/v3)" $v.schemaRegistry.url | quote }}
- name: TALLY_KAFKA_AUTOREGISTERSCHEMAS
  value: {{ $v.schemaRegistry.autoRegisterSchemas | quote }}
- name: TALLY_KAFKA_CREATETOPICS
  value: {{ $v.kafka.createTopics | quote }}
- name: TALLY_KAFKA_PARTITIONS
  value: {{ $v.kafka.partitions | quote }}
- name: TALLY_KAFKA_REPLICATIONFACTOR
  value: {{ $v.kafka.replicationFactor | quote }}
# Static membership and transactional ids: the pod name is unique and, for StatefulSets, stable across restarts.
- name: TALLY_INSTANCE_ID
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: TALLY_STATE_DIR
  value: /var/lib/tally/state
- name: SPRING_KAFKA_SECURITY_PROTOCOL
  value: {{ $v.kafka.securityProtocol | quote }}
{{- if hasPrefix "SASL_" $v.kafka.securityProtocol }}
{{- $secret := required "kafka.sasl.existingSecret is required with a SASL_* securityProtocol" $v.kafka.sasl.existingSecret }}
{{- if $v.kafka.sasl.usernameKey }}
{{ include "tally.secretEnv" (dict "name" "KAFKA_SASL_USERNAME" "secret" $secret "key" $v.kafka.sasl.usernameKey "optional" false) }}
{{- else }}
- name: KAFKA_SASL_USERNAME
  value: {{ required "kafka.sasl.usernameKey or kafka.sasl.usernameValue is required with SASL" $v.kafka.sasl.usernameValue | quote }}
{{- end }}
{{ include "tally.secretEnv" (dict "name" "KAFKA_SASL_PASSWORD" "secret" $secret "key" $v.kafka.sasl.passwordKey "optional" false) }}
- name: SPRING_KAFKA_PROPERTIES_SASL_MECHANISM
  value: {{ $v.kafka.sasl.mechanism | quote }}
# Kubernetes expands $(VAR) from the entries above: the credentials stay in the Secret.
- name: SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG
  value: {{ printf "%s required username=\"$(KAFKA_SASL_USERNAME)\" password=\"$(KAFKA_SASL_PASSWORD)\";" (ternary "org.apache.kafka.common.security.plain.PlainLoginModule" "org.apache.kafka.common.security.scram.ScramLoginModule" (eq $v.kafka.sasl.mechanism "PLAIN")) | quote }}
{{- end }}
{{- if $v.kafka.tls.enabled }}
- name: SPRING_KAFKA_SSL_TRUST_STORE_LOCATION
  value: {{ printf "file:/etc/tally/kafka-truststore/%s" $v.kafka.tls.truststoreKey | quote }}
- name: SPRING_KAFKA_SSL_TRUST_STORE_TYPE
  value: {{ $v.kafka.tls.truststoreType | quote }}
{{- if $v.kafka.tls.truststorePasswordKey }}
{{ include "tally.secretEnv" (dict "name" "SPRING_KAFKA_SSL_TRUST_STORE_PASSWORD" "secret" (required "kafka.tls.existingSecret is required when kafka.tls.enabled" $v.kafka.tls.existingSecret) "key" $v.kafka.tls.truststorePasswordKey "optional" false) }}
{{- end }}
{{- if $v.kafka.tls.keystore.enabled }}
- name: SPRING_KAFKA_SSL_KEY_STORE_LOCATION
  value: {{ printf "file:/etc/tally/kafka-keystore/%s" $v.kafka.tls.keystore.keystoreKey | quote }}
- name: SPRING_KAFKA_SSL_KEY_STORE_TYPE
  value: PKCS12
{{ include "tally.secretEnv" (dict "name" "SPRING_KAFKA_SSL_KEY_STORE_PASSWORD" "secret" (required "kafka.tls.keystore.existingSecret is required when the keystore is enabled" $v.kafka.tls.keystore.existingSecret) "key" $v.kafka.tls.keystore.passwordKey "optional" false) }}
{{- end }}
{{- end }}
{{- end }}

{{/* name: value map as EnvVar entries; values are always strings. */}}
{{- define "tally.envMap" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ toString $value | quote }}
{{- end }}
{{- end }}
