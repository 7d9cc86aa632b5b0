-- Accounts, sessions, project roles, settings and the audit log.
-- Keep in step with ../postgres/0002_accounts.sql.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_admin      BOOLEAN NOT NULL DEFAULT FALSE,
    -- Set for passwords handed out by the CLI or an admin: the user is
    -- asked to choose their own.
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TEXT NOT NULL,
    disabled_at   TEXT
);
-- Usernames are unique whatever their case.
CREATE UNIQUE INDEX users_username ON users(lower(username));

-- Server-side sessions: the cookie holds a random token, the row its hash,
-- so a session can be revoked and a stolen database reveals no cookie.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    revoked_at   TEXT,
    user_agent   TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE project_members (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_members_user ON project_members(user_id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    INTEGER,
    actor_name  TEXT NOT NULL,
    project_id  INTEGER,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    detail      TEXT
);
CREATE INDEX audit_log_project ON audit_log(project_id, id);

-- Sign-in attempts, for rate limiting across server instances.
CREATE TABLE login_attempts (
    id      INTEGER PRIMARY KEY,
    key     TEXT NOT NULL,
    at      TEXT NOT NULL,
    success BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_key ON login_attempts(key, at);

ALTER TABLE projects ADD COLUMN archived_at TEXT;
ALTER TABLE api_tokens ADD COLUMN created_by INTEGER;
