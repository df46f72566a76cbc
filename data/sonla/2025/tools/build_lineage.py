#!/usr/bin/env python3
"""Build data/sonla/2025/units.csv and data/sonla/2025/lineage.csv (Son La, 2024 -> 2025).

Standard library only; deterministic (byte-identical output on every run). Reads the
repository's own copies of the administrative facts, never ../shared:

  data/vn-admin/communes-2025.csv       the 2025 communes and wards (province_code 14)
  data/vn-admin/lineage-2025.csv        every pre-2025 commune -> its 2025 commune
  data/vn-admin/sonla-2024-communes.csv Son La's 12 districts of 2024 and their 200 communes
  data/sonla/2024/units.csv             the 32 units of the 2024 round

Writes:

  units.csv    the 15 departments of 2025 (held below) and the 75 communes and wards
               (official codes and names, English rendering without diacritics)
  lineage.csv  from_year,from_code,to_code,kind,weight

Lineage rules (see data/sonla/README.md):
  - a department that survives unchanged: `same`; a merger: one `merge` row per
    predecessor, empty weight (equal weights); Ban Dân tộc -> Sở Dân tộc và Tôn giáo:
    `rename`.
  - a 2024 district -> each 2025 commune that took communes of it: `split`, empty
    weight; except a 2025 commune formed from communes of several old districts: one
    `merge` row per district, weight = the number of its predecessor communes that
    district held.

    python3 data/sonla/2025/tools/build_lineage.py          # write both files, verify
    python3 data/sonla/2025/tools/build_lineage.py --check  # fail if either is stale
"""

import csv
import io
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
ADMIN = ROOT / "data" / "vn-admin"
PACKAGE = ROOT / "data" / "sonla" / "2025"
UNITS_2024 = ROOT / "data" / "sonla" / "2024" / "units.csv"

PROVINCE = "14"  # Tỉnh Sơn La, both before and after 1/7/2025
FROM_YEAR = 2024

# The departments and agencies of 2025 (group `department`), in the order of 2024.
DEPARTMENTS = [
    ("VPUBND", "Văn phòng UBND tỉnh", "Office of the Provincial People's Committee"),
    ("SNV", "Sở Nội vụ", "Department of Home Affairs"),
    ("STP", "Sở Tư pháp", "Department of Justice"),
    ("STC", "Sở Tài chính", "Department of Finance"),
    ("SCT", "Sở Công Thương", "Department of Industry and Trade"),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", "Department of Agriculture and Environment"),
    ("SXD", "Sở Xây dựng", "Department of Construction"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "Department of Culture, Sports and Tourism"),
    ("SKHCN", "Sở Khoa học và Công nghệ", "Department of Science and Technology"),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "Department of Education and Training"),
    ("SYT", "Sở Y tế", "Department of Health"),
    ("SNGV", "Sở Ngoại vụ", "Department of Foreign Affairs"),  # assumption: kept
    ("TTT", "Thanh tra tỉnh", "Provincial Inspectorate"),
    ("SDTTG", "Sở Dân tộc và Tôn giáo", "Department of Ethnic and Religious Affairs"),
    ("BQLKCN", "Ban Quản lý các khu công nghiệp", "Industrial Zones Management Board"),
]

# Every 2024 department -> its 2025 successor and the kind of the step. Mergers:
# the province's plan of January 2025; Nông nghiệp và Môi trường: Decree 45/2025/NĐ-CP.
DEPARTMENT_LINEAGE = {
    "VPUBND": ("VPUBND", "same"),
    "SNV": ("SNV", "merge"),          # + SLDTBXH
    "STP": ("STP", "same"),
    "SKHDT": ("STC", "merge"),
    "STC": ("STC", "merge"),          # + SKHDT
    "SCT": ("SCT", "same"),
    "SNNPTNT": ("SNNMT", "merge"),    # + STNMT
    "SGTVT": ("SXD", "merge"),
    "SXD": ("SXD", "merge"),          # + SGTVT
    "STNMT": ("SNNMT", "merge"),
    "STTTT": ("SKHCN", "merge"),      # press duties went to SVHTTDL: no row
    "SLDTBXH": ("SNV", "merge"),
    "SVHTTDL": ("SVHTTDL", "same"),
    "SKHCN": ("SKHCN", "merge"),      # + STTTT
    "SGDDT": ("SGDDT", "same"),
    "SYT": ("SYT", "same"),
    "SNGV": ("SNGV", "same"),         # assumption: not settled by the plan
    "TTT": ("TTT", "same"),
    "BDT": ("SDTTG", "rename"),       # religion from SNV: no row
    "BQLKCN": ("BQLKCN", "same"),
}


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def ascii_name(name):
    """'Phường Chiềng An' -> 'Chieng An Ward'; 'Xã Mường Bú' -> 'Muong Bu Commune'."""
    for prefix, kind in (("Phường ", "Ward"), ("Xã ", "Commune")):
        if name.startswith(prefix):
            base = name[len(prefix):]
            break
    else:
        raise AssertionError(f"unexpected commune name {name!r}")
    base = base.replace("Đ", "D").replace("đ", "d")
    base = "".join(c for c in unicodedata.normalize("NFD", base) if not unicodedata.combining(c))
    assert base.isascii(), base
    return f"{base} {kind}"


