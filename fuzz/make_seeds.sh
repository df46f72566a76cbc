#!/bin/sh
# Writes the seed corpora of the text targets into fuzz/seeds/ from the bundled data
# (data/sonla/...): each seed is a selector byte (which file the input replaces)
# followed by a bundled file, plus a few hand-written variants (wide values, R-style
# numbers). The XLSX seeds are committed as they are (templates written by chiso).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data="$here/../data/sonla"
seeds="$here/seeds"
seed() { # DIR NAME SELECTOR-OCTAL FILE
    mkdir -p "$seeds/$1"
    { printf "\\$3"; cat "$4"; } > "$seeds/$1/$2"
}
seed package assessment 000 "$data/2024/assessment.toml"
seed package provincial 001 "$data/2024/frameworks/provincial.toml"
seed package district 002 "$data/2024/frameworks/district.toml"
seed package units 003 "$data/2024/units.csv"
seed package values-long 004 "$data/2024/values.csv"
printf '\004unit,1.1,1.2,1.3,2.2,6.4\nVPUBND,head,4,3/4,9.75E+01,"3,5e0"\nSNV,na,,1/0,NA,1e+05\n' > "$seeds/package/values-wide"
printf '\004"unit","indicator","value"\n"VPUBND","1.2",4e+00\n"SNV","2.2",6.6e-05\n"STP","1.3","0/0"\n' > "$seeds/package/values-r"
seed monitoring kpis 000 "$data/monitoring/kpis.toml"
seed monitoring observations 001 "$data/monitoring/observations.csv"
printf '\002kpi,scope,period,value,note\ndocs_out,province,2026-01,1e+05,NA\ndocs_out_signed_rate,116,2026-Q1,9.85e+01,\n' > "$seeds/monitoring/upload"
printf '\000id,unit,procedure,channel,received,due,finished,digitized\nHS1,116,1.004227,online,2024-03-04T08:15:00,2024-03-11T17:00:00,2024-03-08T10:00:00,true\nHS2,116,1.0,offline,2024-03-05 08:15,2024-03-11T17:00:00,,không\n' > "$seeds/feed/dossiers"
printf '\011id,unit,direction,sent,signed\nVB1,STTTT,out,2024-03-04T09:00:00,true\nVB2,STTTT,in,2024-03-05T09:00,\n"VB3","116","OUT","2024-12-31 23:59:59","có"\n' > "$seeds/feed/documents"
cp "$data/2024/uncertainty.toml" "$seeds/uncertainty/sonla"
printf 'samples = 10\nseed = 1\nnormalise = [ { kind = "minmax", low = 1, high = 100 }, { kind = "zscore", mean = 10, sd = 2 }, { kind = "none" } ]\naggregate = [ "arithmetic", "geometric" ]\n\n[[weights]]\ndepth = 1\nnoise = 0.25\n\n[[weights]]\ndepth = 2\nnoise = 2.5e-1\n' > "$seeds/uncertainty/full"
