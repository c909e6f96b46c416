-- 0050 berth tenure notices (issue 5, "Tenure"): which tenure_expiring
-- notifications have gone out.
--
-- The daily tenure job notifies once per threshold (90, 30 and 7 days before a
-- fixed-term berth's tenure_end_date). A row here is the record that the notice
-- for (berth, end date, threshold) was sent; the job inserts it with ON CONFLICT
-- DO NOTHING in the same transaction as the notifications, and notifies only
-- when the insert took, so a re-run (or two workers at once) never notifies
-- twice. The end date is part of the key: a tenure extended to a new end date
-- is warned about again as it nears. The notifications table itself is not used
-- for this: users delete their notifications, and nobody may be left to notify.

CREATE TABLE berth_tenure_notices (
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  berth_id UUID NOT NULL,
  tenure_end_date DATE NOT NULL,
  threshold_days INTEGER NOT NULL CHECK (threshold_days > 0),
  sent_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (berth_id, tenure_end_date, threshold_days),
  CONSTRAINT berth_tenure_notices_berth_port_fkey FOREIGN KEY (port_id, berth_id)
    REFERENCES berths(port_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_btn_port ON berth_tenure_notices(port_id);

ALTER TABLE berth_tenure_notices ENABLE ROW LEVEL SECURITY;
ALTER TABLE berth_tenure_notices FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON berth_tenure_notices FOR ALL
    USING (port_id = app_port_id()) WITH CHECK (port_id = app_port_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON berth_tenure_notices TO nimara_app;

-- The berth list: keyset order by mooring number is served by
-- idx_berths_mooring (port_id, mooring_number); the maintenance totals group a
-- port's log by berth.
CREATE INDEX idx_bml_port_berth ON berth_maintenance_log(port_id, berth_id);
-- "May this berth be deleted?": interests pointing at it.
-- (idx_interests_berth in 0004 covers berth_id.)