def to_csv(header, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def build():
    communes = [r for r in read_csv(ADMIN / "communes-2025.csv") if r["province_code"] == PROVINCE]
    lineage = [r for r in read_csv(ADMIN / "lineage-2025.csv") if r["old_province_code"] == PROVINCE]
    old_communes = read_csv(ADMIN / "sonla-2024-communes.csv")
    units_2024 = read_csv(UNITS_2024)

    # --- the facts -----------------------------------------------------------
    by_code = {r["code"]: r for r in communes}
    assert len(communes) == 75 and len(by_code) == 75, len(communes)
    types = Counter(r["type"] for r in communes)
    assert types == {"Xã": 67, "Phường": 8}, types
    for r in communes:
        assert len(r["code"]) == 5 and r["code"].isdigit(), r["code"]
        assert r["name"].startswith(r["type"] + " "), r
    assert len(lineage) == 200, len(lineage)
    assert all(r["new_province_code"] == PROVINCE for r in lineage)
    assert all(r["divided"] == "false" for r in lineage), "a Son La commune was split"
    assert len({r["old_code"] for r in lineage}) == 200
    old = {(r["district_code"], r["code"]) for r in old_communes}
    assert len(old) == 200 and old == {(r["old_district_code"], r["old_code"]) for r in lineage}
    assert {r["new_code"] for r in lineage} == set(by_code)
    for r in lineage:
        assert r["new_name"] == by_code[r["new_code"]]["name"], r
    districts_2024 = [u["code"] for u in units_2024 if u["group"] == "district"]
    assert sorted({r["old_district_code"] for r in lineage}) == sorted(districts_2024)
    assert len(districts_2024) == 12

    # predecessors per new commune, counted by old district
    held = defaultdict(Counter)
    for r in lineage:
        held[r["new_code"]][r["old_district_code"]] += 1
    multi = sorted(code for code, c in held.items() if len(c) > 1)
    assert multi == ["03985"], multi  # Xã Chiềng Sơn: Thị xã Mộc Châu + Huyện Vân Hồ

    # --- units.csv -----------------------------------------------------------
    unit_rows = [(code, name, "department", "", en) for code, name, en in DEPARTMENTS]
    english = {}
    for code in sorted(by_code):
        name = by_code[code]["name"]
        english[code] = ascii_name(name)
        unit_rows.append((code, name, "commune", "", english[code]))
    assert len(set(english.values())) == 75, "two communes with the same English name"
    units_2025 = {row[0] for row in unit_rows}
    assert len(units_2025) == len(unit_rows) == 90

    # --- lineage.csv ---------------------------------------------------------
    lineage_rows = []
    departments_2024 = [u["code"] for u in units_2024 if u["group"] == "provincial"]
    assert len(departments_2024) == 20 and set(departments_2024) == set(DEPARTMENT_LINEAGE)
    for code in departments_2024:
        to, kind = DEPARTMENT_LINEAGE[code]
        lineage_rows.append((FROM_YEAR, code, to, kind, ""))
    for district in sorted(districts_2024):
        for new in sorted(c for c in held if district in held[c]):
            if len(held[new]) > 1:
                lineage_rows.append((FROM_YEAR, district, new, "merge", held[new][district]))
            else:
                lineage_rows.append((FROM_YEAR, district, new, "split", ""))

    # --- the rules -----------------------------------------------------------
    from_codes = {r[1] for r in lineage_rows}
    assert from_codes == {u["code"] for u in units_2024} and len(from_codes) == 32
    assert all(r[2] in units_2025 for r in lineage_rows), "a to_code is no 2025 unit"
    assert {r[2] for r in lineage_rows} == units_2025, "a 2025 unit without predecessor"
    assert len({(r[1], r[2]) for r in lineage_rows}) == len(lineage_rows), "duplicate row"
    into = defaultdict(list)
    for r in lineage_rows:
        into[r[2]].append(r)
    for to, rows in into.items():
        kinds = {r[3] for r in rows}
        if len(rows) > 1:
            assert kinds == {"merge"}, (to, kinds)
        else:
            assert kinds <= {"same", "rename", "split"}, (to, kinds)
    for r in lineage_rows:
        if r[3] == "same":
            assert r[1] == r[2]
    # district rows: every new commune reached from its districts' communes exactly
    for new, counts in held.items():
        assert {r[1] for r in into[new]} == set(counts)
    # the merged departments of the plan
    merged = {to: sorted(r[1] for r in rows) for to, rows in into.items() if to in units_2025
              and rows[0][3] == "merge" and not to.isdigit()}
    assert merged == {
        "STC": ["SKHDT", "STC"],
        "SNV": ["SLDTBXH", "SNV"],
        "SXD": ["SGTVT", "SXD"],
        "SKHCN": ["SKHCN", "STTTT"],
        "SNNMT": ["SNNPTNT", "STNMT"],
    }, merged

    units_text = to_csv(["code", "name", "group", "parent", "name_en"], unit_rows)
    lineage_text = to_csv(["from_year", "from_code", "to_code", "kind", "weight"], lineage_rows)
    return units_text, lineage_text, Counter(r[3] for r in lineage_rows)


def main(argv):
    check = "--check" in argv[1:]
    units_text, lineage_text, kinds = build()
    outputs = {PACKAGE / "units.csv": units_text, PACKAGE / "lineage.csv": lineage_text}
    stale = []
    for path, text in outputs.items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            if check:
                stale.append(path.relative_to(ROOT))
            else:
                path.write_text(text, encoding="utf-8", newline="")
    if stale:
        print("stale: " + ", ".join(map(str, stale)) + " (run without --check)", file=sys.stderr)
        return 1
    units = units_text.count("\n") - 1
    rows = lineage_text.count("\n") - 1
    summary = ", ".join(f"{k} {kinds[k]}" for k in ("same", "rename", "merge", "split"))
    print(f"units.csv: {units} units; lineage.csv: {rows} rows ({summary}); all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
