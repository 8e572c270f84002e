-- Recall (issue 17). A notification may name its source (a post, a message): recalling the source,
-- or the dispatch job, withdraws it wherever it is not final yet.
alter table notifications
    add column source      text,
    -- Set on items the user had read before the recall: they stay in the inbox, marked recalled.
    -- Unread items are deleted by the recall instead.
    add column recalled_at timestamptz;

create index notifications_source on notifications (source) where source is not null;
-- Recall by dispatch job; the unique key (user_id, job_id) leads with the user.
create index notifications_job on notifications (job_id);

alter table deliveries add column source text;
create index deliveries_source on deliveries (source) where source is not null;

-- 'skipped' ends a delivery that was never sent: its notification was recalled, or (escalation
-- only if unread) the user read the in-app item before the email was due.
alter table deliveries drop constraint deliveries_status_check;
alter table deliveries
    add constraint deliveries_status_check
        check (status in ('pending', 'sent', 'failed', 'skipped')),
    add column skip_reason text check (skip_reason in ('recalled', 'read')),
    add constraint deliveries_skipped_has_reason
        check ((status = 'skipped') = (skip_reason is not null));

-- One row per recalled target: 'source:<source>' or 'job:<dispatch job id>'. A dispatch checks it
-- under a shared advisory lock on the target that the recall takes exclusively, so a dispatch that
-- runs after a recall writes nothing for it. Rows are kept: a recall is forever.
create table notification_recalls (
    target      text primary key,
    recalled_at timestamptz not null default now()
);

-- A recall cancels the scheduled dispatches of its source (only dispatches carry one).
create index jobs_scheduled_source on jobs ((payload ->> 'source'))
    where status = 'scheduled' and payload ->> 'source' is not null;
