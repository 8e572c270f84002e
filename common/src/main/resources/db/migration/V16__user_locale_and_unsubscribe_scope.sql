-- The user's language for mails and pages: a BCP 47 tag as the API normalized it ('ko-KR'). Null
-- follows pulse.notifications.default-locale, so changing the default moves everyone who chose none.
alter table users add column locale text;

-- What a used unsubscribe link switched off: 'digest' (every row before this migration),
-- 'email:<type>' (one notification type's email) or 'email:*' (every non-critical type's email).
-- A notification email's link may be used once for its type and once for "all non-critical email".
alter table digest_unsubscribes add column scope text not null default 'digest';
