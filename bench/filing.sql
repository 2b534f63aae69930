-- pgbench: one work order filed as raw SQL, the database's own ceiling for what
-- POST /api/v1/work-orders writes (bench/filing.py runs it beside the app):
-- the visit completed, two parts off the van with their ledger rows, the follow-up
-- visit, the work order with its labour, parts and mileage, the invoice from the
-- gapless counter with its five lines, the technician's pay, the email request and
-- its outbox row. One transaction, as in the app; reads only what the writes need.
--
-- The visit completed is any past one (a visit has one work order: the work order does not
-- point at it, the app's does), so runs can repeat without running out of visits.
-- Variables (-D): first_tech, last_tech, first_customer, last_customer, first_part,
-- last_part, first_visit, last_visit, year.
\set tech random(:first_tech, :last_tech)
\set customer random(:first_customer, :last_customer)
\set part1 random(:first_part, :last_part - 1)
\set part2 random(:part1 + 1, :last_part)
\set quantity1 random(1, 2)
\set visit random(:first_visit, :last_visit)
\set onsite random(30, 239)
\set travel random(10, 59)
\set tenths_of_miles random(20, 600)
BEGIN;
SELECT id AS van FROM stock_locations WHERE technician_id = :tech \gset
UPDATE appointments SET status = 'completed', sequence = sequence + 1, updated_at = now() WHERE id = :visit;
INSERT INTO appointment_changes (appointment_id, action, changed_by_id, changed_at, old_status, new_status)
  VALUES (:visit, 'status', :tech, now(), 'scheduled', 'completed');
-- Shelves in a fixed order (part1 < part2), as the app locks them.
UPDATE stock_levels SET quantity = quantity - :quantity1 WHERE part_id = :part1 AND location_id = :van AND quantity >= :quantity1;
UPDATE stock_levels SET quantity = quantity - 1 WHERE part_id = :part2 AND location_id = :van AND quantity >= 1;
INSERT INTO number_sequences (series, year, last_number) VALUES ('WO', :year, 0) ON CONFLICT DO NOTHING;
UPDATE number_sequences SET last_number = last_number + 1 WHERE series = 'WO' AND year = :year RETURNING last_number AS wo \gset
INSERT INTO stock_movements (part_id, location_id, kind, quantity, unit_cost, reference, created_by_id, created_at)
  SELECT id, :van, 'usage', CASE id WHEN :part1 THEN -:quantity1 ELSE -1 END, unit_cost,
         'WO-' || :year || '-' || lpad(:wo::text, 6, '0'), :tech, now()
  FROM parts WHERE id IN (:part1, :part2);
-- Follow-ups far ahead, one hour per work order number: never two at once for a technician.
INSERT INTO appointments (customer_id, technician_id, starts_at, ends_at, status, kind, notes, sequence, created_at, updated_at)
  VALUES (:customer, :tech, timestamptz '2030-01-01 00:00+00' + :wo * interval '1 hour',
          timestamptz '2030-01-01 01:00+00' + :wo * interval '1 hour', 'scheduled', 'follow_up',
          'Check refrigerant pressure', 0, now(), now())
  RETURNING id AS follow_up \gset
INSERT INTO appointment_changes (appointment_id, action, changed_by_id, changed_at, new_technician_id, new_starts_at, new_ends_at, new_status)
  SELECT id, 'booked', :tech, now(), technician_id, starts_at, ends_at, status FROM appointments WHERE id = :follow_up;
INSERT INTO work_orders (number, status, customer_id, technician_id, appointment_id, follow_up_appointment_id, summary,
                         description, po_number, filed_by_id, filed_at)
  VALUES ('WO-' || :year || '-' || lpad(:wo::text, 6, '0'), 'invoiced', :customer, :tech, NULL, :follow_up,
          'Replaced condenser fan motor', 'Unit was short-cycling; motor bearings seized.', 'PO-5531', :tech, now())
  RETURNING id AS work_order \gset
INSERT INTO labour_entries (work_order_id, kind, minutes, is_billable)
  VALUES (:work_order, 'onsite', :onsite, true), (:work_order, 'travel', :travel, true);
INSERT INTO mileage_entries (work_order_id, miles) VALUES (:work_order, :tenths_of_miles / 10.0);
INSERT INTO part_usages (work_order_id, part_id, location_id, quantity, unit_price, unit_cost)
  SELECT :work_order, id, :van, CASE id WHEN :part1 THEN :quantity1 ELSE 1 END, unit_price, unit_cost
  FROM parts WHERE id IN (:part1, :part2);
INSERT INTO number_sequences (series, year, last_number) VALUES ('INV', :year, 0) ON CONFLICT DO NOTHING;
UPDATE number_sequences SET last_number = last_number + 1 WHERE series = 'INV' AND year = :year RETURNING last_number AS inv \gset
INSERT INTO invoices (number, status, customer_id, work_order_id, work_order_number, po_number, issue_date, due_date,
                      subtotal, tax_rate_percent, tax, total, amount_paid, created_at, link_seed, link_digest)
  VALUES ('INV-' || :year || '-' || lpad(:inv::text, 6, '0'), 'issued', :customer, :work_order,
          'WO-' || :year || '-' || lpad(:wo::text, 6, '0'), 'PO-5531', current_date, current_date + 30,
          412.31, 8.25, 31.42, 443.73, 0, now(), md5(random()::text), encode(sha256(random()::text::bytea), 'hex'))
  RETURNING id AS invoice \gset
INSERT INTO invoice_lines (invoice_id, position, kind, description, quantity, unit_price, amount, is_taxable, labour_kind)
  VALUES (:invoice, 1, 'labor', 'On-site labour', round(:onsite / 60.0, 2), 125.00, round(round(:onsite / 60.0, 2) * 125, 2), true, 'onsite'),
         (:invoice, 2, 'labor', 'Travel time', round(:travel / 60.0, 2), 65.00, round(round(:travel / 60.0, 2) * 65, 2), true, 'travel'),
         (:invoice, 3, 'part', 'Part', :quantity1, 42.00, 42.00 * :quantity1, true, NULL),
         (:invoice, 4, 'part', 'Part', 1, 42.00, 42.00, true, NULL),
         (:invoice, 5, 'mileage', 'Mileage', :tenths_of_miles / 10.0, 0.70, round(:tenths_of_miles * 0.07, 2), true, NULL);
INSERT INTO pay_accruals (technician_id, work_order_id, kind, hours, rate, amount, worked_on, accrued_on, created_at)
  SELECT :tech, :work_order, 'regular', round((:onsite + :travel) / 60.0, 2), hourly_rate,
         round(round((:onsite + :travel) / 60.0, 2) * hourly_rate, 2), current_date, current_date, now()
  FROM users WHERE id = :tech;
INSERT INTO invoice_emails (invoice_id, to_address, requested_at) SELECT :invoice, email, now() FROM customers WHERE id = :customer;
INSERT INTO outbox_messages (job, args, created_at) VALUES ('dispatch.invoicing.jobs.email_invoice', json_build_array(:invoice), now());
COMMIT;
