{{/*
Names and labels.
*/}}
{{- define "streamfold.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "streamfold.fullname" -}}
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

{{- define "streamfold.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of a service's workload; at most 52 characters, so that StatefulSet pod labels stay within 63. */}}
{{- define "streamfold.componentName" -}}
{{- printf "%s-%s" (include "streamfold.fullname" .root) .component | trunc 52 | trimSuffix "-" }}
{{- end }}

{{- define "streamfold.headlessName" -}}
{{- printf "%s-headless" (include "streamfold.componentName" .) }}
{{- end }}

{{- define "streamfold.commonConfigName" -}}
{{- printf "%s-common" (include "streamfold.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "streamfold.credentialsName" -}}
{{- printf "%s-credentials" (include "streamfold.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "streamfold.labels" -}}
helm.sh/chart: {{ include "streamfold.chart" . }}
app.kubernetes.io/name: {{ include "streamfold.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: streamfold
{{- end }}

{{/* Labels of one service (dict root, component). */}}
{{- define "streamfold.componentLabels" -}}
{{ include "streamfold.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "streamfold.selectorLabels" -}}
app.kubernetes.io/name: {{ include "streamfold.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
The image of a service (dict root, values): <registry>/<repository>:<tag>.
*/}}
{{- define "streamfold.image" -}}
{{- $registry := .root.Values.image.registry }}
{{- $tag := .values.image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion }}
{{- if $registry }}
{{- printf "%s/%s:%s" $registry .values.image.repository $tag }}
{{- else }}
{{- printf "%s:%s" .values.image.repository $tag }}
{{- end }}
{{- end }}

{{- define "streamfold.imagePullPolicy" -}}
{{- .values.image.pullPolicy | default .root.Values.image.pullPolicy }}
{{- end }}

{{/* The Secret and key holding the database password. */}}
{{- define "streamfold.databaseSecretName" -}}
{{- .Values.database.existingSecret | default (include "streamfold.credentialsName" .) }}
{{- end }}

{{- define "streamfold.databaseSecretKey" -}}
{{- if .Values.database.existingSecret }}{{ .Values.database.existingSecretPasswordKey }}{{ else }}database-password{{ end }}
{{- end }}

{{/* Whether the services get a SASL JAAS configuration, and from which Secret and key. */}}
{{- define "streamfold.saslEnabled" -}}
{{- if or .Values.kafka.sasl.existingSecret .Values.kafka.sasl.jaasConfig }}true{{ end }}
{{- end }}

{{- define "streamfold.saslSecretName" -}}
{{- .Values.kafka.sasl.existingSecret | default (include "streamfold.credentialsName" .) }}
{{- end }}

{{- define "streamfold.saslSecretKey" -}}
{{- if .Values.kafka.sasl.existingSecret }}{{ .Values.kafka.sasl.jaasConfigKey }}{{ else }}kafka-sasl-jaas-config{{ end }}
{{- end }}

{{/*
Environment of every service: the secrets shared by all (Kafka SASL and TLS passwords). (root context)
*/}}
{{- define "streamfold.kafkaSecretEnv" -}}
{{- if include "streamfold.saslEnabled" . }}
- name: SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ include "streamfold.saslSecretName" . }}
      key: {{ include "streamfold.saslSecretKey" . }}
{{- end }}
{{- with .Values.kafka.tls }}
{{- if .existingSecret }}
{{- if .truststorePasswordKey }}
- name: SPRING_KAFKA_SSL_TRUST_STORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .truststorePasswordKey }}
{{- end }}
{{- if and .keystoreKey .keystorePasswordKey }}
- name: SPRING_KAFKA_SSL_KEY_STORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .keystorePasswordKey }}
{{- end }}
{{- if and .keystoreKey .keyPasswordKey }}
- name: SPRING_KAFKA_SSL_KEY_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .keyPasswordKey }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The user's environment of one service (dict root, values): env (map) then extraEnv (list).
*/}}
{{- define "streamfold.userEnv" -}}
{{- range $name, $value := .values.env }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- with .values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Volume mounts of every service (root context). */}}
{{- define "streamfold.commonVolumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.kafka.tls.existingSecret }}
- name: kafka-tls
  mountPath: /etc/streamfold/kafka-tls
  readOnly: true
{{- end }}
{{- end }}

{{/* Volumes of every service (root context). */}}
{{- define "streamfold.commonVolumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- if .Values.kafka.tls.existingSecret }}
- name: kafka-tls
  secret:
    secretName: {{ .Values.kafka.tls.existingSecret }}
    defaultMode: 0440
{{- end }}
{{- end }}

{{/*
Probes on Spring Boot Actuator's health groups (dict root, values). A Kafka Streams instance restoring its state is
alive but not ready: liveness and readiness are separate groups. The startup probe gives a slow start room before
liveness counts.
*/}}
{{- define "streamfold.probes" -}}
startupProbe:
  httpGet:
    path: /actuator/health/liveness
    port: http
  periodSeconds: {{ .values.probes.startupPeriodSeconds }}
  failureThreshold: {{ .values.probes.startupFailureThreshold }}
  timeoutSeconds: 5
livenessProbe:
  httpGet:
    path: /actuator/health/liveness
    port: http
  periodSeconds: 10
  failureThreshold: 6
  timeoutSeconds: 5
readinessProbe:
  httpGet:
    path: /actuator/health/readiness
    port: http
  periodSeconds: 10
  failureThreshold: 3
  timeoutSeconds: 5
{{- end }}

{{/*
Pod settings shared by every service (dict root, values): scheduling, security, pull secrets.
*/}}
{{- define "streamfold.podSettings" -}}
automountServiceAccountToken: false
# No Service environment variables: a Service named e.g. "server" would otherwise inject SERVER_PORT=tcp://...
enableServiceLinks: false
terminationGracePeriodSeconds: {{ .values.terminationGracePeriodSeconds }}
securityContext:
  {{- toYaml .root.Values.podSecurityContext | nindent 2 }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Pod template annotations (dict root, values): config checksums roll the pods when the shared settings change. */}}
{{- define "streamfold.podAnnotations" -}}
checksum/common-config: {{ include (print .root.Template.BasePath "/configmap.yaml") .root | sha256sum }}
checksum/credentials: {{ include (print .root.Template.BasePath "/secret.yaml") .root | sha256sum }}
{{- with .values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Fails the rendering when a singleton service is asked for more than one replica (dict name, values, reason). */}}
{{- define "streamfold.singletonReplicas" -}}
{{- $replicas := int .values.replicas }}
{{- if gt $replicas 1 }}
{{- fail (printf "%s.replicas is %d, but %s runs as a single replica (0 or 1): %s" .name $replicas .name .reason) }}
{{- end }}
{{- if lt $replicas 0 }}
{{- fail (printf "%s.replicas must be 0 or 1, was %d" .name $replicas) }}
{{- end }}
{{- $replicas }}
{{- end }}

{{/*
An alert threshold as PromQL reads it (dict name, value). Helm reads every number of values.yaml as a float and would
print 1073741824 as 1.073741824e+09, and --set gives 2.5 as a string: whole numbers are printed as integers, others as
they are. Anything but a non-negative number fails the rendering.
*/}}
{{- define "streamfold.promNumber" -}}
{{- $text := toString .value }}
{{- if not (regexMatch "^[0-9]+([.][0-9]+)?([eE][+]?[0-9]+)?$" $text) }}
{{- fail (printf "monitoring.alerts.%s must be a non-negative number, was %q" .name $text) }}
{{- end }}
{{- $number := float64 .value }}
{{- if eq $number (floor $number) }}{{ int64 $number }}{{ else }}{{ $number }}{{ end }}
{{- end }}

{{/* The ConfigMap carrying the Grafana dashboard. */}}
{{- define "streamfold.dashboardsName" -}}
{{- printf "%s-dashboards" (include "streamfold.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
