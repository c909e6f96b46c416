-- The six system roles every installation starts with. They are global (offered
-- at every port) and protected from deletion (`is_system`). Their permission
-- sets are written by the access catalogue's own migration; until then a role
-- grants nothing, which is the safe default.
CREATE UNIQUE INDEX IF NOT EXISTS idx_roles_name ON roles (name);

INSERT INTO roles (name, description, is_global, is_system) VALUES
  ('super_admin',   'Everything at every port, including creating ports.', true, true),
  ('director',      'Runs a port: every record, settings, members and roles.', true, true),
  ('sales_manager', 'Leads the sales team: clients, pipeline, documents and reports.', true, true),
  ('sales_agent',   'Works their clients and interests through the pipeline.', true, true),
  ('finance',       'Invoices, expenses and payments.', true, true),
  ('viewer',        'Reads everything, changes nothing.', true, true)
ON CONFLICT (name) DO NOTHING;
