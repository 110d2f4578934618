-- Each service owns one schema; it creates its tables itself at start (idempotent migrations).
create schema if not exists auth;
create schema if not exists quota;
create schema if not exists publisher;
