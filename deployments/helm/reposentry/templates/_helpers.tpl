{{/*
The chart name, truncated to the 63 characters a Kubernetes name allows.
*/}}
{{- define "reposentry.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of the release's objects: fullnameOverride, else <release>-<chart> (just the
release name when it already contains the chart name).
*/}}
{{- define "reposentry.fullname" -}}
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

{{- define "reposentry.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "reposentry.selectorLabels" -}}
app.kubernetes.io/name: {{ include "reposentry.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "reposentry.labels" -}}
helm.sh/chart: {{ include "reposentry.chart" . }}
{{ include "reposentry.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "reposentry.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "reposentry.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The Secret whose keys become the container's environment: the user's, or the chart's own.
*/}}
{{- define "reposentry.secretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- include "reposentry.fullname" . }}
{{- end }}
{{- end }}

{{- define "reposentry.claimName" -}}
{{- if .Values.persistence.existingClaim }}
{{- .Values.persistence.existingClaim }}
{{- else }}
{{- printf "%s-data" (include "reposentry.fullname" .) }}
{{- end }}
{{- end }}

{{- define "reposentry.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/*
"true" when the config stores in PostgreSQL (the only engine that allows several replicas),
else empty, so that `if include "reposentry.postgres" .` reads as a condition.
*/}}
{{- define "reposentry.postgres" -}}
{{- if eq (toString .Values.config.storage.type) "postgres" -}}
true
{{- end }}
{{- end }}

{{/*
The Secret and key holding the PostgreSQL URL: the user's, or the chart's own.
*/}}
{{- define "reposentry.databaseSecretName" -}}
{{- if .Values.database.existingSecret }}
{{- .Values.database.existingSecret }}
{{- else }}
{{- printf "%s-database" (include "reposentry.fullname" .) }}
{{- end }}
{{- end }}

{{- define "reposentry.databaseSecretKey" -}}
{{- if .Values.database.existingSecret }}
{{- .Values.database.existingSecretKey }}
{{- else }}
{{- print "url" }}
{{- end }}
{{- end }}

{{/*
REPOSENTRY_DATABASE_URL, to which config.storage.postgres.url refers: from the database Secret
with PostgreSQL and in the migration Job, else empty (an unset variable is a config error).
*/}}
{{- define "reposentry.databaseUrlEnv" -}}
- name: REPOSENTRY_DATABASE_URL
{{- if or (include "reposentry.postgres" .) .Values.migration.enabled }}
  valueFrom:
    secretKeyRef:
      name: {{ include "reposentry.databaseSecretName" . | quote }}
      key: {{ include "reposentry.databaseSecretKey" . | quote }}
{{- else }}
  value: ''
{{- end }}
{{- end }}

{{/*
Combinations that cannot work, refused before anything is applied.
*/}}
{{- define "reposentry.checkValues" -}}
{{- $replicas := int .Values.replicaCount }}
{{- $type := toString .Values.config.storage.type }}
{{- if lt $replicas 0 }}
{{- fail (printf "replicaCount is %d: it must be 0 or more" $replicas) }}
{{- end }}
{{- if and (not (include "reposentry.postgres" .)) (gt $replicas 1) }}
{{- fail (printf "replicaCount is %d, but config.storage.type is %s: SQLite allows one pod (replicaCount 0 or 1). Several replicas need config.storage.type postgres; values.yaml describes the move." $replicas $type) }}
{{- end }}
{{- if and (or (include "reposentry.postgres" .) .Values.migration.enabled) (not .Values.database.existingSecret) (not .Values.database.url) }}
{{- fail "config.storage.type postgres and migration.enabled need the PostgreSQL URL: set database.existingSecret (and database.existingSecretKey) or database.url" }}
{{- end }}
{{- if and (include "reposentry.postgres" .) .Values.podDisruptionBudget.enabled (gt $replicas 1) (ge (int .Values.podDisruptionBudget.minAvailable) $replicas) }}
{{- fail (printf "podDisruptionBudget.minAvailable must be below replicaCount (%d), or no node could ever be drained" $replicas) }}
{{- end }}
{{- if .Values.migration.enabled }}
{{- if include "reposentry.postgres" . }}
{{- fail "migration.enabled copies the SQLite database: run it while config.storage.type is still sqlite, then switch to postgres with migration.enabled=false" }}
{{- end }}
{{- if ne $replicas 0 }}
{{- fail (printf "migration.enabled needs replicaCount 0 (it is %d): the SQLite file must not be in use while it is copied" $replicas) }}
{{- end }}
{{- if not .Values.persistence.enabled }}
{{- fail "migration.enabled needs persistence.enabled: the SQLite database to copy is on that volume" }}
{{- end }}
{{- end }}
{{- end }}
