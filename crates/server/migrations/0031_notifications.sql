-- 0031 notifications: indexes for the per-user lists the bell and the
-- notifications page read. `notifications` and `user_notification_preferences`
-- exist since 0007/0008 with row-level security (0010), so nothing here changes
-- tenancy.
--
-- The list is read per port (the row-level security policy admits one port per
-- transaction), newest first with keyset paging on (created_at, id); the bell
-- counts a user's unread rows at one port.

CREATE INDEX idx_notif_port_user_created
    ON notifications (port_id, user_id, created_at DESC, id DESC);
CREATE INDEX idx_notif_port_user_unread
    ON notifications (port_id, user_id)
    WHERE NOT is_read;
