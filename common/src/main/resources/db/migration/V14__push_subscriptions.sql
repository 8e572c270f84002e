-- Web Push (issue 18): a user's browser push subscriptions, as the browser's PushSubscription
-- gives them. The endpoint is unique: it names one browser's subscription, so the same endpoint
-- posted for another user (someone else signed in on that browser) moves to that user. The keys
-- are stored decoded: p256dh the uncompressed P-256 point, auth the 16-byte secret.
create table push_subscriptions (
    id         bigint generated always as identity primary key,
    user_id    bigint      not null,
    endpoint   text        not null unique,
    p256dh     bytea       not null check (octet_length(p256dh) = 65),
    auth       bytea       not null check (octet_length(auth) = 16),
    -- The browser's expirationTime, when it gave one: past it the subscription gets nothing.
    expires_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

create index push_subscriptions_user on push_subscriptions (user_id, id);

-- One push delivery per subscription: the delivery names its subscription, and the unique key
-- grows by it (email and webhook rows have none, and keep one row per notification and user).
-- No foreign key: a subscription the push service reports gone is deleted, its deliveries stay.
alter table deliveries add column subscription_id bigint;
alter table deliveries drop constraint deliveries_notification_job_id_user_id_channel_key;
create unique index deliveries_one_per_target
    on deliveries (notification_job_id, user_id, channel, coalesce(subscription_id, 0));

alter table deliveries drop constraint deliveries_channel_check;
alter table deliveries
    add constraint deliveries_channel_check check (channel in ('email', 'webhook', 'push'));

-- subscription_gone: the push service answered 404/410 (or the subscription was deleted before
-- the delivery ran); no_subscription: the user wants push but has no subscription.
alter table deliveries drop constraint deliveries_skip_reason_check;
alter table deliveries
    add constraint deliveries_skip_reason_check
        check (skip_reason in ('recalled', 'read', 'subscription_gone', 'no_subscription'));
