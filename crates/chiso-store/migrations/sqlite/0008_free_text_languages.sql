-- Free texts of the KPI catalogue in each language (a page shows one language):
-- a KPI's unit ("doanh nghiệp" / "businesses") and a target's basis. The existing
-- columns hold the Vietnamese text; an empty English one stands for the same text.
ALTER TABLE kpis ADD COLUMN unit_en TEXT;
ALTER TABLE kpi_targets ADD COLUMN basis_en TEXT;
