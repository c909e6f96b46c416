-- 0042 tags: a port's tag names are unique whatever their letter case ("VIP" and
-- "vip" would be the same chip to a salesperson), and the settings page lists a
-- port's custom field definitions per entity type in their order.
--
-- The spec's UNIQUE(port_id, name) stays; the index below is stricter.

CREATE UNIQUE INDEX idx_tags_port_lower_name ON tags (port_id, lower(name));

CREATE INDEX idx_cfd_port_entity_order
    ON custom_field_definitions (port_id, entity_type, sort_order, field_name);
