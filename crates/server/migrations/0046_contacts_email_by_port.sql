-- 0046: e-mail contacts by (port, value), like idx_cc_phone_any for phones.
--
-- The duplicate scan joins a batch's e-mails to the port's. Without this index
-- the planner probed the trigram index for each equality, which made the scan
-- after a 100,000-row import take minutes instead of seconds.
CREATE INDEX idx_cc_email_port ON client_contacts (port_id, value) WHERE channel = 'email';
