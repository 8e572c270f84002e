-- Operator console sign-ins. The cookie holds a random token; only its SHA-256 is stored, so a
-- copy of this table signs nobody in. key_hash is the SHA-256 of the API key that signed in (never
-- the key): every request checks that key as an API request would, so revoking it, its expiry or
-- the end of its rotation grace ends the session too.
create table console_sessions (
    token_hash  text        primary key,
    key_hash    text        not null,
    csrf_token  text        not null,
    created_at  timestamptz not null default now(),
    expires_at  timestamptz not null
);

create index console_sessions_expires on console_sessions (expires_at);
