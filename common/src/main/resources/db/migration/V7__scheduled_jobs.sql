-- Scheduled jobs wait in the ledger, not in the broker: a row with a send time is 'scheduled'
-- until the poller publishes it when due (-> 'queued'), or it is cancelled before that.
alter table jobs drop constraint jobs_status_check;
alter table jobs add constraint jobs_status_check
    check (status in ('scheduled', 'queued', 'running', 'retrying', 'succeeded', 'dead',
                      'cancelled'));

alter table jobs add column send_at timestamptz;

-- The poller's scan: only the rows still waiting, oldest send time first.
create index jobs_scheduled_due on jobs (send_at) where status = 'scheduled';
