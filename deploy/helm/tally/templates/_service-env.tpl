{{/* Service-specific environment: adapters and their credentials (always secretKeyRef, never a literal). */}}
{{- define "tally.serviceEnv" -}}
{{- $v := .root.Values }}
{{- $s := index $v .key }}
{{- $secret := include "tally.credentialsSecret" .root }}
{{- $keys := $v.secrets.keys }}
{{- if .svc.worker }}
# The worker SDK's static member id base (tally.worker.instance-id): the pod name, unique per pod and, for
# StatefulSets, stable across restarts (its default, <application>-<HOSTNAME>, does not read TALLY_INSTANCE_ID).
- name: TALLY_WORKER_INSTANCE_ID
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: TALLY_WORKER_CREATETOPICS
  value: {{ $v.kafka.createWorkerTopics | quote }}
{{- end }}
{{- if has .key (list "jobTracker" "chartProcessor" "playlistService" "notificationService") }}
- name: SPRING_KAFKA_STREAMS_PROPERTIES_NUM_STANDBY_REPLICAS
  value: {{ $s.standbyReplicas | quote }}
{{- end }}
{{- if eq .key "jobTracker" }}
- name: TALLY_PIPELINES_DIR
  value: /etc/tally/pipelines
{{- else if eq .key "chartScraper" }}
- name: TALLY_SCRAPER_SOURCE
  value: {{ $s.source | quote }}
{{- else if eq .key "trackSearch" }}
- name: TALLY_SEARCH_ADAPTER
  value: {{ $s.adapter | quote }}
{{ include "tally.secretEnv" (dict "name" "TALLY_SEARCH_YOUTUBE_API_KEY" "secret" $secret "key" $keys.youtubeApiKey "optional" (ne $s.adapter "youtube")) }}
{{- else if eq .key "playlistService" }}
- name: TALLY_PLAYLIST_ADAPTER
  value: {{ $s.adapter | quote }}
- name: TALLY_PLAYLIST_DIR
  value: /var/lib/tally/playlists
{{ include "tally.secretEnv" (dict "name" "TALLY_YOUTUBE_OAUTH_TOKEN" "secret" $secret "key" $keys.youtubeOauthToken "optional" true) }}
{{ include "tally.secretEnv" (dict "name" "TALLY_YOUTUBE_CLIENT_ID" "secret" $secret "key" $keys.youtubeClientId "optional" true) }}
{{ include "tally.secretEnv" (dict "name" "TALLY_YOUTUBE_CLIENT_SECRET" "secret" $secret "key" $keys.youtubeClientSecret "optional" true) }}
{{- if eq $s.adapter "youtube" }}
- name: TALLY_YOUTUBE_REFRESH_TOKEN_FILE
  value: /etc/tally/youtube/refresh-token
{{- end }}
{{- else if eq .key "notificationService" }}
- name: TALLY_OUTBOX_DIR
  value: /var/lib/tally/outbox
- name: TALLY_NOTIFY_EMAIL_ENABLED
  value: {{ $s.email.enabled | quote }}
{{- if $s.email.enabled }}
- name: SPRING_MAIL_HOST
  value: {{ required "notificationService.email.host is required when email is enabled" $s.email.host | quote }}
- name: SPRING_MAIL_PORT
  value: {{ $s.email.port | quote }}
- name: TALLY_NOTIFY_EMAIL_FROM
  value: {{ $s.email.from | quote }}
- name: TALLY_NOTIFY_EMAIL_TO
  value: {{ required "notificationService.email.to is required when email is enabled" $s.email.to | quote }}
{{ include "tally.secretEnv" (dict "name" "SPRING_MAIL_USERNAME" "secret" $secret "key" $keys.smtpUsername "optional" true) }}
{{ include "tally.secretEnv" (dict "name" "SPRING_MAIL_PASSWORD" "secret" $secret "key" $keys.smtpPassword "optional" true) }}
{{- end }}
- name: TALLY_NOTIFY_WEBHOOK_ENABLED
  value: {{ $s.webhook.enabled | quote }}
{{- if $s.webhook.enabled }}
{{ include "tally.secretEnv" (dict "name" "TALLY_NOTIFY_WEBHOOK_URL" "secret" $secret "key" $keys.webhookUrl "optional" false) }}
{{- end }}
{{- else if eq .key "transcribeWorkers" }}
- name: TALLY_TRANSCRIBE_DOWNLOAD_ADAPTER
  value: {{ $s.download.adapter | quote }}
{{- if eq $s.download.adapter "http" }}
- name: TALLY_TRANSCRIBE_DOWNLOADER_URL
  value: {{ required "transcribeWorkers.download.url is required with the http downloader" $s.download.url | quote }}
{{- end }}
- name: TALLY_TRANSCRIBE_NORMALIZE_ADAPTER
  value: {{ $s.normalize.adapter | quote }}
{{- if eq $s.normalize.adapter "http" }}
- name: TALLY_TRANSCRIBE_NORMALIZER_URL
  value: {{ required "transcribeWorkers.normalize.url is required with the http normaliser" $s.normalize.url | quote }}
{{- end }}
- name: TALLY_TRANSCRIBE_TRANSCRIBER_ADAPTER
  value: {{ $s.transcriber.adapter | quote }}
