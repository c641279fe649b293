{{- define "flock.fullname" -}}{{ printf "%s-flock" .Release.Name | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- define "flock.labels" -}}
app.kubernetes.io/name: flock
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}
{{- define "flock.dbSecret" -}}
{{- if .Values.database.existingSecret -}}{{ .Values.database.existingSecret }}{{- else -}}{{ include "flock.fullname" . }}-database{{- end -}}
{{- end -}}
{{- define "flock.hasDatabase" -}}
{{- if or .Values.database.url .Values.database.existingSecret .Values.postgresql.enabled -}}true{{- end -}}
{{- end -}}
{{- define "flock.mqttUrl" -}}
{{- if .Values.mqtt.url -}}{{ .Values.mqtt.url }}{{- else if .Values.mosquitto.enabled -}}ssl://{{ include "flock.fullname" . }}-mosquitto:8883{{- end -}}
{{- end -}}
