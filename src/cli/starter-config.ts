/**
 * The file `reposentry init` writes. It must pass `reposentry validate` with no environment
 * variables set, so every `${VAR}` line is commented out with a note on when to enable it.
 */
export const STARTER_CONFIG = `# RepoSentry configuration. Check it with: reposentry validate -c <this file>
# Durations: 500ms, 30s, 5m, 1h30m, 30d, or plain milliseconds.
# \${NAME} is replaced by the environment variable NAME when NAME matches
# security.allowed_env_vars; an unset or disallowed variable is an error.

app:
  name: reposentry
  log_level: info            # debug | info | warn | error
  log_format: json           # json | text
  data_dir: ./data           # database and state; relative to the working directory
  health_check_port: 8080    # API, health, metrics and Swagger UI
  # log_file: ./data/reposentry.log   # also log to a rotated file

api:
  listen_address: 0.0.0.0
  # Mutating API endpoints need this bearer token; without it they are refused.
  # Enable once REPOSENTRY_API_TOKEN is set in the environment:
  # auth_token: \${REPOSENTRY_API_TOKEN}
  # With auth_token set, true makes reads (/api/v1, the event stream, /metrics) need it too:
  # auth_reads: false

polling:
  interval: 5m               # default time between polls of a repository
  timeout: 30s               # one poll of one repository
  max_workers: 5             # polls in flight at once
  jitter: 0.1                # +-10% spread so polls do not bunch up
  trigger_on_first_seen: false   # true: refs found by the first poll fire events

storage:
  type: sqlite
  retention: 30d             # events and delivery logs older than this are pruned
  # sqlite:
  #   path: ./data/reposentry.db   # default: <data_dir>/reposentry.db

tekton:
  # Where deliveries go; a repository may override it.
  event_listener_url: http://el-reposentry.tekton-pipelines.svc.cluster.local:8080
  payload_format: auto       # auto | github | gitlab | cloudevents | reposentry
  # Shared with the EventListener interceptor (HMAC key / X-Gitlab-Token).
  # Enable once TEKTON_WEBHOOK_SECRET is set in the environment:
  # secret: \${TEKTON_WEBHOOK_SECRET}
  timeout: 10s
  retry_attempts: 8
  retry_backoff: 1s
  max_retry_backoff: 5m
  headers: {}

security:
  allowed_env_vars: [GITHUB_TOKEN, GITLAB_TOKEN, "*_TOKEN", "*_SECRET"]
  require_https: false

repositories:
  # provider git polls with git ls-remote: no token and no API needed for public repositories.
  - name: tekton-catalog
    url: https://github.com/tektoncd/catalog.git
    provider: git
    branch_regex: "^main$"
    # tag_regex: "^v[0-9]+"    # uncomment to watch tags as well

  # A GitHub repository through the API (conditional requests, no quota when unchanged).
  # Enable once GITHUB_TOKEN is set in the environment:
  # - name: my-app
  #   url: https://github.com/my-org/my-app
  #   provider: github
  #   token: \${GITHUB_TOKEN}
  #   branch_regex: "^(main|release/.*)$"
  #   polling_interval: 1m

  # A GitLab project; api_base_url only for self-hosted instances.
  # Enable once GITLAB_TOKEN is set in the environment:
  # - name: my-service
  #   url: https://gitlab.example.com/group/my-service
  #   provider: gitlab
  #   token: \${GITLAB_TOKEN}
  #   api_base_url: https://gitlab.example.com/api/v4

# repositories_config: ./repositories.yaml   # optional second file with repositories:
`;