- name: TALLY_TRANSCRIBE_OPENAI_URL
  value: {{ $s.transcriber.url | quote }}
{{ include "tally.secretEnv" (dict "name" "TALLY_TRANSCRIBE_OPENAI_API_KEY" "secret" $secret "key" $keys.openaiApiKey "optional" true) }}
{{- else if eq .key "mediaWorkers" }}
- name: TALLY_MEDIA_METADATA_ADAPTER
  value: {{ $s.metadataAdapter | quote }}
{{- else if eq .key "celebrityWorkers" }}
{{- range $source := list "tmdb" "wikipedia" "news" "social" }}
- name: {{ printf "TALLY_CELEBRITIES_%s_ADAPTER" (upper $source) }}
  value: {{ $s.adapter | quote }}
{{- end }}
{{ include "tally.secretEnv" (dict "name" "TALLY_CELEBRITIES_TMDB_API_KEY" "secret" $secret "key" $keys.tmdbApiKey "optional" (ne $s.adapter "http")) }}
{{ include "tally.secretEnv" (dict "name" "TALLY_CELEBRITIES_NEWS_API_KEY" "secret" $secret "key" $keys.newsApiKey "optional" (ne $s.adapter "http")) }}
{{ include "tally.secretEnv" (dict "name" "TALLY_CELEBRITIES_SOCIAL_API_KEY" "secret" $secret "key" $keys.socialApiKey "optional" true) }}
{{- if eq $s.adapter "http" }}
- name: TALLY_CELEBRITIES_SOCIAL_BASEURL
  value: {{ required "celebrityWorkers.socialUrl is required with the http adapter (the social source has no public default)" $s.socialUrl | quote }}
{{- end }}
{{- else if eq .key "placesWorkers" }}
{{- if ne (int $s.replicaCount) 1 }}
{{- fail "placesWorkers.replicaCount must be 1: the DuckDB warehouse has one writer, and a job's stages must reach the instance that holds its tables" }}
{{- end }}
- name: TALLY_PLACES_SOURCE
  value: {{ $s.source | quote }}
# The DuckDB file on the pod's state volume (a PVC with placesWorkers.persistence.enabled); DuckDB keeps its spill
# files beside it, so the directory must be writable.
- name: TALLY_PLACES_WAREHOUSE
  value: /var/lib/tally/state/warehouse.duckdb
{{ include "tally.secretEnv" (dict "name" "GOOGLE_PLACES_API_KEY" "secret" $secret "key" $keys.googlePlacesApiKey "optional" (ne $s.source "google")) }}
{{- else if eq .key "commandWorker" }}
# The task types of commandWorker.tasks, as one more Spring config file (ConfigMap <fullname>-command-worker).
- name: SPRING_CONFIG_ADDITIONAL_LOCATION
  value: file:/etc/tally/command-worker/command-tasks.yml
{{- else if eq .key "jobsApi" }}
- name: TALLY_API_SECURITY_OPENREADS
  value: {{ $s.openReads | quote }}
{{- if $v.scheduler.enabled }}
# The dashboard reads schedules from the scheduler's HTTP API.
- name: TALLY_SCHEDULER_URL
  value: {{ printf "http://%s-scheduler:8082" (include "tally.fullname" .root) | quote }}
{{- end }}
{{- if not $s.apiKeys }}
{{- fail "jobsApi.apiKeys needs at least one key: without it the API would fall back to its development key" }}
{{- end }}
{{- end }}
{{- if .svc.artifacts }}
# The shared artifact store (tally-common's FileArtifactStore): the same directory in every service that has it.
- name: TALLY_ARTIFACTS_DIR
  value: {{ $v.artifacts.mountPath | quote }}
{{- end }}
{{- if has .key (list "jobsApi" "scheduler" "playlistService" "celebrityWorkers") }}
{{- /* The services with write endpoints take the jobs API's keys (tally-common's shared security, ADR 0010). */}}
{{- range $i, $apiKey := $v.jobsApi.apiKeys }}
- name: {{ printf "TALLY_API_SECURITY_APIKEYS_%d_NAME" $i }}
  value: {{ $apiKey.name | quote }}
{{ include "tally.secretEnv" (dict "name" (printf "TALLY_API_SECURITY_APIKEYS_%d_KEY" $i) "secret" $secret "key" $apiKey.secretKey "optional" false) }}
- name: {{ printf "TALLY_API_SECURITY_APIKEYS_%d_ROLES" $i }}
  value: {{ join "," $apiKey.roles | quote }}
{{- end }}
{{- end }}
{{- end }}
