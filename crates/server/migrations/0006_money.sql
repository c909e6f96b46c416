-- 0006 money: expenses, invoices, invoice line items, invoice <-> expense links
-- and the currency rate cache.
--
-- Additions (DESIGN "Tenancy and access", "Security rules"):
-- * port_id DEFAULT app_port_id(); UNIQUE (port_id, id) on expenses and invoices.
-- * port_id UUID NOT NULL on invoice_line_items and invoice_expenses, with a
--   composite FK (port_id, parent_id) to each parent; the spec's FKs stay.
-- * composite FK invoices (port_id, pdf_file_id) -> files.
-- * indexes on FK columns no spec index covers.
-- currency_rates is installation-wide (no port_id), as in the spec.

CREATE TABLE expenses (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  establishment_name TEXT,
  amount NUMERIC NOT NULL,
  currency TEXT NOT NULL DEFAULT 'USD',
  amount_usd NUMERIC,  -- converted equivalent
  exchange_rate NUMERIC,  -- rate used for conversion
  payment_method TEXT,
  category TEXT,
  payer TEXT,
  expense_date TIMESTAMPTZ NOT NULL,
  description TEXT,
  receipt_file_ids UUID[],  -- references to files table
  payment_status TEXT DEFAULT 'unpaid',  -- unpaid, paid, partial
  payment_date DATE,
  payment_reference TEXT,
  payment_notes TEXT,
  created_by TEXT NOT NULL,
  archived_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (port_id, id)
);
CREATE INDEX idx_expenses_port ON expenses(port_id);
CREATE INDEX idx_expenses_date ON expenses(port_id, expense_date);
CREATE INDEX idx_expenses_category ON expenses(port_id, category);

CREATE TABLE invoices (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  invoice_number TEXT NOT NULL,  -- INV-YYYYMM-### auto-generated
  client_name TEXT NOT NULL,
  billing_email TEXT,
  billing_address TEXT,
  due_date DATE NOT NULL,
  payment_terms TEXT NOT NULL DEFAULT 'net30',  -- immediate, net10, net15, net30, net45, net60
  currency TEXT NOT NULL DEFAULT 'USD',
  subtotal NUMERIC NOT NULL,
  discount_pct NUMERIC DEFAULT 0,  -- e.g., 2 for net10
  discount_amount NUMERIC DEFAULT 0,
  fee_pct NUMERIC DEFAULT 0,  -- e.g., 5 for processing fee
  fee_amount NUMERIC DEFAULT 0,
  total NUMERIC NOT NULL,
  status TEXT NOT NULL DEFAULT 'draft',  -- draft, sent, paid, overdue, cancelled
  payment_status TEXT DEFAULT 'unpaid',
  payment_date DATE,
  payment_method TEXT,
  payment_reference TEXT,
  pdf_file_id UUID REFERENCES files(id),
  notes TEXT,
  created_by TEXT NOT NULL,
  archived_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (port_id, id),
  CONSTRAINT invoices_pdf_file_port_fkey FOREIGN KEY (port_id, pdf_file_id)
    REFERENCES files(port_id, id)
);
CREATE UNIQUE INDEX idx_invoices_number ON invoices(port_id, invoice_number);
CREATE INDEX idx_invoices_port ON invoices(port_id);
CREATE INDEX idx_invoices_status ON invoices(port_id, status);
CREATE INDEX idx_invoices_pdf_file ON invoices(pdf_file_id) WHERE pdf_file_id IS NOT NULL;

CREATE TABLE invoice_line_items (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id(),  -- addition: tenancy
  invoice_id UUID NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
  description TEXT NOT NULL,
  quantity NUMERIC NOT NULL DEFAULT 1,
  unit_price NUMERIC NOT NULL,
  total NUMERIC NOT NULL,
  sort_order INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT invoice_line_items_invoice_port_fkey FOREIGN KEY (port_id, invoice_id)
    REFERENCES invoices(port_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_ili_invoice ON invoice_line_items(invoice_id, sort_order);

CREATE TABLE invoice_expenses (
  port_id UUID NOT NULL DEFAULT app_port_id(),  -- addition: tenancy
  invoice_id UUID NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
  expense_id UUID NOT NULL REFERENCES expenses(id) ON DELETE CASCADE,
  PRIMARY KEY (invoice_id, expense_id),
  CONSTRAINT invoice_expenses_invoice_port_fkey FOREIGN KEY (port_id, invoice_id)
    REFERENCES invoices(port_id, id) ON DELETE CASCADE,
  CONSTRAINT invoice_expenses_expense_port_fkey FOREIGN KEY (port_id, expense_id)
    REFERENCES expenses(port_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_ie_expense ON invoice_expenses(expense_id);

CREATE TABLE currency_rates (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  base_currency TEXT NOT NULL,
  target_currency TEXT NOT NULL,
  rate NUMERIC NOT NULL,
  source TEXT NOT NULL DEFAULT 'frankfurter',  -- frankfurter, manual
  fetched_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE(base_currency, target_currency)
);
