-- 0005 files and documents: file metadata (created here, before documents,
-- because documents, invoices and email messages reference it), documents,
-- their signers and events, document and form templates, form submissions.
--
-- Additions (DESIGN "Tenancy and access", "Security rules"):
-- * port_id DEFAULT app_port_id(); UNIQUE (port_id, id) on files, documents,
--   document_signers and form_templates.
-- * port_id UUID NOT NULL on document_signers, document_events and
--   form_submissions, with composite FKs (port_id, parent_id); the spec's FKs stay.
-- * composite FKs for files -> clients, documents -> interests/clients/files and
--   form_submissions -> clients/interests, so nothing points into another port.
-- * indexes on FK columns no spec index covers.
-- form_submissions keeps both the spec's inline UNIQUE(token) and its named
-- unique index idx_fs_token, as the spec lists both; the application stores a
-- hash of the form token there (DESIGN "Secrets and tokens").

CREATE TABLE files (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  client_id UUID REFERENCES clients(id),
  filename TEXT NOT NULL,
  original_name TEXT NOT NULL,
  mime_type TEXT,
  size_bytes BIGINT,
  storage_path TEXT NOT NULL,  -- MinIO object key
  storage_bucket TEXT NOT NULL DEFAULT 'crm-files',
  category TEXT,  -- eoi, contract, image, receipt, correspondence, misc
  uploaded_by TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (port_id, id),
  CONSTRAINT files_client_port_fkey FOREIGN KEY (port_id, client_id)
    REFERENCES clients(port_id, id)
);
CREATE INDEX idx_files_port ON files(port_id);
CREATE INDEX idx_files_client ON files(client_id);

CREATE TABLE documents (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  interest_id UUID REFERENCES interests(id),
  client_id UUID REFERENCES clients(id),
  document_type TEXT NOT NULL,  -- eoi, contract, nda, reservation_agreement, other
  title TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'draft',  -- draft, sent, partially_signed, completed, expired, cancelled
  documenso_id TEXT,  -- Documenso document ID (null for manual uploads)
  file_id UUID REFERENCES files(id),  -- MinIO file reference
  signed_file_id UUID REFERENCES files(id),  -- signed version file reference
  is_manual_upload BOOLEAN NOT NULL DEFAULT false,
  notes TEXT,
  created_by TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (port_id, id),
  CONSTRAINT documents_interest_port_fkey FOREIGN KEY (port_id, interest_id)
    REFERENCES interests(port_id, id),
  CONSTRAINT documents_client_port_fkey FOREIGN KEY (port_id, client_id)
    REFERENCES clients(port_id, id),
  CONSTRAINT documents_file_port_fkey FOREIGN KEY (port_id, file_id)
    REFERENCES files(port_id, id),
  CONSTRAINT documents_signed_file_port_fkey FOREIGN KEY (port_id, signed_file_id)
    REFERENCES files(port_id, id)
);
CREATE INDEX idx_docs_port ON documents(port_id);
CREATE INDEX idx_docs_interest ON documents(interest_id);
CREATE INDEX idx_docs_client ON documents(client_id);
CREATE INDEX idx_docs_type ON documents(port_id, document_type);
CREATE INDEX idx_docs_file ON documents(file_id) WHERE file_id IS NOT NULL;
CREATE INDEX idx_docs_signed_file ON documents(signed_file_id) WHERE signed_file_id IS NOT NULL;
CREATE INDEX idx_docs_documenso ON documents(documenso_id) WHERE documenso_id IS NOT NULL;

CREATE TABLE document_signers (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id(),  -- addition: tenancy
  document_id UUID NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  signer_name TEXT NOT NULL,
  signer_email TEXT NOT NULL,
  signer_role TEXT NOT NULL,  -- client, developer, sales, approver, other
  signing_order INTEGER NOT NULL,  -- sequential order
  status TEXT NOT NULL DEFAULT 'pending',  -- pending, signed, declined
  signed_at TIMESTAMPTZ,
  signing_url TEXT,
  embedded_url TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (port_id, id),
  CONSTRAINT document_signers_document_port_fkey FOREIGN KEY (port_id, document_id)
    REFERENCES documents(port_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_ds_doc ON document_signers(document_id);

CREATE TABLE document_events (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id(),  -- addition: tenancy
  document_id UUID NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  event_type TEXT NOT NULL,  -- created, sent, viewed, signed, completed, expired, reminder_sent
  signer_id UUID REFERENCES document_signers(id),
  event_data JSONB DEFAULT '{}',
  signature_hash TEXT,  -- deduplication
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT document_events_document_port_fkey FOREIGN KEY (port_id, document_id)
    REFERENCES documents(port_id, id) ON DELETE CASCADE,
  CONSTRAINT document_events_signer_port_fkey FOREIGN KEY (port_id, signer_id)
    REFERENCES document_signers(port_id, id)
);
CREATE INDEX idx_de_doc ON document_events(document_id);
CREATE UNIQUE INDEX idx_de_dedup ON document_events(document_id, signature_hash) WHERE signature_hash IS NOT NULL;
CREATE INDEX idx_de_signer ON document_events(signer_id) WHERE signer_id IS NOT NULL;

CREATE TABLE document_templates (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  name TEXT NOT NULL,
  description TEXT,
  template_type TEXT NOT NULL,  -- welcome_letter, handover_checklist, acknowledgment, correspondence, custom
  body_html TEXT NOT NULL,  -- rich text with merge field tokens: {{client.full_name}}, {{berth.mooring_number}}, etc.
  merge_fields JSONB NOT NULL DEFAULT '[]',  -- array of field definitions: [{ "token": "client.full_name", "label": "Client Name", "source": "client" }]
  is_active BOOLEAN NOT NULL DEFAULT true,
  created_by TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_dt_port ON document_templates(port_id);
CREATE INDEX idx_dt_type ON document_templates(port_id, template_type);

CREATE TABLE form_templates (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  name TEXT NOT NULL,
  description TEXT,
  fields JSONB NOT NULL,  -- field definitions with types, labels, validation
  branding JSONB DEFAULT '{}',  -- logo, colors, header text
  is_active BOOLEAN NOT NULL DEFAULT true,
  created_by TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (port_id, id)
);

CREATE TABLE form_submissions (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id(),  -- addition: tenancy
  form_template_id UUID NOT NULL REFERENCES form_templates(id),
  client_id UUID REFERENCES clients(id),
  interest_id UUID REFERENCES interests(id),
  token TEXT NOT NULL UNIQUE,  -- secure token for form URL
  prefilled_data JSONB DEFAULT '{}',
  submitted_data JSONB,
  status TEXT NOT NULL DEFAULT 'pending',  -- pending, submitted, expired
  expires_at TIMESTAMPTZ,
  submitted_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT form_submissions_form_template_port_fkey FOREIGN KEY (port_id, form_template_id)
    REFERENCES form_templates(port_id, id),
  CONSTRAINT form_submissions_client_port_fkey FOREIGN KEY (port_id, client_id)
    REFERENCES clients(port_id, id),
  CONSTRAINT form_submissions_interest_port_fkey FOREIGN KEY (port_id, interest_id)
    REFERENCES interests(port_id, id)
);
CREATE UNIQUE INDEX idx_fs_token ON form_submissions(token);
CREATE INDEX idx_fs_template ON form_submissions(form_template_id);
CREATE INDEX idx_fs_client ON form_submissions(client_id) WHERE client_id IS NOT NULL;
CREATE INDEX idx_fs_interest ON form_submissions(interest_id) WHERE interest_id IS NOT NULL;
